import { auditStore } from '../audit/events';
import { dataStoreOf } from '../data-map';
import type { EraseReceipt, ObjectStore, StorePorts } from '../ports';
import { markedFailedOnError } from '../store-progress';
import { type ErasureCounts, ErasureIncompleteError, UnsupportedErasureError } from './decisions';
import { type Inventory, type InventoryArgs, inventoryOf } from './inventory';
import { readDecisions, readSummary } from './manifest';
import { expectationsOf, proveErasure, type VerifiedStore } from './verify';

export interface StoreErasure {
  readonly storeId: string;
  /** From the inventory: the same on every retry. */
  readonly counts: ErasureCounts;
  /** What the connector sent this time (a retry may send less). */
  readonly receipt: EraseReceipt;
  /** What the proof checks against: this call's inventory. */
  readonly inventory: Inventory;
}

/**
 * Erases the subject from one store: takes (or reuses) the inventory, then
 * hands its decisions to `connector.erase` (from memory when this call made
 * them, else read back from the manifest). Safe to run again after a crash
 * anywhere: the decisions are the same and connectors apply them idempotently.
 *
 * @throws UnsupportedErasureError when the store's connector cannot erase.
 */
export async function eraseStore(exports: ObjectStore, args: InventoryArgs): Promise<StoreErasure> {
  const { connector, requestId } = args;
  if (!connector.erase) throw new UnsupportedErasureError(`store ${args.store.id} cannot erase records`);
  const inventory = await inventoryOf(exports, args);
  const { summary } = inventory;
  // Nothing found, or every decision keeps its record as it is (a store whose records are only retained): no
  // decision to hand to the connector.
  const receipt =
    summary.counts.found === 0 || summary.changes === 0
      ? {
          storeId: connector.storeId,
          deleted: 0,
          updated: 0,
          kept: summary.counts.found - (summary.changes ?? 0),
        }
      : await connector.erase(
          inventory.decisions
            ? fromMemory(inventory.decisions)
            : readDecisions(exports, requestId, args.store.id, args.retention?.run),
        );
  return { storeId: args.store.id, counts: summary.counts, receipt, inventory };
}

async function* fromMemory<T>(pages: Iterable<T>): AsyncIterable<T> {
  yield* pages;
}

export interface ProofArgs extends InventoryArgs {
  /** See `VerifyArgs.settleDelaysMs`. */
  readonly settleDelaysMs?: readonly number[] | undefined;
}

/**
 * The proof by re-query of one store's erasure (see `proveErasure`), against
 * `inventory` when the same invocation took it, else against the manifest.
 *
 * @throws ErasureIncompleteError when anything is left, or the store was never inventoried.
 */
export async function proveStoreErasure(
  exports: ObjectStore,
  args: ProofArgs,
  inventory?: Inventory,
): Promise<VerifiedStore> {
  const { requestId, store, retention } = args;
  const summary = inventory?.summary ?? (await readSummary(exports, requestId, store.id, retention?.run));
  if (!summary) throw new ErasureIncompleteError(`store ${store.id}: no erasure inventory to verify against`);
  const decisions = inventory?.decisions ?? readDecisions(exports, requestId, store.id, retention?.run);
  return proveErasure(
    {
      requestId,
      storeId: store.id,
      connector: args.connector,
      subject: args.subject,
      hashingKey: args.hashingKey,
      ...(args.settleDelaysMs ? { settleDelaysMs: args.settleDelaysMs } : {}),
    },
    {
      hashes: summary.identifierHashes,
      ...(inventory?.identifiers ? { forms: inventory.identifiers } : {}),
    },
    await expectationsOf(decisions),
  );
}

/** What EraseStore returns: the inventory's counts and what the proof found left. */
export interface ErasedStore {
  readonly storeId: string;
  readonly counts: ErasureCounts;
  /** Current records still there (all of them ones the decisions keep). */
  readonly remaining: number;
  readonly verified: true;
}

/**
 * EraseStore (one Map iteration): decides once (manifest in the exports
 * bucket), carries out the decisions, then proves the erasure by re-query,
 * recording the store's progress after each. A retry after a crash reuses the
 * decisions, so it ends in the same state with the same counts; one after the
 * erasure was recorded runs only the proof. `ErasureIncomplete` (not retried)
 * goes to support.
 */
export async function eraseRequestStore(
  ports: StorePorts,
  input: {
    readonly requestId: string;
    readonly storeId: string;
    readonly settleDelaysMs?: readonly number[] | undefined;
  },
): Promise<ErasedStore> {
  const { requestId, storeId } = input;
  const { ledger, log } = ports;
  const store = dataStoreOf(ports.dataMap, storeId);
  const record = await ledger.require(requestId);
  const before = record.stores?.[storeId];
  const args: ProofArgs = {
    requestId,
    store,
    connector: ports.connectorFor(store),
    subject: { identities: record.identities ?? {} },
    ...(record.contact ? { contact: record.contact } : {}),
    hashingKey: await ports.hashingKey(),
    firstAttempt: before?.status === 'pending',
    settleDelaysMs: input.settleDelaysMs,
  };
  let erased: { counts: ErasureCounts; inventory?: Inventory };
  if (before?.status === 'completed' && before.erasure) {
    // Erased by an earlier attempt (that stopped before its proof, or whose proof is asked for again): nothing
    // is written twice. Its audit event may not have landed before it stopped (the event id makes this a no-op).
    erased = { counts: before.erasure };
    await auditStore(ports.auditTrail, requestId, storeId, 'store_erased', { ...before.erasure });
  } else {
    await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
    erased = await markedFailedOnError({ ledger, log }, { requestId, storeId }, async () => {
      const { counts, receipt, inventory } = await eraseStore(ports.exports, args);
      await ledger.setStoreProgress(requestId, storeId, {
        status: 'completed',
        records: counts.found,
        erasure: counts,
      });
      log.info('store erased', {
        requestId,
        storeId,
        ...counts,
        writes: {
          deleted: receipt.deleted,
          updated: receipt.updated,
          versions: receipt.versionsDeleted ?? 0,
        },
      });
      await auditStore(ports.auditTrail, requestId, storeId, 'store_erased', { ...counts });
      return { counts, inventory };
    });
  }
  const { counts } = erased;
  const progress = { status: 'completed' as const, records: counts.found, erasure: counts };
  try {
    const { remaining } = await proveStoreErasure(ports.exports, args, erased.inventory);
    await ledger.setStoreProgress(requestId, storeId, { ...progress, verified: true });
    log.info('store erasure verified', { requestId, storeId, remaining });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_erasure_verified', { remaining });
    return { storeId, counts, remaining, verified: true };
  } catch (error) {
    if (error instanceof ErasureIncompleteError) {
      // The message holds the store id and counts only.
      log.error('store erasure incomplete', { requestId, storeId, detail: error.message });
      await ledger
        .setStoreProgress(requestId, storeId, { ...progress, verified: false })
        .catch(() => log.warn('could not record a failed verification', { requestId, storeId }));
    }
    throw error;
  }
}
