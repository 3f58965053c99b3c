import { auditTrail, config, ledgerTable, log } from '../aws/composition-root';
import { updatingConnectorFor } from '../aws/request-ports';
import { type ChangeStoreResult, changeStore } from '../core/requests/change';
import * as z from '../core/zod';

export type { ChangeStoreResult };

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/** ChangeStore (one Map iteration): a correction, restriction or withdrawal written to one store and proven. */
export async function handler(event: unknown): Promise<ChangeStoreResult> {
  const ports = {
    ledger: ledgerTable(),
    connectorFor: updatingConnectorFor,
    log: log(),
    auditTrail: auditTrail(),
  };
  return changeStore(ports, config().dataMap, z.parse(Input, event));
}
