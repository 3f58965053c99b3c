import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { IdentityKind } from '../core/data-map';
import {
  type Advanced,
  type CertificateInfo,
  DEFAULT_DUE_RETENTIONS_LIMIT,
  type DueRetention,
  DuplicateRequestError,
  type ErasureSchedule,
  type ExportInfo,
  type LedgerRecord,
  MAX_VERIFICATION_ATTEMPTS,
  MINIMISED_STATUSES,
  type NewLedgerRecord,
  type ProcessorAck,
  type ProcessorAckResult,
  type ProcessorAttempt,
  type ProcessorEscalation,
  type ProcessorEvidence,
  ProcessorNotNotifiedError,
  RETENTION_PENDING,
  RequestNotFoundError,
  type RetentionClosure,
  StatusConflictError,
  type StoreProgress,
  type TransitionOptions,
  type VerificationState,
} from '../core/ledger-record';
import {
  advance,
  InvalidTransitionError,
  type LifecycleEvent,
  type RequestStatus,
  statusAfter,
  TERMINAL_STATUSES,
} from '../core/lifecycle';
import type { Ledger } from '../core/ports';

/** The ledger's index by keyed subject hash (see `infra/definitions/tables.ts`). */
export const BY_SUBJECT_INDEX = 'bySubject';

/** The ledger's sparse index of finished deletes that still retain records, by retention end. */
export const BY_RETENTION_DUE_INDEX = 'byRetentionDue';

// Optimistic writes retry this often when a concurrent writer changed the processor's evidence in between.
const PROCESSOR_WRITE_ATTEMPTS = 5;

type Retention = NonNullable<LedgerRecord['retention']>;
type Identities = Partial<Record<IdentityKind, readonly string[]>>;

import { withTransient } from './errors';

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/**
 * The request ledger over one DynamoDB table (one item per request). Every
 * status change goes through the lifecycle table and a condition on the
 * stored status, so two writers can never both move the same request.
 */
