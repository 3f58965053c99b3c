/**
 * The retention sweep: records a delete kept for a legal retention period are
 * erased once that period has ended. For each due ledger entry it runs the same
 * inventory → erase → re-query proof as the delete did, store by store, with
 * `retain` turned into `delete` (holds still apply), writes an addendum to the
 * request's certificate and closes the retention. Idempotent: each run day has
 * its own manifests (`erasure/<requestId>/retention-<day>/`), reused on rerun.
 */
import { type DataMap, isDataStore } from '../data-map';
import { retentionAddendumKey, retentionRun, safeDay } from '../export/keys';
import type { LedgerRecord } from '../ledger-record';
import type { ConnectorFor, Log, ObjectStore, RequestLedger, RetentionLedger } from '../ports';
import { type ErasureCounts, ErasureIncompleteError } from './decisions';
import { eraseStore } from './erase';
import { readSummary } from './manifest';
import { verifyStoreErasure } from './verify';

/** What the sweep needs from the ledger. */
export type SweepLedger = Pick<RequestLedger, 'get'> &
  Pick<RetentionLedger, 'dueRetentions' | 'beginRetentionSweep' | 'deferRetention' | 'closeRetention'>;

export interface RetentionSweepDeps {
  readonly ledger: SweepLedger;
  /** The exports bucket: the sweep's working manifests. */
  readonly exports: ObjectStore;
  /** The audit bucket: addenda to certificates. */
  readonly audit: ObjectStore;
  readonly dataMap: DataMap;
  readonly connectorFor: ConnectorFor;
  readonly hashingKey: Buffer;
}

export interface RetentionSweepOptions {
  /** The run's day, `YYYY-MM-DD` (UTC): entries whose retention ended on or before it are due. */
  readonly today: string;
  /** Entries per run (bounded, so a run fits its time limit); default 25. */
  readonly limit?: number;
  /** Days until an entry with held records left is looked at again; default 1 (the next daily run). */
  readonly recheckDays?: number;
  readonly now?: Date;
  /** Waits of the re-query for lagging reads (see `DEFAULT_SETTLE_DELAYS_MS`). */
  readonly settleDelaysMs?: readonly number[];
  /** Asked before each entry; false stops the run (e.g. the Lambda is running out of time). */
  readonly keepGoing?: () => boolean;
}

export interface StoreSweep {
  readonly storeId: string;
  readonly counts: ErasureCounts;
  /** Current records left (held ones) after the re-query. */
  readonly remaining: number;
}

/**
 * `closed`: every retained record is gone and the retention is closed;
 * `held`: held records remain, the entry stays open until `nextCheck`;
 * `failed`: the entry stays due (retried by the next run, with the same manifests) and goes to support;
 * `skipped`: a fresh read shows it is no longer due (e.g. a concurrent run closed it).
 */
export type RequestSweepOutcome = 'closed' | 'held' | 'failed' | 'skipped';

export interface RequestSweep {
  readonly requestId: string;
  readonly outcome: RequestSweepOutcome;
  readonly stores: readonly StoreSweep[];
  readonly addendumKey?: string;
  readonly nextCheck?: string;
  /** `failed`: the error's name and, for `ErasureIncomplete`, its message (store and counts only). */
  readonly error?: string;
}

export interface RetentionSweepReport {
  readonly today: string;
  readonly requests: readonly RequestSweep[];
}

/** The addendum to a certificate of erasure: what the sweep erased; counts and dates, no personal data. */
export interface RetentionAddendum {
  readonly version: 1;
  readonly type: 'retention-erasure-addendum';
  readonly organisation: string;
  readonly requestId: string;
  /** keyedHash('subject', …) as in the certificate: the only reference to the person. */
  readonly subjectHash: string;
  readonly certificateKey?: string;
  readonly sweptOn: string;
  readonly retentionUntil?: string;
  readonly totals: ErasureCounts;
  readonly stores: readonly {
    readonly storeId: string;
    readonly description: string;
    readonly legalBases: readonly string[];
    readonly retainedUntil: string;
    readonly inventoriedAt: string;
    readonly found: number;
    readonly deleted: number;
    readonly held: { readonly records: number; readonly reasons: readonly string[] };
    readonly verification: { readonly method: 're-query'; readonly passed: true; readonly remaining: number };
  }[];
  /** `closed`: nothing retained remains; `held`: held records remain and are looked at again on `nextCheck`. */
  readonly outcome: 'closed' | 'held';
  readonly nextCheck?: string;
}

/** Thrown when a due entry names a store the data map no longer has, or keeps no identity to find records by. */
export class RetentionSweepError extends Error {
  override readonly name = 'RetentionSweepError';
}

