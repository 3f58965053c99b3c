import { auditStore } from '../audit/events';
import { dataStoreOf } from '../data-map';
import type { EraseReceipt, ObjectStore, StorePorts } from '../ports';
import { markedFailedOnError } from '../store-progress';
import { type ErasureCounts, UnsupportedErasureError } from './decisions';
import { type InventoryArgs, takeInventory } from './inventory';
import { readDecisions } from './manifest';

export interface StoreErasure {
  readonly storeId: string;
  /** From the inventory: the same on every retry. */
  readonly counts: ErasureCounts;
  /** What the connector sent this time (a retry may send less). */
  readonly receipt: EraseReceipt;
}

/**
 * Erases the subject from one store: takes (or reuses) the inventory, then
 * streams its decisions into `connector.erase`. Safe to run again after a
 * crash anywhere: the decisions are the same and connectors apply them idempotently.
 *
 * @throws UnsupportedErasureError when the store's connector cannot erase.
 */
export async function eraseStore(exports: ObjectStore, args: InventoryArgs): Promise<StoreErasure> {
  const { connector, requestId } = args;
  if (!connector.erase) throw new UnsupportedErasureError(`store ${args.store.id} cannot erase records`);
  const summary = await takeInventory(exports, args);
  // Nothing found, or every decision keeps its record as it is (a store whose records are only retained): no
  // decision to read back and hand to the connector.
  const receipt =
    summary.counts.found === 0 || summary.changes === 0
      ? {
          storeId: connector.storeId,
          deleted: 0,
          updated: 0,
          kept: summary.counts.found - (summary.changes ?? 0),
        }
      : await connector.erase(readDecisions(exports, requestId, args.store.id, args.retention?.run));
  return { storeId: args.store.id, counts: summary.counts, receipt };
}

/**
 * EraseStore (one Map iteration): decides once (manifest in the exports bucket)
 * and carries out erasure of the subject's records in one store, recording the
 * store's progress. A retry after a crash reuses the decisions, so it ends in
 * the same state with the same counts.
 */
export async function eraseRequestStore(
  ports: StorePorts,
  input: { readonly requestId: string; readonly storeId: string },
): Promise<{ storeId: string; counts: ErasureCounts }> {
  const { requestId, storeId } = input;
  const { ledger, log } = ports;
  const store = dataStoreOf(ports.dataMap, storeId);
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  const connector = ports.connectorFor(store);
  const key = await ports.hashingKey();
  return markedFailedOnError({ ledger, log }, { requestId, storeId }, async () => {
    const { counts, receipt } = await eraseStore(ports.exports, {
      requestId,
      store,
      connector,
      subject: { identities: record.identities ?? {} },
      ...(record.contact ? { contact: record.contact } : {}),
      hashingKey: key,
    });
    await ledger.setStoreProgress(requestId, storeId, {
      status: 'completed',
      records: counts.found,
      erasure: counts,
    });
    log.info('store erased', {
      requestId,
      storeId,
      ...counts,
      writes: { deleted: receipt.deleted, updated: receipt.updated, versions: receipt.versionsDeleted ?? 0 },
    });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_erased', { ...counts });
    return { storeId, counts };
  });
}
