/**
 * NotifyProcessor's domain: tell one processor (processor) about a request
 * through its signed webhook, keep every attempt as evidence, and resume the
 * workflow when it acknowledges. Clients, ledger, fetch and clock come in as
 * parameters; nothing here reads the environment.
 */

import { isGoneTask } from '../aws/workflow';
import { type DataMap, type ProcessorStore, processorOf } from '../core/data-map';
import { type StoreExportResult, writeStoreExport } from '../core/export/store-export';
import type { LedgerRecord, ProcessorAck, ProcessorEvidence } from '../core/ledger-record';
import type { ExportedRecord, Ledger, ObjectStore } from '../core/ports';
import { processorErrorFor } from '../core/processors/errors';
import {
  buildProcessorRequest,
  idempotencyKeyOf,
  type ProcessorCallback,
  type ProcessorResponse,
  processorCallbackUrl,
} from '../core/processors/protocol';
import type { RequestType } from '../core/request';
import { deliverToProcessor } from './client';

/** The ledger operations processor notices use. */
export type ProcessorLedger = Pick<
  Ledger,
  | 'require'
  | 'get'
  | 'setStoreProgress'
  | 'beginProcessorNotice'
  | 'recordProcessorAttempt'
  | 'markProcessorAwaiting'
  | 'recordProcessorAck'
>;

/** Records written to the export per page, so a large answer never becomes one huge write. */
const EXPORT_PAGE = 500;

/** What acknowledging a processor needs, shared by the webhook answer and the callback. */
export interface AckDeps {
  readonly ledger: ProcessorLedger;
  /** The exports bucket: a processor's records (access) become `stores/<processorId>.json`. */
  readonly exports: ObjectStore;
  /** SendTaskSuccess; a task that is gone (timed out, already closed) throws an error `isGoneTask` knows. */
  readonly completeTask: (taskToken: string, output: unknown) => Promise<void>;
  /** SendTaskFailure with an error name the ASL catches. */
  readonly failTask: (taskToken: string, error: string, cause: string) => Promise<void>;
  readonly now: () => Date;
}

