/**
 * What erasure does to one record, decided from the data map alone (pure, no
 * AWS). Connectors carry decisions out; the certificate counts them.
 */

import { type DataStore, type ErasureHold, type FieldPolicy, MASK_VALUE } from '../data-map';
import type { RecordRef } from '../records';

/** What became of a record, as the certificate and the subject's email report it. */
export type RecordOutcome = 'deleted' | 'masked' | 'retained' | 'held';

/** What the connector does to the stored record. */
export type ErasureAction =
  | { readonly kind: 'delete' }
  /** Overwrite `set` fields, remove `remove` fields, keep the rest. */
  | {
      readonly kind: 'update';
      readonly set: Readonly<Record<string, string>>;
      readonly remove: readonly string[];
    }
  | { readonly kind: 'keep' };

export interface RecordDecision {
  readonly ref: RecordRef;
  readonly outcome: RecordOutcome;
  readonly action: ErasureAction;
  /** Retained: the law that requires keeping it, and until when (ISO date). */
  readonly legalBasis?: string;
  readonly retainedUntil?: string;
  /** Held: the hold's reason, e.g. `open_order`. */
  readonly holdReason?: string;
}

/** Per-store counts of one erasure; the same decisions always give the same counts. */
export interface ErasureCounts {
  readonly found: number;
  readonly deleted: number;
  readonly masked: number;
  readonly retained: number;
  readonly held: number;
}

/** The subject's identifier values (email, phone, customerId, ...) as resolved by the system. */
export type SubjectValues = readonly string[];

const DAY_MS = 24 * 3600 * 1000;

const PHONE_LIKE = /^\+?[0-9 ()./-]{6,24}$/;
/** Values this short collide with ordinary data (codes, flags); they never count as identifiers. */
const MIN_IDENTIFIER_LENGTH = 3;

/**
 * The comparable form of an identifier: NFKC, trimmed, lower-cased; phone-like
 * values keep only digits (and a leading `+`), so `+62 812-3456` and `+628123456`
 * match. Undefined for values too short to identify anyone.
 */
export function normaliseIdentifier(value: string): string | undefined {
  let form = value.normalize('NFKC').trim().toLowerCase();
  if (PHONE_LIKE.test(form) && /[0-9]{6}/.test(form.replace(/[^0-9]/g, ''))) {
    form = (form.startsWith('+') ? '+' : '') + form.replace(/[^0-9]/g, '');
  }
  return form.length >= MIN_IDENTIFIER_LENGTH ? form : undefined;
}

function comparable(value: unknown): string | undefined {
  if (typeof value === 'string') return normaliseIdentifier(value);
  if (typeof value === 'number') return normaliseIdentifier(String(value));
  return undefined;
}

/** The hold that applies to a record, if any: a store-wide hold, or one whose `when` matches. */
export function holdFor(
  holds: readonly ErasureHold[],
  data: Readonly<Record<string, unknown>>,
): ErasureHold | undefined {
  return holds.find((hold) => {
    if (!hold.when) return true;
    const value = data[hold.when.field];
    return hold.when.in.some((candidate) => candidate === value);
  });
}

/**
 * Attribute names never masked or removed: the table's primary key, and the
 * lookup key when it is a pseudonymous id (customerId), so retained records stay
 * findable. A lookup by email or phone is contact data and is masked like any field.
 */
export function keyAttributes(store: DataStore): ReadonlySet<string> {
  if (store.kind !== 'dynamodb') return new Set();
  const { primaryKey, locate } = store;
  const lookupKey = locate.identity === 'customerId' ? locate.partitionKey : undefined;
  const names = [primaryKey.partitionKey, primaryKey.sortKey, lookupKey];
  return new Set(names.filter((n): n is string => typeof n === 'string'));
}

/**
 * The generalised form of a value; the same for a value already generalised
 * (so a retry writes the same), the mask where there is nothing to generalise.
 */
export function generalised(value: unknown, to: 'month' | 'year' | 'postcode_region'): string {
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  if (to === 'postcode_region') {
    const postcode = /(?:^|\D)(\d{2})(?:\d{3}|xxx)\s*$/.exec(text);
    return postcode ? `${postcode[1]}xxx` : MASK_VALUE;
  }
  const date = /^(\d{4})(?:-(\d{2}))?/.exec(text);
  if (!date || Number.isNaN(Date.parse(text.length === 4 ? `${text}-01-01` : text))) return MASK_VALUE;
  if (to === 'year') return date[1] as string;
  return date[2] ? `${date[1]}-${date[2]}` : MASK_VALUE;
}