export class LedgerTable implements Ledger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a new request as `pending_verification`; fails if the id exists. */
  async create(record: NewLedgerRecord, now = new Date()): Promise<LedgerRecord> {
    const at = now.toISOString();
    const item: LedgerRecord = {
      ...record,
      status: 'pending_verification',
      updatedAt: at,
      history: [{ status: 'pending_verification', at }],
    };
    try {
      await withTransient(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(requestId)',
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new DuplicateRequestError(`request ${record.requestId} already exists`);
      throw error;
    }
    return item;
  }

  /** The ledger entry, or undefined. Strongly consistent so a fresh write is always seen. */
  async get(requestId: string): Promise<LedgerRecord | undefined> {
    const out = await withTransient(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { requestId }, ConsistentRead: true })),
    );
    return out.Item as LedgerRecord | undefined;
  }

  /** The ledger entry, or `RequestNotFound`. */
  async require(requestId: string): Promise<LedgerRecord> {
    const record = await this.get(requestId);
    if (!record) throw new RequestNotFoundError(requestId);
    return record;
  }

  /**
   * Moves the request on by `event` (lifecycle table), conditional on the
   * status read just before; appends to history. Throws `InvalidTransitionError`
   * if the lifecycle forbids it, `StatusConflict` if another writer moved it first.
   */
  async transition(
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
    const values: Record<string, unknown> = {
      ':next': next,
      ':at': at,
      ':entry': [entry],
      ':empty': [],
    };
    if (options.failure) {
      sets.push('failure = :failure');
      values[':failure'] = options.failure;
    }
    for (const [name, value] of Object.entries(extra)) {
      sets.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
    await this.conditionalUpdate(requestId, `SET ${sets.join(', ')}`, {
      ...values,
      ':expected': current.status,
    });
    return next;
  }

  /** Stores (or replaces, on retry) the verification hashes and task token while the request awaits verification. */
  async setVerification(requestId: string, verification: VerificationState): Promise<void> {
    await this.conditionalUpdate(requestId, 'SET verification = :v, updatedAt = :at', {
      ':v': verification,
      ':at': verification.sentAt,
      ':expected': 'pending_verification',
    });
  }

  /**
   * Counts one wrong code atomically and returns the new attempt count.
   * Fails with `StatusConflict` once the request left `pending_verification`
   * or the attempts are used up, so concurrent guesses cannot exceed the limit.
   */
  async recordWrongAttempt(requestId: string): Promise<number> {
    try {
      const out = await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET verification.attempts = verification.attempts + :one',
            ConditionExpression: '#status = :expected AND verification.attempts < :max',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':expected': 'pending_verification',
              ':max': MAX_VERIFICATION_ATTEMPTS,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return (
        (out.Attributes as LedgerRecord | undefined)?.verification?.attempts ?? MAX_VERIFICATION_ATTEMPTS
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        const latest = await this.get(requestId);
        throw new StatusConflictError(requestId, latest?.status);
      }
      throw error;
    }
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
    await this.conditionalUpdate(requestId, 'SET identities = :ids, stores = :stores, updatedAt = :at', {
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
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET stores.#store = :p, updatedAt = :at',
            ConditionExpression: 'attribute_exists(stores)',
            ExpressionAttributeNames: { '#store': storeId },
            ExpressionAttributeValues: { ':p': progress, ':at': now.toISOString() },
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new RequestNotFoundError(requestId);
      throw error;
    }
  }

  /**
   * Starts (or, on a retry, resumes) the evidence of notifying one processor.
   * Stores the task token BEFORE anything is sent, so a processor calling back at
   * once finds it. A retry keeps the original deadline, notice time, attempts
   * and any acknowledgement, and only replaces the task token. Returns the
   * evidence in effect.
   */
  async beginProcessorNotice(
    requestId: string,
    evidence: ProcessorEvidence,
    now = new Date(),
  ): Promise<ProcessorEvidence> {
    await this.ensureProcessorsMap(requestId, now);
    const processorId = evidence.processorId;
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET processors.#p = :e, updatedAt = :at',
            ConditionExpression: 'attribute_not_exists(processors.#p)',
            ExpressionAttributeNames: { '#p': processorId },
            ExpressionAttributeValues: { ':e': evidence, ':at': now.toISOString() },
          }),
        ),
      );
      return evidence;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const sets = ['updatedAt = :at'];
    const values: Record<string, unknown> = { ':at': now.toISOString() };
    if (evidence.taskToken) {
      sets.push('processors.#p.taskToken = :t');
      values[':t'] = evidence.taskToken;
    }
    const out = await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { requestId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(processors.#p)',
          ExpressionAttributeNames: { '#p': processorId },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    const current = (out.Attributes as LedgerRecord | undefined)?.processors?.[processorId];
    if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
    return current;
  }

  /** Appends one delivery attempt to a processor's evidence. */
  async recordProcessorAttempt(
    requestId: string,
    processorId: string,
    attempt: ProcessorAttempt,
    now = new Date(),
  ): Promise<void> {
    try {
      await this.updateProcessor(
        requestId,
        processorId,
        'SET processors.#p.attempts = list_append(if_not_exists(processors.#p.attempts, :empty), :a), updatedAt = :at',
        'attribute_exists(processors.#p)',
        { ':a': [attempt], ':empty': [], ':at': now.toISOString() },
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ProcessorNotNotifiedError(requestId, processorId);
      throw error;
    }
  }

  /**
   * The processor accepted the request and will call back: `notifying → awaiting_ack`.
   * A callback that already landed (acknowledged) or an escalation is left as it is.
   */
  async markProcessorAwaiting(requestId: string, processorId: string, now = new Date()): Promise<void> {
    try {
      await this.updateProcessor(
        requestId,
        processorId,
        'SET processors.#p.#ps = :awaiting, updatedAt = :at',
        'processors.#p.#ps = :notifying',
        { ':awaiting': 'awaiting_ack', ':notifying': 'notifying', ':at': now.toISOString() },
        { '#ps': 'status' },
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (await this.get(requestId))?.processors?.[processorId];
      if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
    }
  }

  /**
   * Records a processor's acknowledgement; the first one wins (a conditional
   * write), later ones are duplicates. One that arrives after the processor was
   * escalated is recorded with `late: true`, the escalation stays. Returns the
   * waiting task's token so the caller can resume the workflow.
   *
   * @throws ProcessorNotNotifiedError when the processor was never notified of the request.
   */
  async recordProcessorAck(
    requestId: string,
    processorId: string,
    ack: ProcessorAck,
    now = new Date(),
  ): Promise<ProcessorAckResult> {
    for (let attempt = 1; ; attempt++) {
      const current = (await this.get(requestId))?.processors?.[processorId];
      if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
      const wasEscalated = current.status === 'escalated' || current.escalation !== undefined;
      const tokenOf = (e: ProcessorEvidence) => (e.taskToken ? { taskToken: e.taskToken } : {});
      if (current.ack) return { recorded: false, wasEscalated, ...tokenOf(current) };
      const stored: ProcessorAck = wasEscalated ? { ...ack, late: true } : ack;
      try {
        // Conditional on the status just read, so `late` is right even if an escalation lands in between.
        await this.updateProcessor(
          requestId,
          processorId,
          'SET processors.#p.ack = :ack, processors.#p.#ps = :acknowledged, updatedAt = :at',
          'attribute_not_exists(processors.#p.ack) AND processors.#p.#ps = :seen',
          {
            ':ack': stored,
            ':acknowledged': 'acknowledged',
            ':seen': current.status,
            ':at': now.toISOString(),
          },
          { '#ps': 'status' },
        );
        return { recorded: true, wasEscalated, ...tokenOf(current) };
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= PROCESSOR_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Records that support was told about a processor. Loses to an
   * acknowledgement that already landed (`escalated: false`), unless that
   * acknowledgement says the processor failed; a repeated escalation keeps the
   * first one's time and reason.
   *
   * @throws ProcessorNotNotifiedError when the processor was never notified of the request.
   */
  async recordProcessorEscalation(
    requestId: string,
    processorId: string,
    escalation: ProcessorEscalation,
    now = new Date(),
  ): Promise<{ escalated: boolean }> {
    try {
      await this.updateProcessor(
        requestId,
        processorId,
        'SET processors.#p.escalation = if_not_exists(processors.#p.escalation, :esc), processors.#p.#ps = :escalated, updatedAt = :at',
        'attribute_exists(processors.#p) AND (attribute_not_exists(processors.#p.ack) OR processors.#p.ack.#ps = :failed)',
        { ':esc': escalation, ':escalated': 'escalated', ':failed': 'failed', ':at': now.toISOString() },
        { '#ps': 'status' },
      );
      return { escalated: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = (await this.get(requestId))?.processors?.[processorId];
      if (!current) throw new ProcessorNotNotifiedError(requestId, processorId);
      return { escalated: false };
    }
  }

  /** Notes that support was emailed about this processor's escalation, so a retried task does not email again. */
  async markSupportNotified(requestId: string, processorId: string, now = new Date()): Promise<void> {
    await this.updateProcessor(
      requestId,
      processorId,
      'SET processors.#p.escalation.supportNotifiedAt = :at, updatedAt = :at',
      'attribute_exists(processors.#p.escalation)',
      { ':at': now.toISOString() },
    );
  }

  /** Creates the empty `processors` map once, so per-processor paths can be written. */
  private async ensureProcessorsMap(requestId: string, now: Date): Promise<void> {
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET processors = if_not_exists(processors, :empty), updatedAt = :at',
            ConditionExpression: 'attribute_exists(requestId)',
            ExpressionAttributeValues: { ':empty': {}, ':at': now.toISOString() },
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new RequestNotFoundError(requestId);
      throw error;
    }
  }

  /** An update of one processor's evidence (`#p`); a failed condition is rethrown for the caller to judge. */
  private async updateProcessor(
    requestId: string,
    processorId: string,
    updateExpression: string,
    condition: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<void> {
    await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { requestId },
          UpdateExpression: updateExpression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#p': processorId, ...names },
          ExpressionAttributeValues: values,
        }),
      ),
    );
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
      await this.conditionalUpdate(
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
    await this.conditionalUpdate(requestId, expression, values);
  }

  /**
   * Completed deletes whose retention sweep is due on `today` (`YYYY-MM-DD`),
   * oldest first, at most `limit`. Reads the sparse `byRetentionDue` index
   * (eventually consistent): re-read an entry with `require` before acting on it.
   */
  async dueRetentions(today: string, limit = DEFAULT_DUE_RETENTIONS_LIMIT): Promise<DueRetention[]> {
    const due: DueRetention[] = [];
    const items = this.queryItems<DueRetention>({
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
    try {
      const out = await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET retentionRun = if_not_exists(retentionRun, :run), updatedAt = :at',
            ConditionExpression: '#status = :completed AND retentionDue = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':run': run,
              ':at': now.toISOString(),
              ':completed': 'completed',
              ':pending': RETENTION_PENDING,
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return (out.Attributes as { retentionRun?: string } | undefined)?.retentionRun ?? run;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.conflictOf(requestId);
    }
  }

  /**
   * Keeps a due entry open with held records left and moves its next sweep to
   * `nextCheck` (`YYYY-MM-DD`), so it does not block the entries behind it.
   * Ends the run's claim: the next check takes a fresh inventory, as holds may
   * have lifted. No-op once the retention is closed.
   */
  async deferRetention(requestId: string, nextCheck: string, now = new Date()): Promise<void> {
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: 'SET retentionUntil = :next, updatedAt = :at REMOVE retentionRun',
            ConditionExpression: 'retentionDue = :pending',
            ExpressionAttributeValues: {
              ':next': nextCheck,
              ':at': now.toISOString(),
              ':pending': RETENTION_PENDING,
            },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (!(await this.get(requestId))) throw new RequestNotFoundError(requestId);
    }
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
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression:
              'REMOVE retentionDue, retentionUntil, retentionRun, retention.identities ' +
              'SET updatedAt = :at, history = list_append(if_not_exists(history, :empty), :entry)',
            ConditionExpression: '#status = :completed AND retentionDue = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':at': at,
              ':entry': [entry],
              ':empty': [],
              ':completed': 'completed',
              ':pending': RETENTION_PENDING,
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const latest = await this.get(requestId);
      if (!latest) throw new RequestNotFoundError(requestId);
      if (latest.status !== 'completed') throw new StatusConflictError(requestId, latest.status);
      return false;
    }
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
    // Processor evidence stays (no personal data), but not the task tokens it held while waiting.
    const waiting = Object.values((await this.get(requestId))?.processors ?? {}).filter((p) => p.taskToken);
    const processorNames = Object.fromEntries(waiting.map((p, i) => [`#processor${i}`, p.processorId]));
    const removeTokens = Object.keys(processorNames).map((name) => `, processors.${name}.taskToken`);
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: `REMOVE contact, verification, identities, erasureSchedule${removeTokens.join('')} SET updatedAt = :at`,
            ConditionExpression: `#status IN (${Object.keys(allowed).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status', ...processorNames },
            ExpressionAttributeValues: { ...allowed, ':at': now.toISOString() },
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw await this.conflictOf(requestId);
      throw error;
    }
  }

  /**
   * The pseudonymous identities (e.g. customerId) that earlier completed
   * deletes of the same subject kept with retained records, merged, so later
   * requests still find those records. Reads the `bySubject` index (eventually consistent).
   */
  async retainedIdentities(subjectHash: string): Promise<Identities> {
    const merged = new Map<IdentityKind, Set<string>>();
    const items = this.queryItems<Pick<LedgerRecord, 'retention'>>({
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

  /** Stores the download token's hash and expiry for the packaged export. */
  async setExportInfo(requestId: string, info: ExportInfo, now = new Date()): Promise<void> {
    await this.conditionalUpdate(requestId, 'SET exportInfo = :e, updatedAt = :at', {
      ':e': info,
      ':at': now.toISOString(),
      ':expected': 'in_progress',
    });
  }

  /** Counts one download. */
  async countDownload(requestId: string): Promise<void> {
    await withTransient(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { requestId },
          UpdateExpression: 'SET exportInfo.downloads = exportInfo.downloads + :one',
          ConditionExpression: 'attribute_exists(exportInfo)',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    );
  }

  /**
   * The newest request of `type` for this subject that is not finished (any
   * status but a terminal one), or undefined: repeated submissions get the open
   * request back instead of starting another. Reads the `bySubject` index, which
   * is eventually consistent, so two submissions in the same instant may both start.
   */
  async openRequestFor(
    subjectHash: string,
    type: LedgerRecord['type'],
  ): Promise<Pick<LedgerRecord, 'requestId' | 'type' | 'status' | 'receivedAt'> | undefined> {
    const finished = Object.fromEntries([...TERMINAL_STATUSES].map((s, i) => [`:finished${i}`, s]));
    const items = this.queryItems<Pick<LedgerRecord, 'requestId' | 'type' | 'status' | 'receivedAt'>>({
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

  /** Every item a Query on the ledger (or one of its indexes) returns, page after page. */
  private async *queryItems<Item>(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): AsyncIterable<Item> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await withTransient(() =>
        this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey })),
      );
      // The ledger's own items, written only by this class.
      yield* (page.Items ?? []) as Item[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** An update that applies only while the request is in the status bound to `:expected`. */
  private async conditionalUpdate(
    requestId: string,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await withTransient(() =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { requestId },
            UpdateExpression: updateExpression,
            ConditionExpression: '#status = :expected',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw await this.conflictOf(requestId);
      throw error;
    }
  }

  /** Why a conditional write on this request failed: it is gone, or its status moved on. */
  private async conflictOf(requestId: string): Promise<RequestNotFoundError | StatusConflictError> {
    const latest = await this.get(requestId);
    return latest ? new StatusConflictError(requestId, latest.status) : new RequestNotFoundError(requestId);
  }
}
