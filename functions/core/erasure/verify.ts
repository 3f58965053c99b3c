/**
 * Proof by re-query: after erasure, every lookup of the store runs again and
 * what it finds must be exactly what the manifest keeps, with no identifier
 * of the subject left in it. Any surplus is a failure for support.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { auditStore } from '../audit/events';
import { dataStoreOf } from '../data-map';
import { safeRequestId, safeStoreId } from '../export/keys';
import type { Connector, ObjectStore, RecordRef, StorePorts, Subject } from '../ports';
import { ErasureIncompleteError } from './decisions';
import { deepStrings, identifierHash } from './identifiers';
import { readDecisions, readSummary } from './manifest';

export interface VerifyArgs {
  readonly requestId: string;
  readonly storeId: string;
  readonly connector: Connector;
  readonly subject: Subject;
  readonly hashingKey: Buffer;
  /** A retention sweep's run (`retention-<YYYY-MM-DD>`): verify against its manifest, not the request's original one. */
  readonly run?: string;
  /**
   * Waits before looking again when the first look finds something, so reads
   * that lag the erasure's writes settle; only the last look decides.
   */
  readonly settleDelaysMs?: readonly number[];
}

/** About 10 s in all: DynamoDB index and eventually consistent reads settle well within it. */
export const DEFAULT_SETTLE_DELAYS_MS: readonly number[] = [1_000, 3_000, 6_000];

export interface VerifiedStore {
  readonly storeId: string;
  /** Current records still there (all of them ones the manifest keeps). */
  readonly remaining: number;
  readonly verified: true;
}