const DAY_MS = 24 * 3600 * 1000;

/** `YYYY-MM-DD` plus `days`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${safeDay(day)}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

type Due = LedgerRecord & { retentionDue?: string; retentionUntil?: string; retentionRun?: string };

/**
 * Runs the sweep for `options.today`: reads at most `limit` due entries and
 * handles them one at a time. A failing entry is reported, never stops the others.
 */
export async function sweepRetention(
  deps: RetentionSweepDeps,
  options: RetentionSweepOptions,
): Promise<RetentionSweepReport> {
  const today = safeDay(options.today);
  const due = await deps.ledger.dueRetentions(today, options.limit);
  const requests: RequestSweep[] = [];
  for (const entry of due) {
    if (options.keepGoing && !options.keepGoing()) break;
    requests.push(await sweepRequest(deps, entry.requestId, { ...options, today }));
  }
  return { today, requests };
}

/**
 * Sweeps one ledger entry: every store with a retention entry is erased with
 * retention ended and verified by re-query, then the addendum is written and
 * the retention closed (or, with held records left, deferred to the next check).
 */
export async function sweepRequest(
  deps: RetentionSweepDeps,
  requestId: string,
  options: RetentionSweepOptions,
): Promise<RequestSweep> {
  const today = safeDay(options.today);
  const nextCheck = addDays(today, options.recheckDays ?? 1);
  const now = options.now ?? new Date();
  // The index is eventually consistent: decide on a strongly consistent read.
  const record = (await deps.ledger.get(requestId)) as Due | undefined;
  const retention = record?.retention;
  if (
    !record ||
    !retention ||
    record.status !== 'completed' ||
    record.retentionDue !== 'pending' ||
    (record.retentionUntil ?? '9999') > today
  ) {
    return { requestId, outcome: 'skipped', stores: [] };
  }
  const stores: StoreSweep[] = [];
  try {
    // A run that crashed or failed earlier keeps its claim: its manifests, counts and addendum are reused.
    const run = await deps.ledger.beginRetentionSweep(requestId, retentionRun(today), now);
    const runDay = safeDay(run.slice('retention-'.length));
    const identities = retention.identities;
    if (Object.values(identities).every((values) => (values ?? []).length === 0)) {
      throw new RetentionSweepError(`request ${requestId} keeps no identity to find its retained records by`);
    }
    const retainedIds = new Set(retention.entries.map((e) => e.storeId));
    // Only data stores retain records; a processor id here is as wrong as an unknown one.
    const dataStores = deps.dataMap.stores.filter(isDataStore);
    const unknown = [...retainedIds].filter((id) => !dataStores.some((s) => s.id === id));
    if (unknown.length > 0) {
      throw new RetentionSweepError(`request ${requestId} retains records in stores not in the data map`);
    }
    const addendumStores: RetentionAddendum['stores'][number][] = [];
    for (const store of dataStores.filter((s) => retainedIds.has(s.id))) {
      const connector = deps.connectorFor(store);
      const args = {
        requestId,
        store,
        connector,
        subject: { identities },
        hashingKey: deps.hashingKey,
        now,
        retention: { run },
      };
      const { counts } = await eraseStore(deps.exports, args);
      const verified = await verifyStoreErasure(deps.exports, {
        ...args,
        storeId: store.id,
        run,
        ...(options.settleDelaysMs ? { settleDelaysMs: options.settleDelaysMs } : {}),
      });
      const summary = await readSummary(deps.exports, requestId, store.id, run);
      if (!summary) throw new ErasureIncompleteError(`store ${store.id}: no erasure inventory`);
      stores.push({ storeId: store.id, counts, remaining: verified.remaining });
      const entries = retention.entries.filter((e) => e.storeId === store.id);
      addendumStores.push({
        storeId: store.id,
        description: store.description,
        legalBases: [...new Set(entries.map((e) => e.legalBasis))],
        retainedUntil:
          entries
            .map((e) => e.retainedUntil)
            .sort()
            .at(-1) ?? today,
        inventoriedAt: summary.createdAt,
        found: counts.found,
        deleted: counts.deleted,
        held: { records: counts.held, reasons: summary.holds.map((h) => h.reason) },
        verification: { method: 're-query', passed: true, remaining: verified.remaining },
      });
    }
    const totals = { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 };
    for (const { counts } of stores)
      for (const k of Object.keys(totals) as (keyof ErasureCounts)[]) totals[k] += counts[k];
    // With retention ended nothing is retained any more; anything else would close a retention too early.
    if (totals.retained > 0) {
      throw new RetentionSweepError(
        `request ${requestId}: ${totals.retained} record(s) still retained after the sweep`,
      );
    }
    const held = totals.held > 0;
    const addendum: RetentionAddendum = {
      version: 1,
      type: 'retention-erasure-addendum',
      organisation: deps.dataMap.organisation,
      requestId,
      subjectHash: record.subjectHash,
      ...(record.certificate ? { certificateKey: record.certificate.jsonKey } : {}),
      sweptOn: runDay,
      ...(retention.until ? { retentionUntil: retention.until } : {}),
      totals,
      stores: addendumStores,
      outcome: held ? 'held' : 'closed',
      ...(held ? { nextCheck } : {}),
    };
    const addendumKey = retentionAddendumKey(requestId, runDay);
    await deps.audit.put(addendumKey, `${JSON.stringify(addendum, null, 2)}\n`, {
      contentType: 'application/json; charset=utf-8',
      checksum: true,
    });
    if (held) {
      // Held records wait for their hold to lift; the entry stays open and is looked at again.
      await deps.ledger.deferRetention(requestId, nextCheck, now);
      return { requestId, outcome: 'held', stores, addendumKey, nextCheck };
    }
    await deps.ledger.closeRetention(requestId, { addendumKey, deleted: totals.deleted }, now);
    return { requestId, outcome: 'closed', stores, addendumKey };
  } catch (error) {
    // The entry stays due and keeps its run's claim: the job's retries and the next runs try it
    // again with the same manifests, and a failure that persists reaches support through the job's alarm.
    const name = error instanceof Error ? error.name : 'Error';
    const known = error instanceof ErasureIncompleteError || error instanceof RetentionSweepError;
    // Only our own messages are safe to report (store ids and counts); SDK messages may echo data.
    return {
      requestId,
      outcome: 'failed',
      stores,
      error: known ? `${name}: ${(error as Error).message}` : name,
    };
  }
}

