/**
 * NotifyProcessor's domain: tell one processor (partner) about a request
 * through its signed webhook, keep every attempt as evidence, and resume the
 * workflow when it acknowledges. Clients, ledger, fetch and clock come in as
 * parameters; nothing here reads the environment.
 */
import type { LedgerTable } from '../aws/ledger';
import { isGoneTask } from '../aws/workflow';
import type { ExportedRecord } from '../connectors/connector';
import { type DataMap, type ProcessorStore, processorOf } from '../core/data-map';
import type { LedgerRecord, PartnerAck, PartnerEvidence } from '../core/ledger-record';
import type { RequestType } from '../core/request';
import type { ExportStorage } from '../export/s3-stream';
import { type StoreExportResult, writeStoreExport } from '../export/store-export';
import { deliverToPartner } from './client';
import { partnerErrorFor } from './errors';
import {
  buildPartnerRequest,
  idempotencyKeyOf,
  type PartnerCallback,
  type PartnerResponse,
  partnerCallbackUrl,
} from './protocol';

/** The ledger operations partner notices use. */
export type PartnerLedger = Pick<
  LedgerTable,
  | 'require'
  | 'get'
  | 'setStoreProgress'
  | 'beginPartnerNotice'
  | 'recordPartnerAttempt'
  | 'markPartnerAwaiting'
  | 'recordPartnerAck'
>;

/** Records written to the export per page, so a large answer never becomes one huge write. */
const EXPORT_PAGE = 500;

/** What acknowledging a processor needs, shared by the webhook answer and the callback. */
export interface AckDeps {
  readonly ledger: PartnerLedger;
  /** The exports bucket: a partner's records (access) become `stores/<partnerId>.json`. */
  readonly exports: ExportStorage;
  /** SendTaskSuccess; a task that is gone (timed out, already closed) throws an error `isGoneTask` knows. */
  readonly completeTask: (taskToken: string, output: unknown) => Promise<void>;
  /** SendTaskFailure with an error name the ASL catches. */
  readonly failTask: (taskToken: string, error: string, cause: string) => Promise<void>;
  readonly now: () => Date;
}

