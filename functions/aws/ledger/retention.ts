/**
 * What outlives a finished request in the ledger: the certificate, retained
 * records and their sweep (through the sparse `byRetentionDue` index), and
 * minimisation, which drops everything that identifies the person.
 */
import type { IdentityKind } from '../../core/data-map';
import {
  type CertificateInfo,
  DEFAULT_DUE_RETENTIONS_LIMIT,
  type DueRetention,
  type LedgerRecord,
  MINIMISED_STATUSES,
  RETENTION_PENDING,
  RequestNotFoundError,
  type RetentionClosure,
  StatusConflictError,
} from '../../core/ledger-record';
import type { RequestStatus } from '../../core/lifecycle';
import type { RetentionLedger } from '../../core/ports';
import type { LedgerItems } from './conditional-write';
import { BY_RETENTION_DUE_INDEX, BY_SUBJECT_INDEX } from './indexes';

type Retention = NonNullable<LedgerRecord['retention']>;
type Identities = Partial<Record<IdentityKind, readonly string[]>>;

export class RetentionLedgerTable implements RetentionLedger {
  constructor(private readonly items: LedgerItems) {}

  /**
   * Records where the certificate of erasure is and, when something is kept,
   * what is retained (while in progress). A retention with an end date also
   * puts the entry in the `byRetentionDue` index (`retentionDue = pending`,
   * `retentionUntil` = that date) for the retention sweep; held-only retention has no date.
   */
  async setCertificate(
    requestId: string,
    info: CertificateInfo,
    retention?: Retention,
    now = new Date(),
  ): Promise<void> {
    const sets = ['certificate = :c', 'updatedAt = :at'];
    const values: Record<string, unknown> = {
      ':c': info,
      ':at': now.toISOString(),
      ':expected': 'in_progress',
    };
    if (retention) {
      sets.push('retention = :r');
      values[':r'] = retention;
    }
    let expression = `SET ${sets.join(', ')}`;
    if (retention?.until) {
      expression += ', retentionDue = :due, retentionUntil = :until';
      values[':due'] = RETENTION_PENDING;
      values[':until'] = retention.until;
    } else {
      // A retry that no longer retains anything must not leave the entry due.
      expression += ' REMOVE retentionDue, retentionUntil';
    }
    await this.items.writeInStatus(requestId, expression, values);
  }

