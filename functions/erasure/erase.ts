import { type ErasureCounts, UnsupportedErasureError } from '../core/erasure/decisions';
import type { EraseReceipt } from '../core/ports';
import type { ExportStorage } from '../export/s3-stream';
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
export async function eraseStore(deps: ExportStorage, args: InventoryArgs): Promise<StoreErasure> {
  const { connector, requestId } = args;
  if (!connector.erase) throw new UnsupportedErasureError(`store ${args.store.id} cannot erase records`);
  const summary = await takeInventory(deps, args);
  const receipt =
    summary.counts.found === 0
      ? { storeId: connector.storeId, deleted: 0, updated: 0, kept: 0 }
      : await connector.erase(readDecisions(deps, requestId, args.store.id, args.retention?.run));
  return { storeId: args.store.id, counts: summary.counts, receipt };
}
