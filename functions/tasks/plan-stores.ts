import * as z from 'zod';
import { auditTrail, clockStartPorts, config, ledgerTable, log } from '../aws/composition-root';
import { subjectResolver } from '../aws/request-ports';
import { type PlannedStore, planStores } from '../core/requests/plan';

const Input = z.object({ requestId: z.string().min(1) });

/**
 * PlanStores: moves the request to in_progress and plans every store and
 * processor it visits (core/requests/plan). A cancelled delete throws `RequestCancelled`.
 */
export async function handler(event: unknown): Promise<{ stores: PlannedStore[] }> {
  const { requestId } = Input.parse(event);
  const { dataMap, deadlineMarginSeconds } = config();
  const ports = {
    ledger: ledgerTable(),
    subjects: subjectResolver(),
    log: log(),
    auditTrail: auditTrail(),
    deadlineMarginSeconds,
    clockStart: clockStartPorts(),
  };
  return planStores(ports, dataMap, requestId);
}
