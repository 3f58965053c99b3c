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
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/**
 * ScheduleErasure: starts a verified delete's grace period and emails the
 * cancel link; returns when the grace period ends, which the ASL's Wait state reads.
 */
export async function handler(event: unknown): Promise<ErasureSchedule> {
  const input = z.parse(Input, event);
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
