/**
 * Inventory: what erasure will do in one store, decided once per request.
 * The decisions go to a manifest in the exports bucket with a summary (counts,
 * retention, holds, keyed identifier hashes) as its first line, in one
 * PutObject before any erasure write; the object alone marks the inventory
 * complete, so a retry reuses it instead of deciding again on data that may
 * already be half erased. A manifest too large for memory streams up and its
 * summary follows as a separate object (see `readSummary`).
 */
import { Readable } from 'node:stream';
import { keyedHash } from '../crypto';
import type { DataStore } from '../data-map';
import { erasureDecisionsKey, safeRequestId, safeStoreId } from '../export/keys';
import type { LedgerRecord } from '../ledger-record';
import type { Connector, ObjectStore, RecordRef, Subject } from '../ports';
import { type DecideOptions, decideErasure, type RecordDecision } from './decisions';
import { deepStrings, normaliseIdentifier } from './identifiers';
import { type ErasureSummary, readSummary, summarisedManifest, writeSummary } from './manifest';
import { surveyOf } from './survey';

export interface InventoryArgs {
  readonly requestId: string;
  readonly store: DataStore;
  readonly connector: Connector;
  readonly subject: Subject;
  /** The request's contact details: the verified email, and the typed (unverified) name and phone. */
  readonly contact?: LedgerRecord['contact'];
  readonly hashingKey: Buffer;
  readonly now?: Date;
  /**
   * The retention sweep: the store's retention has ended, so retained records
   * are deleted (held ones stay held), and the manifest goes to the sweep's own
   * folder `run` (`retention-<YYYY-MM-DD>`, see `retentionRun`) beside the request's original one.
   */
  readonly retention?: { readonly run: string };
  /** No earlier attempt began an inventory (the ledger has the store `pending`): none to look for. */
  readonly firstAttempt?: boolean;
}

/** Identity kinds whose values are plaintext identifiers (customerId is pseudonymous and stays on retained records). */
const IDENTIFYING_KINDS = ['email', 'phone'] as const;

/** The typed name and phone by each field the store's data map declares may hold them (`contactFields`). */
function typedContactByField(store: DataStore, contact: InventoryArgs['contact']): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const kind of ['fullName', 'phone'] as const) {
    const value = contact?.[kind];
    if (!value) continue;
    for (const field of store.contactFields?.[kind] ?? [])
      byField[field] = [...(byField[field] ?? []), value];
  }
  return byField;
}

/** A decision for an object that survives only as old versions or delete markers (no current record). */
function orphanDecision(store: DataStore, ref: RecordRef, now: Date, options: DecideOptions): RecordDecision {
  const decision = decideErasure(store, { ref, data: {} }, [], now, options);
  // An old version cannot be masked: unless it is held or retained, it goes.
  return decision.outcome === 'masked' ? { ref, outcome: 'deleted', action: { kind: 'delete' } } : decision;
}

/**
 * Manifest bytes an inventory keeps in memory, with its decisions, for the
 * erasure and proof that follow (about 40,000 decisions); past it the manifest
 * is streamed up and the decisions are read back.
 */
export const MANIFEST_IN_MEMORY_BYTES = 8 * 1024 * 1024;

/** A store's inventory: its summary and, when this call made them and they fit in memory, its decisions. */
export interface Inventory {
  readonly summary: ErasureSummary;
  /** Absent when an earlier attempt made them, or past `MANIFEST_IN_MEMORY_BYTES`: read the manifest. */
  readonly decisions?: readonly (readonly RecordDecision[])[];
  /**
   * The normalised identifiers whose keyed hashes the summary holds, when this
   * call made it: the proof compares with them instead of hashing every value it reads.
   */
  readonly identifiers?: ReadonlySet<string>;
}

/** The store's erasure summary (see `inventoryOf`). */
export async function takeInventory(exports: ObjectStore, args: InventoryArgs): Promise<ErasureSummary> {
  return (await inventoryOf(exports, args)).summary;
}

/**
 * The store's inventory: reused when a previous attempt completed it,
 * otherwise made by streaming the store's survey (current records, and for S3
 * every version) through `decideErasure` into
 * `erasure/<requestId>/<storeId>.decisions.jsonl`, its summary first. For S3 stores, objects
 * found only as old versions or delete markers get a decision too, so nothing
 * recoverable is left out. Memory stays flat apart from the identifier hashes
 * (one per distinct masked value), for S3 the set of object keys, and the
 * decisions kept for this invocation (see `MANIFEST_IN_MEMORY_BYTES`).
 */
