/**
 * Proof by re-query: after erasure, the store is read again and what it finds
 * must be exactly what the decisions keep, with no identifier of the subject
 * left in it. Any surplus is a failure for support.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { safeRequestId, safeStoreId } from '../export/keys';
import type { Connector, ObjectStore, RecordRef, Subject } from '../ports';
import { ErasureIncompleteError, type RecordDecision } from './decisions';
import { deepStrings, identifierHash, normaliseIdentifier } from './identifiers';
import { readDecisions, readSummary } from './manifest';
import { surveyOf } from './survey';

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
export interface Expectation {
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
 * The subject's identifiers the proof looks for: the keyed hashes the summary
 * holds, or (same invocation as the inventory) their normalised forms themselves.
 */
export interface SubjectIdentifiers {
  readonly hashes: readonly string[];
  readonly forms?: ReadonlySet<string>;
}

/** What the re-query must find: the kept records' expectations, and which S3 objects were changed or kept. */
export interface Expectations {
  readonly kept: ReadonlyMap<string, Expectation>;
  readonly changedObjects: ReadonlySet<string>;
  readonly keptObjects: ReadonlySet<string>;
}

/** The expectations of a store's decisions (from memory, or read back from its manifest). */
export async function expectationsOf(
  decisions: AsyncIterable<readonly RecordDecision[]> | Iterable<readonly RecordDecision[]>,
): Promise<Expectations> {
  const kept = new Map<string, Expectation>();
  const shapes = new Map<string, Expectation>();
  const changedObjects = new Set<string>();
  const keptObjects = new Set<string>();
  for await (const page of decisions) {
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
  return { kept, changedObjects, keptObjects };
}

/**
 * Re-reads the store (`survey`: current records and every version) and checks
 * that every current record is one the decisions keep, that kept records carry
 * their masks and no identifier whose keyed hash the inventory recorded (held
 * records are exempt: they are kept untouched on purpose), and that no old S3
 * version or delete marker remains of an object that was deleted or rewritten.
 *
 * @throws ErasureIncompleteError naming the store and counts (never data) when anything is left.
 */
export async function proveErasure(
  args: Omit<VerifyArgs, 'run'>,
  identifiers: SubjectIdentifiers,
  expectations: Expectations,
): Promise<VerifiedStore> {
  const storeId = safeStoreId(args.storeId);
  const { connector, subject, hashingKey } = args;
  const { kept, changedObjects, keptObjects } = expectations;
  const { forms } = identifiers;
  const hashes = new Set(identifiers.hashes);
  const isIdentifier = forms
    ? (value: string) => {
        const form = normaliseIdentifier(value);
        return form !== undefined && forms.has(form);
      }
    : (value: string) => {
        const hash = identifierHash(hashingKey, value);
        return hash !== undefined && hashes.has(hash);
      };
  const identifies = (data: unknown): boolean => {
    for (const value of deepStrings(data)) if (isIdentifier(value)) return true;
    return false;
  };

  const check = async () => {
    const surplus = new Set<string>();
    let remaining = 0;
    let unmasked = 0;
    let identified = 0;
    let recoverable = 0;
    for await (const { records, refs } of surveyOf(connector, subject)) {
      for (const record of records) {
        remaining += 1;
        const unit = unitOf(record.ref);
        const expectation = kept.get(unit);
        if (!expectation) surplus.add(unit);
        else if (expectation.held) continue;
        else if (fieldsLeft(record.data, expectation)) unmasked += 1;
        else if (identifies(record.data)) identified += 1;
      }
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
 * The proof against the store's manifest as written (`run`: a retention
 * sweep's): its summary and its decisions, read back. See `proveErasure`.
 *
 * @throws ErasureIncompleteError when the store was never inventoried, or anything is left.
 */
export async function verifyStoreErasure(exports: ObjectStore, args: VerifyArgs): Promise<VerifiedStore> {
  const requestId = safeRequestId(args.requestId);
  const storeId = safeStoreId(args.storeId);
  const { run } = args;
  const summary = await readSummary(exports, requestId, storeId, run);
  if (!summary) throw new ErasureIncompleteError(`store ${storeId}: no erasure inventory to verify against`);
  const expectations = await expectationsOf(readDecisions(exports, requestId, storeId, run));
  return proveErasure(args, { hashes: summary.identifierHashes }, expectations);
}