export interface NotifyDeps extends AckDeps {
  readonly dataMap: DataMap;
  /** The partner's shared HMAC secret (`loadPartnerSecret`). */
  readonly secretOf: (store: ProcessorStore) => Promise<Buffer>;
  /** `DSR_PUBLIC_URL`, without a trailing slash: the partner calls back under it. */
  readonly publicUrl: string;
  readonly allowInsecureUrl: boolean;
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface NotifyInput {
  readonly requestId: string;
  readonly storeId: string;
  readonly taskToken: string;
}

/** What the task returns to its Lambda caller (the workflow's result comes through the task token). */
export type NotifyResult =
  | { readonly storeId: string; readonly outcome: 'acknowledged'; readonly status: PartnerAck['status'] }
  | { readonly storeId: string; readonly outcome: 'awaiting_ack' };

/** The workflow output of an acknowledged processor: an export file (access) or the ack's gist. */
export type PartnerTaskOutput =
  | StoreExportResult
  | {
      readonly storeId: string;
      readonly partner: { readonly status: PartnerAck['status']; readonly reference: string };
    };

/** A processor is asked about a request type it does not declare: a deployment mismatch, not the partner's fault. */
export class PartnerNotPlannedError extends Error {
  override readonly name = 'PartnerNotPlanned';
}

/** The ledger's acknowledgement from a webhook answer or a callback body (records as a count only). */
export function toPartnerAck(
  body: PartnerResponse | PartnerCallback,
  via: PartnerAck['via'],
  at: Date,
): PartnerAck {
  if (body.status === 'accepted') throw new Error('an accepted answer is not an acknowledgement');
  return {
    at: at.toISOString(),
    via,
    status: body.status,
    reference: body.reference,
    ...(body.detail !== undefined ? { detail: body.detail } : {}),
    ...(body.retained !== undefined ? { retained: body.retained } : {}),
    ...(body.records !== undefined ? { records: body.records.length } : {}),
  };
}

async function* pagesOf(
  records: readonly Record<string, unknown>[],
  partnerId: string,
  reference: string,
): AsyncIterable<readonly ExportedRecord[]> {
  for (let start = 0; start < records.length; start += EXPORT_PAGE) {
    yield records
      .slice(start, start + EXPORT_PAGE)
      .map((data) => ({ ref: { kind: 'processor', partnerId, reference }, data }));
  }
}

/**
 * After an acknowledgement was recorded: an access request's partner records
 * go to the export (also none, so the package lists the partner), the store's
 * progress is recorded, and the waiting task is resumed. A `failed` status
 * fails the task as `PartnerRejected`, so support is told. A gone task is fine.
 */
export async function settleAcknowledgement(
  deps: AckDeps,
  args: {
    readonly requestId: string;
    readonly type: RequestType;
    readonly partnerId: string;
    readonly ack: PartnerAck;
    readonly records: readonly Record<string, unknown>[] | undefined;
    readonly taskToken: string | undefined;
  },
): Promise<PartnerTaskOutput> {
  const { requestId, partnerId, ack } = args;
  let output: PartnerTaskOutput = {
    storeId: partnerId,
    partner: { status: ack.status, reference: ack.reference },
  };
  let records = ack.records;
  if (args.type === 'access' && ack.status !== 'failed') {
    const file = await writeStoreExport(deps.exports, {
      requestId,
      storeId: partnerId,
      records: pagesOf(args.records ?? [], partnerId, ack.reference),
    });
    output = file;
    records = file.records;
  }
  if (ack.status !== 'failed') {
    await deps.ledger.setStoreProgress(
      requestId,
      partnerId,
      { status: 'completed', ...(records !== undefined ? { records } : {}) },
      deps.now(),
    );
  }
  if (args.taskToken) {
    try {
      if (ack.status === 'failed') {
        await deps.failTask(
          args.taskToken,
          'PartnerRejected',
          `partner ${partnerId} reported that it could not carry out the request`,
        );
      } else {
        await deps.completeTask(args.taskToken, output);
      }
    } catch (error) {
      if (!isGoneTask(error)) throw error;
    }
  }
  return output;
}

/** The evidence of a notice about to be sent: its idempotency key and the partner's deadline from now. */
export function newPartnerEvidence(
  store: ProcessorStore,
  record: Pick<LedgerRecord, 'requestId' | 'type'>,
  now: Date,
  taskToken?: string,
): PartnerEvidence {
  return {
    partnerId: store.id,
    name: store.name,
    type: record.type,
    idempotencyKey: idempotencyKeyOf(record.requestId, store.id, record.type),
    deadline: new Date(now.getTime() + store.acknowledgeWithinSeconds * 1000).toISOString(),
    notifiedAt: now.toISOString(),
    status: 'notifying',
    attempts: [],
    ...(taskToken ? { taskToken } : {}),
  };
}

/**
 * Tells one processor about a request: stores the task token first (so an
 * immediate callback finds it), sends the signed request with retries
 * (each attempt recorded), then on an acknowledgement in the answer records
 * it and resumes the workflow; on `accepted` the workflow keeps waiting for
 * the callback or the partner's deadline.
 *
 * @throws PartnerUnavailable, PartnerRejected or PartnerResponseInvalid after recording a failed delivery (the ASL escalates).
 */
export async function notifyProcessor(deps: NotifyDeps, input: NotifyInput): Promise<NotifyResult> {
  const { requestId, storeId, taskToken } = input;
  const store = processorOf(deps.dataMap, storeId);
  const record = await deps.ledger.require(requestId);
  if (!store.requestTypes.includes(record.type)) {
    throw new PartnerNotPlannedError(`processor ${storeId} does not handle ${record.type} requests`);
  }
  const now = deps.now();
  const evidence = newPartnerEvidence(store, record, now, taskToken);
  const current = await deps.ledger.beginPartnerNotice(requestId, evidence, now);
  // A retry after the acknowledgement was recorded: resume without asking again (access asks again for the records).
  if (current.ack && current.ack.status !== 'failed' && !(record.type === 'access' && current.ack.records)) {
    await settleAcknowledgement(deps, {
      requestId,
      type: record.type,
      partnerId: store.id,
      ack: current.ack,
      records: undefined,
      taskToken,
    });
    return { storeId, outcome: 'acknowledged', status: current.ack.status };
  }
  await deps.ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' }, now);

  const request = buildPartnerRequest(store, {
    requestId,
    type: record.type,
    identities: record.identities ?? {},
    deadline: current.deadline,
    callbackUrl: partnerCallbackUrl(deps.publicUrl, store.id),
  });
  const outcome = await deliverToPartner({
    store,
    secret: await deps.secretOf(store),
    request,
    allowInsecureUrl: deps.allowInsecureUrl,
    timeoutMs: deps.timeoutMs,
    onAttempt: (attempt) => deps.ledger.recordPartnerAttempt(requestId, store.id, attempt),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    now: deps.now,
  });

  switch (outcome.kind) {
    case 'acknowledged': {
      const ack = toPartnerAck(outcome.ack, 'response', deps.now());
      const result = await deps.ledger.recordPartnerAck(requestId, store.id, ack, deps.now());
      if (result.wasEscalated) return { storeId, outcome: 'acknowledged', status: ack.status };
      // A duplicate (an earlier try, or a racing callback) still resumes this task: it holds a fresh token.
      await settleAcknowledgement(deps, {
        requestId,
        type: record.type,
        partnerId: store.id,
        ack,
        records: outcome.ack.records,
        taskToken,
      });
      return { storeId, outcome: 'acknowledged', status: ack.status };
    }
    case 'accepted':
      await deps.ledger.markPartnerAwaiting(requestId, store.id, deps.now());
      return { storeId, outcome: 'awaiting_ack' };
    case 'failed':
      // A 2xx saying `failed` is the partner's own answer: keep it as evidence before support is told.
      if (outcome.ack && outcome.ack.status !== 'accepted') {
        await deps.ledger.recordPartnerAck(
          requestId,
          store.id,
          toPartnerAck(outcome.ack, 'response', deps.now()),
        );
      }
      throw partnerErrorFor(outcome.reason, store.id, outcome.httpStatus);
  }
}