/** What a kept record must look like now. Shared between records with the same shape to keep memory small. */
interface Expectation {
  readonly held: boolean;
  readonly set?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/**
 * The unit a decision is about: a DynamoDB item key, an S3 JSON Lines line
 * (line numbers stay stable: erased lines become empty), or an S3 object.
 */
export function unitOf(ref: RecordRef): string {
  if (ref.kind === 'dynamodb') {
    const entries = Object.entries(ref.key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `dynamodb:${JSON.stringify(entries)}`;
  }
  // Processor records are never erased by us (the processor erases); a unit keeps the type total.
  if (ref.kind === 'processor') return `processor:${ref.processorId}/${ref.reference}`;
  return `s3:${ref.bucket}/${ref.key}${ref.line === undefined ? '' : `#${ref.line}`}`;
}

const objectOf = (ref: { bucket: string; key: string }) => `${ref.bucket}/${ref.key}`;

/** True when a kept record still holds a masked field's old value or a field that should be gone. */
function fieldsLeft(data: Readonly<Record<string, unknown>>, expectation: Expectation): boolean {
  for (const [field, written] of Object.entries(expectation.set ?? {})) {
    if (field in data && data[field] !== written) return true;
  }
  return (expectation.remove ?? []).some((field) => field in data);
}

/**
 * Re-runs `connector.export` and `connector.locate` for the subject and checks
 * that every current record is one the manifest keeps, that kept records carry
 * their masks and no identifier whose keyed hash the inventory recorded (held
 * records are exempt: they are kept untouched on purpose), and that no old S3
 * version or delete marker remains of an object that was deleted or rewritten.
 *
 * @throws ErasureIncompleteError naming the store and counts (never data) when anything is left.
 */
export async function verifyStoreErasure(exports: ObjectStore, args: VerifyArgs): Promise<VerifiedStore> {
  const requestId = safeRequestId(args.requestId);
  const storeId = safeStoreId(args.storeId);
  const { connector, subject, hashingKey } = args;
  const { run } = args;
  const summary = await readSummary(exports, requestId, storeId, run);
  if (!summary) throw new ErasureIncompleteError(`store ${storeId}: no erasure inventory to verify against`);

  const kept = new Map<string, Expectation>();
  const shapes = new Map<string, Expectation>();
  const changedObjects = new Set<string>();
  const keptObjects = new Set<string>();
  for await (const page of readDecisions(exports, requestId, storeId, run)) {
    for (const { ref, action, outcome } of page) {
      if (ref.kind === 's3') {
        if (action.kind !== 'keep') changedObjects.add(objectOf(ref));
        if (action.kind !== 'delete') keptObjects.add(objectOf(ref));
      }
      if (action.kind === 'delete') continue;
      const expectation: Expectation =
        action.kind === 'update'
          ? { held: outcome === 'held', set: action.set, remove: action.remove }
          : { held: outcome === 'held' };
      const shape = JSON.stringify(expectation);
      const shared = shapes.get(shape) ?? expectation;
      shapes.set(shape, shared);
      kept.set(unitOf(ref), shared);
    }
  }

  const hashes = new Set(summary.identifierHashes);
  const identifies = (data: unknown): boolean => {
    for (const value of deepStrings(data)) {
      const hash = identifierHash(hashingKey, value);
      if (hash && hashes.has(hash)) return true;
    }
    return false;
  };

  const check = async () => {
    const surplus = new Set<string>();
    let remaining = 0;
    let unmasked = 0;
    let identified = 0;
    let recoverable = 0;
    for await (const page of connector.export(subject, { attachments: false })) {
      for (const record of page) {
        remaining += 1;
        const unit = unitOf(record.ref);
        const expectation = kept.get(unit);
        if (!expectation) surplus.add(unit);
        else if (expectation.held) continue;
        else if (fieldsLeft(record.data, expectation)) unmasked += 1;
        else if (identifies(record.data)) identified += 1;
      }
    }
    for await (const refs of connector.locate(subject)) {
      for (const ref of refs) {
        if (ref.kind !== 's3') {
          if (!kept.has(unitOf(ref))) surplus.add(unitOf(ref));
          continue;
        }
        const object = objectOf(ref);
        if (ref.noncurrent || ref.deleteMarker) {
          // Old versions hold the data as it was before erasure.
          if (changedObjects.has(object) || !keptObjects.has(object)) recoverable += 1;
        } else if (!keptObjects.has(object)) {
          surplus.add(`s3:${object}`);
        }
      }
    }
    const problems = surplus.size + unmasked + identified + recoverable;
    const message =
      `store ${storeId}: erasure incomplete: ${surplus.size} record(s) or object(s) remain that erasure removed or never decided on, ` +
      `${unmasked} kept record(s) still hold fields that were to be masked or removed, ` +
      `${identified} kept record(s) still contain an identifier of the subject, ` +
      `${recoverable} old version(s) or delete marker(s) remain`;
    return { remaining, problems, message };
  };

  // Queries (GSIs above all) are eventually consistent: a write made just before may not show yet.
  const delays = args.settleDelaysMs ?? DEFAULT_SETTLE_DELAYS_MS;
  let result = await check();
  for (const delay of delays) {
    if (result.problems === 0) break;
    await sleep(delay);
    result = await check();
  }
  if (result.problems > 0) throw new ErasureIncompleteError(result.message);
  return { storeId, remaining: result.remaining, verified: true };
}

/**
 * VerifyStoreErasure (one Map iteration): runs the store's lookups again,
 * records the result on the store's progress, and throws `ErasureIncomplete`
 * (not retried: support) unless only what the decisions keep remains, without
 * the subject's identifiers.
 */
export async function verifyRequestStore(
  ports: StorePorts,
  input: {
    readonly requestId: string;
    readonly storeId: string;
    readonly settleDelaysMs?: readonly number[] | undefined;
  },
): Promise<VerifiedStore> {
  const { requestId, storeId } = input;
  const { ledger, log } = ports;
  const store = dataStoreOf(ports.dataMap, storeId);
  const record = await ledger.require(requestId);
  const progress = record.stores?.[storeId] ?? { status: 'completed' as const };
  const connector = ports.connectorFor(store);
  const key = await ports.hashingKey();
  try {
    const result = await verifyStoreErasure(ports.exports, {
      requestId,
      storeId,
      connector,
      subject: { identities: record.identities ?? {} },
      hashingKey: key,
      ...(input.settleDelaysMs ? { settleDelaysMs: input.settleDelaysMs } : {}),
    });
    await ledger.setStoreProgress(requestId, storeId, { ...progress, verified: true });
    log.info('store erasure verified', { requestId, storeId, remaining: result.remaining });
    await auditStore(ports.auditTrail, requestId, storeId, 'store_erasure_verified', {
      remaining: result.remaining,
    });
    return result;
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
