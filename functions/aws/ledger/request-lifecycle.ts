/**
 * A request's lifecycle in the ledger: creation, status moves (checked
 * against the lifecycle table and the stored status, so two writers can never
 * both move the same request), plan and per-store progress, erasure schedule,
 * export, and the subject's open request.
 */
import type { IdentityKind } from '../../core/data-map';
import {
  type Advanced,
  DuplicateRequestError,
  type ErasureSchedule,
  type ExportInfo,
  type LedgerRecord,
  MINIMISED_STATUSES,
  type NewLedgerRecord,
  RequestNotFoundError,
  StatusConflictError,
  type StoreProgress,
  type TransitionOptions,
} from '../../core/ledger-record';
import {
  advance,
  InvalidTransitionError,
  type LifecycleEvent,
  type RequestStatus,
  statusAfter,
  TERMINAL_STATUSES,
} from '../../core/lifecycle';
import type { OutcomeMail, OutcomeMailLedger, RequestLedger } from '../../core/ports';
import type { LedgerItems } from './conditional-write';
import { BY_SUBJECT_INDEX } from './indexes';
import { minimisation } from './retention';

type OpenRequest = Pick<LedgerRecord, 'requestId' | 'type' | 'status' | 'receivedAt'>;

/** Where each once-only email's claim is kept (a delete sends its cancel link, then its certificate). */
const OUTCOME_MAIL_ATTRIBUTE: Record<OutcomeMail, string> = {
  outcome: 'outcomeMailAt',
  certificate: 'certificateMailAt',
};

export class RequestLifecycleLedger implements RequestLedger, OutcomeMailLedger {
  constructor(private readonly items: LedgerItems) {}

  async claimOutcomeMail(requestId: string, at: string, mail: OutcomeMail = 'outcome'): Promise<boolean> {
    const result = await this.items.write(requestId, {
      update: `SET ${OUTCOME_MAIL_ATTRIBUTE[mail]} = :at`,
      condition: `attribute_exists(requestId) AND attribute_not_exists(${OUTCOME_MAIL_ATTRIBUTE[mail]})`,
      values: { ':at': at },
      ifConditionFails: () => undefined,
    });
    return result.applied;
  }

  async releaseOutcomeMail(requestId: string, at: string, mail: OutcomeMail = 'outcome'): Promise<void> {
    await this.items.write(requestId, {
      update: `REMOVE ${OUTCOME_MAIL_ATTRIBUTE[mail]}`,
      condition: `${OUTCOME_MAIL_ATTRIBUTE[mail]} = :at`,
      values: { ':at': at },
      ifConditionFails: () => undefined,
    });
  }

  /** Writes a new request as `pending_verification`; fails if the id exists. */
  async create(record: NewLedgerRecord, now = new Date()): Promise<LedgerRecord> {
    const at = now.toISOString();
    const item: LedgerRecord = {
      ...record,
      status: 'pending_verification',
      updatedAt: at,
      history: [{ status: 'pending_verification', at }],
    };
    await this.items.putNew(
      item,
      () => new DuplicateRequestError(`request ${record.requestId} already exists`),
    );
    return item;
  }

  /** The ledger entry, or undefined. Strongly consistent so a fresh write is always seen. */
  get(requestId: string): Promise<LedgerRecord | undefined> {
    return this.items.get(requestId);
  }

  /** The ledger entry, or `RequestNotFound`. */
  require(requestId: string): Promise<LedgerRecord> {
    return this.items.require(requestId);
  }

  /**
   * Moves the request on by `event` (lifecycle table), conditional on the
   * status read just before; appends to history. Throws `InvalidTransitionError`
   * if the lifecycle forbids it, `StatusConflict` if another writer moved it first.
   */
  transition(
    requestId: string,
    event: LifecycleEvent,
    options: TransitionOptions = {},
  ): Promise<RequestStatus> {
    return this.transitionWith(requestId, event, options);
  }

  async advance(
    requestId: string,
    event: LifecycleEvent,
    options: TransitionOptions = {},
  ): Promise<Advanced> {
    const target = statusAfter(event);
    const current = await this.require(requestId);
    if (current.status === target) return { status: target, already: true };
    try {
      return { status: await this.transitionWith(requestId, event, options), already: false };
    } catch (error) {
      if (error instanceof StatusConflictError && error.current === target)
        return { status: target, already: true };
      // Another writer made the same move between the read above and the one inside the write.
      if (error instanceof InvalidTransitionError && error.from === target)
        return { status: target, already: true };
      throw error;
    }
  }

