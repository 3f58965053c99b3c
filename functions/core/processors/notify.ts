/**
 * NotifyProcessor's domain: tell one processor about a request through its
 * signed webhook, keep every attempt as evidence, and resume the workflow when
 * it acknowledges. Everything outside comes in through ports; nothing here
 * reads the environment.
 */
import { auditProcessor } from '../audit/events';
import { type DataMap, type ProcessorStore, processorOf } from '../data-map';
import type { LedgerRecord, ProcessorAck, ProcessorEvidence } from '../ledger-record';
import type { ProcessorDelivery, ProcessorSecrets } from '../ports';
import { type AckPorts, settleAcknowledgement, toProcessorAck } from './acknowledge';
import { processorErrorFor } from './errors';
import { buildProcessorRequest, idempotencyKeyOf, processorCallbackUrl } from './protocol';

export interface NotifyPorts extends AckPorts {
  readonly dataMap: DataMap;
  readonly secrets: ProcessorSecrets;
  readonly delivery: ProcessorDelivery;
  /** setting `publicUrl`, without a trailing slash: the processor calls back under it. */
  readonly publicUrl: string;
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

/** A processor is asked about a request type it does not declare: a deployment mismatch, not the processor's fault. */
export class ProcessorNotPlannedError extends Error {
  override readonly name = 'ProcessorNotPlanned';
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
export async function notifyProcessor(ports: NotifyPorts, input: NotifyInput): Promise<NotifyResult> {
  const { requestId, storeId, taskToken } = input;
  const store = processorOf(ports.dataMap, storeId);
  const record = await ports.ledger.require(requestId);
  if (!store.requestTypes.includes(record.type)) {
    throw new ProcessorNotPlannedError(`processor ${storeId} does not handle ${record.type} requests`);
  }
  const now = ports.clock();
  const evidence = newProcessorEvidence(store, record, now, taskToken);
  const current = await ports.ledger.beginProcessorNotice(requestId, evidence, now);
  // A retry after the acknowledgement was recorded: resume without asking again (access asks again for the records).
  if (current.ack && current.ack.status !== 'failed' && !(record.type === 'access' && current.ack.records)) {
    await settleAcknowledgement(ports, {
      requestId,
      type: record.type,
      processorId: store.id,
      ack: current.ack,
      records: undefined,
      taskToken,
    });
    return { storeId, outcome: 'acknowledged', status: current.ack.status };
  }
  await ports.ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' }, now);

  const request = buildProcessorRequest(store, {
    requestId,
    type: record.type,
    identities: record.identities ?? {},
    deadline: current.deadline,
    callbackUrl: processorCallbackUrl(ports.publicUrl, store.id),
    ...(record.contact?.corrections ? { corrections: record.contact.corrections } : {}),
    ...(record.purposes ? { purposes: record.purposes } : {}),
  });
  const outcome = await ports.delivery.deliver({
    store,
    secret: await ports.secrets.secretOf(store),
    request,
    onAttempt: (attempt) => ports.ledger.recordProcessorAttempt(requestId, store.id, attempt),
  });
  await auditProcessor(ports.auditTrail, requestId, store.id, 'processor_called', {
    type: record.type,
    answer: outcome.kind,
  });

  switch (outcome.kind) {
    case 'acknowledged': {
      const ack = toProcessorAck(outcome.ack, 'response', ports.clock());
      const result = await ports.ledger.recordProcessorAck(requestId, store.id, ack, ports.clock());
      if (result.wasEscalated) return { storeId, outcome: 'acknowledged', status: ack.status };
      // A duplicate (an earlier try, or a racing callback) still resumes this task: it holds a fresh token.
      await settleAcknowledgement(ports, {
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
      await ports.ledger.markProcessorAwaiting(requestId, store.id, ports.clock());
      return { storeId, outcome: 'awaiting_ack' };
    case 'failed':
      // A 2xx saying `failed` is the processor's own answer: keep it as evidence before support is told.
      if (outcome.ack && outcome.ack.status !== 'accepted') {
        await ports.ledger.recordProcessorAck(
          requestId,
          store.id,
          toProcessorAck(outcome.ack, 'response', ports.clock()),
        );
      }
      throw processorErrorFor(outcome.reason, store.id, outcome.httpStatus);
  }
}
