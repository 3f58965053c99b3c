import { auditTrail, clockStartPorts, config, ledgerTable, log } from '../aws/composition-root';
import { subjectResolver } from '../aws/request-ports';
import { planStores, type StorePlan } from '../core/requests/plan';
import * as z from '../core/zod';

const Input = z.object({ requestId: z.string().check(z.minLength(1)) });

/**
 * PlanStores: moves the request to in_progress and plans the data stores and
 * the processors it visits, in two lists (core/requests/plan). A cancelled delete throws `RequestCancelled`.
 */
export async function handler(event: unknown): Promise<StorePlan & { stores: StorePlan['dataStores'] }> {
  const { requestId } = z.parse(Input, event);
  const { dataMap, deadlineMarginSeconds } = config();
  const ports = {
    ledger: ledgerTable(),
    subjects: subjectResolver(),
    log: log(),
    auditTrail: auditTrail(),
    deadlineMarginSeconds,
    clockStart: clockStartPorts(),
  };
  const plan = await planStores(ports, dataMap, requestId);
  // `stores`, both kinds in one list, is what an execution started before the Maps were split by kind reads.
  return { ...plan, stores: [...plan.dataStores, ...plan.processors] };
}
