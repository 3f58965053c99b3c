import { auditTrail, config, ledgerTable, log } from '../aws/composition-root';
import { updatingConnectorFor } from '../aws/request-ports';
import { type OptOutStoreResult, optOutStore } from '../core/requests/opt-out';
import * as z from '../core/zod';

export type { OptOutStoreResult };

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/** OptOutStore (one Map iteration): marketing consent off in one store (core/requests/opt-out). */
export async function handler(event: unknown): Promise<OptOutStoreResult> {
  const ports = {
    ledger: ledgerTable(),
    connectorFor: updatingConnectorFor,
    log: log(),
    auditTrail: auditTrail(),
  };
  return optOutStore(ports, config().dataMap, z.parse(Input, event));
}