export async function inventoryOf(exports: ObjectStore, args: InventoryArgs): Promise<Inventory> {
  const requestId = safeRequestId(args.requestId);
  const storeId = safeStoreId(args.store.id);
  const run = args.retention?.run;
  const manifestKey = erasureDecisionsKey(requestId, storeId, run);
  if (!args.firstAttempt) {
    // Only a complete inventory has a summary to read (see `readSummary`).
    const existing = await readSummary(exports, requestId, storeId, run);
    if (existing) return { summary: existing };
  }
  const { store, connector, subject, contact, hashingKey } = args;
  const decideOptions: DecideOptions = {
    ...(args.retention ? { retentionEnded: true } : {}),
    fieldValues: typedContactByField(store, contact),
  };

  const now = args.now ?? new Date();
  const hashes = new Set<string>();
  // Normalised forms of the same identifiers: each hashed once, and held for this invocation's proof.
  const identifiers = new Set<string>();
  const addHash = (value: string) => {
    const form = normaliseIdentifier(value);
    if (form === undefined || identifiers.has(form)) return;
    identifiers.add(form);
    hashes.add(keyedHash(hashingKey, 'identifier', form));
  };
  for (const kind of IDENTIFYING_KINDS) for (const value of subject.identities[kind] ?? []) addHash(value);
  // The verified address; the typed name and phone are unverified and never searched for everywhere.
  if (contact?.email) addHash(contact.email);

  // `onlyIfSubject` masks compare with every verified or resolved identity, pseudonymous ones included.
  const subjectValues = [
    ...Object.values(subject.identities).flatMap((values) => values ?? []),
    ...(contact?.email ? [contact.email] : []),
  ];
  const counts = { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 };
  const retention = new Map<string, { legalBasis: string; retainedUntil: string; records: number }>();
  const holds = new Map<string, number>();
  let changes = 0;
  let held: RecordDecision[][] | undefined = [];
  const tally = (decision: RecordDecision) => {
    counts.found += 1;
    if (decision.action.kind !== 'keep') changes += 1;
    counts[decision.outcome] += 1;
    if (decision.outcome === 'retained' && decision.legalBasis && decision.retainedUntil) {
      const id = `${decision.legalBasis}\u0000${decision.retainedUntil}`;
      const entry = retention.get(id) ?? {
        legalBasis: decision.legalBasis,
        retainedUntil: decision.retainedUntil,
        records: 0,
      };
      entry.records += 1;
      retention.set(id, entry);
    }
    if (decision.outcome === 'held' && decision.holdReason) {
      holds.set(decision.holdReason, (holds.get(decision.holdReason) ?? 0) + 1);
    }
  };
  const page = (decisions: RecordDecision[]): string => {
    held?.push(decisions);
    return `${decisions.map((d) => JSON.stringify(d)).join('\n')}\n`;
  };

  async function* manifest(): AsyncGenerator<string> {
    const currentObjects = new Set<string>();
    // Keys seen only as old versions or delete markers so far; their current version may still come.
    const versionsOnly = new Map<string, string>();
    // Decisions never open a file: no per-object reads for whole-object records.
    for await (const { records, refs } of surveyOf(connector, subject)) {
      const decisions: RecordDecision[] = [];
      for (const record of records) {
        const decision = decideErasure(store, record, subjectValues, now, decideOptions);
        tally(decision);
        if (decision.action.kind === 'update') {
          // The values a mask overwrites identify the subject: the re-query must not find them again.
          for (const [field, written] of Object.entries(decision.action.set)) {
            for (const original of deepStrings(record.data[field]))
              if (original !== written) addHash(original);
          }
        }
        if (record.ref.kind === 's3') currentObjects.add(record.ref.key);
        decisions.push(decision);
      }
      if (store.kind === 's3') {
        for (const ref of refs) {
          if (ref.kind === 's3' && !currentObjects.has(ref.key)) versionsOnly.set(ref.key, ref.bucket);
        }
      }
      if (decisions.length > 0) yield page(decisions);
    }
    const orphans: RecordDecision[] = [];
    for (const [key, bucket] of versionsOnly) {
      if (currentObjects.has(key)) continue;
      const decision = orphanDecision(store, { kind: 's3', bucket, key }, now, decideOptions);
      tally(decision);
      orphans.push(decision);
    }
    if (orphans.length > 0) yield page(orphans);
  }

  const summaryOf = (): ErasureSummary => ({
    version: 1,
    requestId,
    storeId,
    ...(run === undefined ? {} : { run }),
    counts,
    changes,
    identifierHashes: [...hashes].sort(),
    retention: [...retention.values()],
    holds: [...holds].map(([reason, records]) => ({ reason, records })),
    createdAt: now.toISOString(),
  });
  const chunks = manifest();
  const head: string[] = [];
  let bytes = 0;
  let next = await chunks.next();
  while (!next.done && bytes <= MANIFEST_IN_MEMORY_BYTES) {
    head.push(next.value);
    bytes += next.value.length;
    next = await chunks.next();
  }
  const options = { contentType: 'application/x-ndjson' };
  let summary: ErasureSummary;
  if (next.done) {
    // One object, complete before any erasure write: a crash leaves either all of it or nothing.
    summary = summaryOf();
    await exports.put(manifestKey, summarisedManifest(summary, head.join('')), options);
  } else {
    held = undefined;
    const rest = next.value;
    async function* all(): AsyncGenerator<string> {
      yield* head;
      yield rest;
      yield* chunks;
    }
    await exports.upload(manifestKey, Readable.from(all()), options);
    // Written after the manifest: its presence says the manifest is complete.
    summary = summaryOf();
    await writeSummary(exports, summary);
  }
  return { summary, identifiers, ...(held ? { decisions: held } : {}) };
}
