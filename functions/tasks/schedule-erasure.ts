import * as z from 'zod';
import {
  auditTrail,
  clockStartPorts,
  config,
  hashingKey,
  ledgerTable,
  log,
  mailer,
} from '../aws/composition-root';
import { type ErasureSchedule, scheduleErasure } from '../core/erasure/schedule';

const Input = z.object({ requestId: z.string().min(1) });

/**
 * ScheduleErasure: starts a verified delete's grace period and emails the
 * cancel link; returns when the grace period ends, which the ASL's Wait state reads.
 */
export async function handler(event: unknown): Promise<ErasureSchedule> {
  const input = Input.parse(event);
  const cfg = config();
  const settings = {
    publicUrl: cfg.publicUrl,
    graceSeconds: cfg.deleteGraceSeconds,
    deadlineMarginSeconds: cfg.deadlineMarginSeconds,
  };
  return scheduleErasure(
    {
      ledger: ledgerTable(),
      hashingKey,
      mailer: mailer(),
      log: log(),
      settings,
      auditTrail: auditTrail(),
      clockStart: clockStartPorts(),
    },
    input,
  );
}