/** Time left for the entry in hand when the sweep stops taking new ones (the rest wait for the next run). */
export const RESERVE_MS = 5 * 60 * 1000;

/** Entries per run: with the reserve above, a run ends well inside the Lambda timeout. */
export const ENTRIES_PER_RUN = 25;

/** Thrown after the run when an entry could not be swept: the function errors, so its alarm reaches support. */
export class RetentionSweepIncompleteError extends Error {
  override readonly name = 'RetentionSweepIncomplete';
}

export interface ScheduledSweepInput {
  /** The scheduled event's time (ISO 8601), if it has one. */
  readonly eventTime?: string | undefined;
  readonly now: Date;
  /** Milliseconds the invocation has left, if known. */
  readonly remainingMs?: (() => number) | undefined;
}

/**
 * RetentionSweep (daily schedule): erases the records completed deletes kept
 * for a legal retention period once it has ended, proves it by re-query,
 * writes an addendum to each certificate and closes the retention. The run's
 * day comes from the event, never later than the real date, so no invocation
 * can erase records before their retention ends. Logs each entry (ids and
 * counts only).
 *
 * @throws RetentionSweepIncompleteError after the run when an entry failed.
 */
export async function runScheduledSweep(
  deps: RetentionSweepDeps & { readonly log: Log },
  input: ScheduledSweepInput,
): Promise<{ today: string; closed: number; held: number; failed: number; skipped: number }> {
  const { now } = input;
  const { log } = deps;
  const realToday = now.toISOString().slice(0, 10);
  const eventDay = input.eventTime?.slice(0, 10);
  const today = eventDay && eventDay < realToday ? eventDay : realToday;
  const report = await sweepRetention(deps, {
    today,
    now,
    limit: ENTRIES_PER_RUN,
    keepGoing: () => (input.remainingMs?.() ?? Number.POSITIVE_INFINITY) > RESERVE_MS,
  });
  const tally = { closed: 0, held: 0, failed: 0, skipped: 0 };
  for (const request of report.requests) {
    tally[request.outcome] += 1;
    const stores = Object.fromEntries(
      request.stores.map((s) => [s.storeId, { ...s.counts, remaining: s.remaining }]),
    );
    // Request ids, store ids and counts only; `error` holds our own messages or an error name.
    if (request.outcome === 'failed') {
      log.error('retention sweep failed', { requestId: request.requestId, error: request.error, stores });
    } else {
      log.info('retention swept', {
        requestId: request.requestId,
        outcome: request.outcome,
        nextCheck: request.nextCheck,
        stores,
      });
    }
  }
  log.info('retention sweep run', { today, ...tally });
  if (tally.failed > 0) {
    throw new RetentionSweepIncompleteError(`${tally.failed} retention sweep(s) failed on ${today}`);
  }
  return { today, ...tally };
}
