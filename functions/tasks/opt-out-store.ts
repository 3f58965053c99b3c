import * as z from 'zod';
import { auditTrail, config, ledgerTable, log } from '../aws/composition-root';
import { updatingConnectorFor } from '../aws/request-ports';
import { type OptOutStoreResult, optOutStore } from '../core/requests/opt-out';

export type { OptOutStoreResult };

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** OptOutStore (one Map iteration): marketing consent off in one store (core/requests/opt-out). */
export async function handler(event: unknown): Promise<OptOutStoreResult> {
  const ports = {
    ledger: ledgerTable(),
    connectorFor: updatingConnectorFor,
    log: log(),
    auditTrail: auditTrail(),
  };
  return optOutStore(ports, config().dataMap, Input.parse(event));
}