export interface NotifyDeps extends AckDeps {
  readonly dataMap: DataMap;
  /** The processor's shared HMAC secret (`loadProcessorSecret`). */
  readonly secretOf: (store: ProcessorStore) => Promise<Buffer>;
  /** `DSR_PUBLIC_URL`, without a trailing slash: the processor calls back under it. */
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
  | { readonly storeId: string; readonly outcome: 'acknowledged'; readonly status: ProcessorAck['status'] }
  | { readonly storeId: string; readonly outcome: 'awaiting_ack' };

/** The workflow output of an acknowledged processor: an export file (access) or the ack's gist. */
export type ProcessorTaskOutput =
  | StoreExportResult
  | {
      readonly storeId: string;
      readonly processor: { readonly status: ProcessorAck['status']; readonly reference: string };
    };

/** A processor is asked about a request type it does not declare: a deployment mismatch, not the processor's fault. */
export class ProcessorNotPlannedError extends Error {
  override readonly name = 'ProcessorNotPlanned';
}

/** The ledger's acknowledgement from a webhook answer or a callback body (records as a count only). */
export function toProcessorAck(
  body: ProcessorResponse | ProcessorCallback,
  via: ProcessorAck['via'],
  at: Date,
): ProcessorAck {
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
  processorId: string,
  reference: string,
): AsyncIterable<readonly ExportedRecord[]> {
  for (let start = 0; start < records.length; start += EXPORT_PAGE) {
    yield records
      .slice(start, start + EXPORT_PAGE)
      .map((data) => ({ ref: { kind: 'processor', processorId, reference }, data }));
  }
}

/**
 * After an acknowledgement was recorded: an access request's processor records
 * go to the export (also none, so the package lists the processor), the store's
 * progress is recorded, and the waiting task is resumed. A `failed` status
 * fails the task as `ProcessorRejected`, so support is told. A gone task is fine.
 */
export async function settleAcknowledgement(
  deps: AckDeps,
  args: {
    readonly requestId: string;
    readonly type: RequestType;
    readonly processorId: string;
    readonly ack: ProcessorAck;
    readonly records: readonly Record<string, unknown>[] | undefined;
    readonly taskToken: string | undefined;
  },
): Promise<ProcessorTaskOutput> {
  const { requestId, processorId, ack } = args;
  let output: ProcessorTaskOutput = {
    storeId: processorId,
    processor: { status: ack.status, reference: ack.reference },
  };
  let records = ack.records;
  if (args.type === 'access' && ack.status !== 'failed') {
    const file = await writeStoreExport(deps, {
      requestId,
      storeId: processorId,
      records: pagesOf(args.records ?? [], processorId, ack.reference),
    });
    output = file;
    records = file.records;
  }
  if (ack.status !== 'failed') {
    await deps.ledger.setStoreProgress(
      requestId,
      processorId,
      { status: 'completed', ...(records !== undefined ? { records } : {}) },
      deps.now(),
    );
  }
  if (args.taskToken) {
    try {
      if (ack.status === 'failed') {
        await deps.failTask(
          args.taskToken,
          'ProcessorRejected',
          `partner ${processorId} reported that it could not carry out the request`,
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

/** The evidence of a notice about to be sent: its idempotency key and the processor's deadline from now. */
export function newProcessorEvidence(
  store: ProcessorStore,
  record: Pick<LedgerRecord, 'requestId' | 'type'>,
  now: Date,
  taskToken?: string,
): ProcessorEvidence {
  return {
    processorId: store.id,
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
 * the callback or the processor's deadline.
 *
 * @throws ProcessorUnavailable, ProcessorRejected or ProcessorResponseInvalid after recording a failed delivery (the ASL escalates).
 */
export async function notifyProcessor(deps: NotifyDeps, input: NotifyInput): Promise<NotifyResult> {
  const { requestId, storeId, taskToken } = input;
  const store = processorOf(deps.dataMap, storeId);
  const record = await deps.ledger.require(requestId);
  if (!store.requestTypes.includes(record.type)) {
    throw new ProcessorNotPlannedError(`processor ${storeId} does not handle ${record.type} requests`);
  }
  const now = deps.now();
  const evidence = newProcessorEvidence(store, record, now, taskToken);
  const current = await deps.ledger.beginProcessorNotice(requestId, evidence, now);
  // A retry after the acknowledgement was recorded: resume without asking again (access asks again for the records).
  if (current.ack && current.ack.status !== 'failed' && !(record.type === 'access' && current.ack.records)) {
    await settleAcknowledgement(deps, {
      requestId,
      type: record.type,
      processorId: store.id,
      ack: current.ack,
      records: undefined,
      taskToken,
    });
    return { storeId, outcome: 'acknowledged', status: current.ack.status };
  }
  await deps.ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' }, now);

  const request = buildProcessorRequest(store, {
    requestId,
    type: record.type,
    identities: record.identities ?? {},
    deadline: current.deadline,
    callbackUrl: processorCallbackUrl(deps.publicUrl, store.id),
  });
  const outcome = await deliverToProcessor({
    store,
    secret: await deps.secretOf(store),
    request,
    allowInsecureUrl: deps.allowInsecureUrl,
    timeoutMs: deps.timeoutMs,
    onAttempt: (attempt) => deps.ledger.recordProcessorAttempt(requestId, store.id, attempt),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    now: deps.now,
  });

  switch (outcome.kind) {
    case 'acknowledged': {
      const ack = toProcessorAck(outcome.ack, 'response', deps.now());
      const result = await deps.ledger.recordProcessorAck(requestId, store.id, ack, deps.now());
      if (result.wasEscalated) return { storeId, outcome: 'acknowledged', status: ack.status };
      // A duplicate (an earlier try, or a racing callback) still resumes this task: it holds a fresh token.
      await settleAcknowledgement(deps, {
        requestId,
        type: record.type,
        processorId: store.id,
        ack,
        records: outcome.ack.records,
        taskToken,
      });
      return { storeId, outcome: 'acknowledged', status: ack.status };
    }
    case 'accepted':
      await deps.ledger.markProcessorAwaiting(requestId, store.id, deps.now());
      return { storeId, outcome: 'awaiting_ack' };
    case 'failed':
      // A 2xx saying `failed` is the processor's own answer: keep it as evidence before support is told.
      if (outcome.ack && outcome.ack.status !== 'accepted') {
        await deps.ledger.recordProcessorAck(
          requestId,
          store.id,
          toProcessorAck(outcome.ack, 'response', deps.now()),
        );
      }
      throw processorErrorFor(outcome.reason, store.id, outcome.httpStatus);
  }
}