  /** `transition`, also SETting `extra` attributes (`name → value`) in the same conditional update. */
  private async transitionWith(
    requestId: string,
    event: LifecycleEvent,
    options: TransitionOptions,
    extra: Record<string, unknown> = {},
  ): Promise<RequestStatus> {
    const current = await this.require(requestId);
    const next = advance(current.status, event);
    const at = (options.now ?? new Date()).toISOString();
    const entry = { status: next, at, ...(options.note ? { note: options.note } : {}) };
    const sets = [
      '#status = :next',
      'updatedAt = :at',
      'history = list_append(if_not_exists(history, :empty), :entry)',
    ];
    const values: Record<string, unknown> = { ':next': next, ':at': at, ':entry': [entry], ':empty': [] };
    if (options.failure) {
      sets.push('failure = :failure');
      values[':failure'] = options.failure;
    }
    for (const [name, value] of Object.entries(extra)) {
      sets.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
    // A finished request drops what identifies the person in the same write that finishes it.
    const removal =
      options.minimise && MINIMISED_STATUSES.includes(next) ? minimisation(current, next) : undefined;
    await this.items.writeInStatus(
      requestId,
      `SET ${sets.join(', ')}${removal ? ` REMOVE ${removal.remove.join(', ')}` : ''}`,
      { ...values, ':expected': current.status },
      removal?.names ?? {},
    );
    return next;
  }

  /** Saves the resolved identities and the plan (every store `pending`) while in progress. */
  async setPlan(
    requestId: string,
    identities: Partial<Record<IdentityKind, readonly string[]>>,
    storeIds: readonly string[],
    now = new Date(),
  ): Promise<void> {
    const stores = Object.fromEntries(
      storeIds.map((id) => [id, { status: 'pending' } satisfies StoreProgress]),
    );
    await this.items.writeInStatus(requestId, 'SET identities = :ids, stores = :stores, updatedAt = :at', {
      ':ids': identities,
      ':stores': stores,
      ':at': now.toISOString(),
      ':expected': 'in_progress',
    });
  }

  /** Records one store's progress (the plan must exist). */
  async setStoreProgress(
    requestId: string,
    storeId: string,
    progress: StoreProgress,
    now = new Date(),
  ): Promise<void> {
    await this.items.write(requestId, {
      update: 'SET stores.#store = :p, updatedAt = :at',
      condition: 'attribute_exists(stores)',
      names: { '#store': storeId },
      values: { ':p': progress, ':at': now.toISOString() },
      ifConditionFails: () => {
        throw new RequestNotFoundError(requestId);
      },
    });
  }

  /**
   * Starts a verified delete's grace period: `verified → scheduled` with the
   * schedule, in one conditional update. On a retry that finds the request
   * already scheduled, only the cancel token's hash is replaced (a fresh link
   * is emailed) and the original `graceEndsAt` stays, so retries never extend
   * the wait. Returns the schedule in effect.
   */
  async schedule(requestId: string, schedule: ErasureSchedule, now = new Date()): Promise<ErasureSchedule> {
    const current = await this.require(requestId);
    if (current.status === 'scheduled' && current.erasureSchedule) {
      await this.items.writeInStatus(
        requestId,
        'SET erasureSchedule.cancelTokenHash = :hash, updatedAt = :at',
        {
          ':hash': schedule.cancelTokenHash,
          ':at': now.toISOString(),
          ':expected': 'scheduled',
        },
      );
      return { ...current.erasureSchedule, cancelTokenHash: schedule.cancelTokenHash };
    }
    await this.transitionWith(requestId, 'schedule', { now }, { erasureSchedule: schedule });
    return schedule;
  }

  /** The subject cancels during the grace period: `scheduled → cancelled`, or `StatusConflict` once erasure started. */
  async cancel(requestId: string, now = new Date()): Promise<void> {
    await this.transitionWith(requestId, 'cancel', { now, note: 'cancelled by the subject' });
  }

  /** Stores the download token's hash and expiry for the packaged export. */
  async setExportInfo(requestId: string, info: ExportInfo, now = new Date()): Promise<void> {
    await this.items.writeInStatus(requestId, 'SET exportInfo = :e, updatedAt = :at', {
      ':e': info,
      ':at': now.toISOString(),
      ':expected': 'in_progress',
    });
  }

  /** Counts one download. */
  async countDownload(requestId: string): Promise<void> {
    await this.items.write(requestId, {
      update: 'SET exportInfo.downloads = exportInfo.downloads + :one',
      condition: 'attribute_exists(exportInfo)',
      values: { ':one': 1 },
    });
  }

  /**
   * The newest request of `type` for this subject that is not finished (any
   * status but a terminal one), or undefined: repeated submissions get the open
   * request back instead of starting another. Reads the `bySubject` index, which
   * is eventually consistent, so two submissions in the same instant may both start.
   */
  async openRequestFor(subjectHash: string, type: LedgerRecord['type']): Promise<OpenRequest | undefined> {
    const finished = Object.fromEntries([...TERMINAL_STATUSES].map((s, i) => [`:finished${i}`, s]));
    const items = this.items.query<OpenRequest>({
      IndexName: BY_SUBJECT_INDEX,
      KeyConditionExpression: 'subjectHash = :h',
      FilterExpression: `#type = :type AND NOT (#status IN (${Object.keys(finished).join(', ')}))`,
      ProjectionExpression: 'requestId, #type, #status, receivedAt',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: { ':h': subjectHash, ':type': type, ...finished },
      ScanIndexForward: false,
    });
    for await (const open of items) return open;
    return undefined;
  }

  /** The subject's requests, newest first, at most `limit`, from the `bySubject` index. */
  async requestsOf(subjectHash: string, limit: number): Promise<OpenRequest[]> {
    const items = this.items.query<OpenRequest>({
      IndexName: BY_SUBJECT_INDEX,
      KeyConditionExpression: 'subjectHash = :h',
      ProjectionExpression: 'requestId, #type, #status, receivedAt',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: { ':h': subjectHash },
      ScanIndexForward: false,
    });
    const found: OpenRequest[] = [];
    for await (const item of items) {
      found.push(item);
      if (found.length >= limit) break;
    }
    return found;
  }
}