/**
 * Applies field policies to a kept record: masks (all non-key fields for
 * `maskAll`, else only listed ones) and removals. Fields absent from the record
 * are left alone, so applying a decision twice gives the same record.
 */
function fieldChanges(
  store: DataStore,
  data: Readonly<Record<string, unknown>>,
  subjectValues: ReadonlySet<string>,
  maskAll: boolean,
  fieldValues: Readonly<Record<string, ReadonlySet<string>>> = {},
): { set: Record<string, string>; remove: string[] } {
  const keys = keyAttributes(store);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const { fields } = store.erasure;
  const policyOf = (name: string): FieldPolicy | undefined =>
    fields[name] ?? (maskAll ? { action: 'mask' } : undefined);
  for (const [name, value] of Object.entries(data)) {
    if (keys.has(name) || value === undefined || value === null) continue;
    const policy = policyOf(name);
    if (!policy) continue;
    if (policy.action === 'delete') remove.push(name);
    else if (policy.action === 'mask') {
      if (policy.onlyIfSubject) {
        const form = comparable(value);
        // Own keys only: a record field named `constructor` must not reach Object's.
        const typed = Object.hasOwn(fieldValues, name) ? fieldValues[name] : undefined;
        const subjects = (v: string) => subjectValues.has(v) || Boolean(typed?.has(v));
        if (form === undefined || !subjects(form)) continue;
      }
      set[name] = policy.with ?? MASK_VALUE;
    } else if (policy.action === 'anonymise') set[name] = generalised(value, policy.generalise);
  }
  return { set, remove };
}

export interface DecideOptions {
  /**
   * The store's retention period has ended (the retention sweep): a `retain`
   * default deletes the whole record instead. Holds still apply first.
   */
  readonly retentionEnded?: boolean;
  /**
   * Unverified free text (the typed name or phone) by the field the data map
   * declares it may appear in: `onlyIfSubject` compares it with that field only.
   */
  readonly fieldValues?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The decision for one of the subject's records under its store's erasure
 * policy: holds first, then the record-level default, then field policies.
 * `now` dates the retention end (erasure date + retentionDays); with
 * `retentionEnded` a retained record is deleted instead.
 */
export function decideErasure(
  store: DataStore,
  record: { readonly ref: RecordRef; readonly data: Readonly<Record<string, unknown>> },
  subjectValues: SubjectValues,
  now: Date,
  options: DecideOptions = {},
): RecordDecision {
  const { ref, data } = record;
  const hold = holdFor(store.erasure.holds, data);
  if (hold) return { ref, outcome: 'held', action: { kind: 'keep' }, holdReason: hold.reason };

  const policy = store.erasure.default;
  const deletes = policy.action === 'delete' || (policy.action === 'retain' && options.retentionEnded);
  if (deletes) return { ref, outcome: 'deleted', action: { kind: 'delete' } };

  const values = new Set(subjectValues.map(comparable).filter((v): v is string => v !== undefined));
  const fieldValues = Object.fromEntries(
    Object.entries(options.fieldValues ?? {}).map(([field, list]) => [
      field,
      new Set(list.map(comparable).filter((v): v is string => v !== undefined)),
    ]),
  );
  const { set, remove } = fieldChanges(store, data, values, policy.action === 'mask', fieldValues);
  const changed = Object.keys(set).length > 0 || remove.length > 0;
  const action: ErasureAction = changed ? { kind: 'update', set, remove } : { kind: 'keep' };
  if (policy.action === 'mask') return { ref, outcome: 'masked', action };
  return {
    ref,
    outcome: 'retained',
    action,
    legalBasis: policy.legalBasis,
    retainedUntil: new Date(now.getTime() + policy.retentionDays * DAY_MS).toISOString().slice(0, 10),
  };
}

/** Counts decisions by outcome. */
export function countOutcomes(decisions: Iterable<Pick<RecordDecision, 'outcome'>>): ErasureCounts {
  const counts = { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 };
  for (const { outcome } of decisions) {
    counts.found += 1;
    counts[outcome] += 1;
  }
  return counts;
}

/** Thrown by a connector that cannot carry out a decision (e.g. masking a binary object). */
export class UnsupportedErasureError extends Error {
  override readonly name = 'UnsupportedErasureError';
}

/** Thrown when re-querying finds more of the subject than the decisions allow. Not retried: goes to support. */
export class ErasureIncompleteError extends Error {
  override readonly name = 'ErasureIncomplete';
}