  /**
   * Completed deletes whose retention sweep is due on `today` (`YYYY-MM-DD`),
   * oldest first, at most `limit`. Reads the sparse `byRetentionDue` index
   * (eventually consistent): re-read an entry with `require` before acting on it.
   */
  async dueRetentions(today: string, limit = DEFAULT_DUE_RETENTIONS_LIMIT): Promise<DueRetention[]> {
    const due: DueRetention[] = [];
    const items = this.items.query<DueRetention>({
      IndexName: BY_RETENTION_DUE_INDEX,
      KeyConditionExpression: 'retentionDue = :pending AND retentionUntil <= :today',
      FilterExpression: '#type = :delete AND #status = :completed AND attribute_exists(retention)',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': RETENTION_PENDING,
        ':today': today,
        ':delete': 'delete',
        ':completed': 'completed',
      },
      Limit: limit,
    });
    for await (const item of items) {
      due.push(item);
      if (due.length >= limit) break;
    }
    return due;
  }

  /**
   * Claims a due entry for the sweep run `run` (`retention-<YYYY-MM-DD>`) and
   * returns the run in effect: an earlier run that did not finish keeps its
   * claim, so its manifests are reused. `StatusConflict` once the retention is closed.
   */
  async beginRetentionSweep(requestId: string, run: string, now = new Date()): Promise<string> {
    const out = await this.items.write<{ retentionRun?: string }>(requestId, {
      update: 'SET retentionRun = if_not_exists(retentionRun, :run), updatedAt = :at',
      condition: '#status = :completed AND retentionDue = :pending',
      names: { '#status': 'status' },
      values: {
        ':run': run,
        ':at': now.toISOString(),
        ':completed': 'completed',
        ':pending': RETENTION_PENDING,
      },
      returnValues: 'UPDATED_NEW',
      ifConditionFails: () => this.items.throwConflict(requestId),
    });
    return (out.applied ? out.attributes?.retentionRun : undefined) ?? run;
  }

  /**
   * Keeps a due entry open with held records left and moves its next sweep to
   * `nextCheck` (`YYYY-MM-DD`), so it does not block the entries behind it.
   * Ends the run's claim: the next check takes a fresh inventory, as holds may
   * have lifted. No-op once the retention is closed.
   */
  async deferRetention(requestId: string, nextCheck: string, now = new Date()): Promise<void> {
    await this.items.write(requestId, {
      update: 'SET retentionUntil = :next, updatedAt = :at REMOVE retentionRun',
      condition: 'retentionDue = :pending',
      values: { ':next': nextCheck, ':at': now.toISOString(), ':pending': RETENTION_PENDING },
      ifConditionFails: async () => {
        if (!(await this.items.get(requestId))) throw new RequestNotFoundError(requestId);
      },
    });
  }

  /**
   * The retention sweep erased every retained record: takes the entry out of
   * the due index and drops the pseudonymous identities (nothing is left to
   * find), keeps the evidence (retention entries, certificate, history) and
   * notes the sweep in the history. Returns false when an earlier run already
   * closed it (a rerun changes nothing).
   */
  async closeRetention(requestId: string, result: RetentionClosure, now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    const entry = {
      status: 'completed',
      at,
      note: `retention ended: ${result.deleted} retained record(s) erased; addendum ${result.addendumKey}`,
    };
    const out = await this.items.write(requestId, {
      update:
        'REMOVE retentionDue, retentionUntil, retentionRun, retention.identities ' +
        'SET updatedAt = :at, history = list_append(if_not_exists(history, :empty), :entry)',
      condition: '#status = :completed AND retentionDue = :pending',
      names: { '#status': 'status' },
      values: {
        ':at': at,
        ':entry': [entry],
        ':empty': [],
        ':completed': 'completed',
        ':pending': RETENTION_PENDING,
      },
      ifConditionFails: async () => {
        const latest = await this.items.get(requestId);
        if (!latest) throw new RequestNotFoundError(requestId);
        if (latest.status !== 'completed') throw new StatusConflictError(requestId, latest.status);
      },
    });
    return out.applied;
  }

  /**
   * Drops what identifies the person from a finished request (contact, the
   * verification state, resolved identities, the cancel schedule, processors'
   * task tokens); keeps the keyed hash, outcome, timestamps, history, counts,
   * certificate, retention and processor evidence.
   * Only for `MINIMISED_STATUSES`: a failed request keeps contact for support.
   */
  async minimise(requestId: string, now = new Date()): Promise<void> {
    const allowed = Object.fromEntries(MINIMISED_STATUSES.map((s, i) => [`:done${i}`, s]));
    const removal = minimisation(await this.items.get(requestId));
    await this.items.write(requestId, {
      update: `REMOVE ${removal.remove.join(', ')} SET updatedAt = :at`,
      condition: `#status IN (${Object.keys(allowed).join(', ')})`,
      names: { '#status': 'status', ...removal.names },
      values: { ...allowed, ':at': now.toISOString() },
      ifConditionFails: () => this.items.throwConflict(requestId),
    });
  }

  /** A restriction ended: its completed request drops the address it kept while it stood. */
  async endRestriction(requestId: string, now = new Date()): Promise<void> {
    await this.items.write(requestId, {
      update: 'REMOVE contact SET updatedAt = :at',
      condition: '#type = :restrict AND #status = :completed',
      names: { '#type': 'type', '#status': 'status' },
      values: { ':restrict': 'restrict', ':completed': 'completed', ':at': now.toISOString() },
      ifConditionFails: () => undefined,
    });
  }

  /**
   * The pseudonymous identities (e.g. customerId) that earlier completed
   * deletes of the same subject kept with retained records, merged, so later
   * requests still find those records. Reads the `bySubject` index (eventually consistent).
   */
  async retainedIdentities(subjectHash: string): Promise<Identities> {
    const merged = new Map<IdentityKind, Set<string>>();
    const items = this.items.query<Pick<LedgerRecord, 'retention'>>({
      IndexName: BY_SUBJECT_INDEX,
      KeyConditionExpression: 'subjectHash = :h',
      FilterExpression: '#type = :delete AND #status = :completed AND attribute_exists(retention)',
      ProjectionExpression: 'retention',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: { ':h': subjectHash, ':delete': 'delete', ':completed': 'completed' },
    });
    for await (const item of items) {
      const identities = item.retention?.identities ?? {};
      for (const [kind, values] of Object.entries(identities) as [IdentityKind, readonly string[]][]) {
        const set = merged.get(kind) ?? new Set<string>();
        for (const value of values ?? []) set.add(value);
        merged.set(kind, set);
      }
    }
    return Object.fromEntries([...merged].map(([kind, values]) => [kind, [...values].sort()]));
  }
}

/** What a completed restriction drops of its contact: everything but the address. */
const KEPT_WHILE_RESTRICTED = ['contact.fullName', 'contact.phone', 'contact.corrections'];

/**
 * What minimising a finished request removes: contact, the verification state,
 * resolved identities, the cancel schedule and every task token still held
 * (processors' and support's); the keyed hash, outcome, history, counts,
 * certificate, retention and processor evidence stay.
 */
export function minimisation(
  record: LedgerRecord | undefined,
  /** The status the request is in (or moving to) when minimised. */
  status: RequestStatus | undefined = record?.status,
): {
  readonly remove: readonly string[];
  readonly names: Readonly<Record<string, string>>;
} {
  const waiting = Object.values(record?.processors ?? {}).filter((p) => p.taskToken);
  const names = Object.fromEntries(waiting.map((p, i) => [`#processor${i}`, p.processorId]));
  // A standing restriction keeps the address only: lifting it (by the person or support) must reach them.
  const contact = record?.type === 'restrict' && status === 'completed' ? KEPT_WHILE_RESTRICTED : ['contact'];
  return {
    remove: [
      ...contact,
      'verification',
      'identities',
      'erasureSchedule',
      ...Object.keys(names).map((name) => `processors.${name}.taskToken`),
      ...(record?.attention?.taskToken ? ['attention.taskToken'] : []),
    ],
    names,
  };
}
