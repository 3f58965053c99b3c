/**
 * The callback's domain: a processor acknowledges a request it accepted
 * earlier. The signature is checked over the raw body before anything is
 * parsed or written; the first acknowledgement wins; one after the processor was
 * escalated is kept as `late` evidence. Nothing here reads the environment.
 */
import { type DataMap, type ProcessorStore, processorOf, UnknownStoreError } from '../data-map';
import { type ProcessorAckResult, ProcessorNotNotifiedError } from '../ledger-record';
import type { ProcessorSecrets } from '../ports';
import { type AckPorts, settleAcknowledgement, toProcessorAck } from './acknowledge';
import { ProcessorCallback } from './protocol';
import { verifyProcessorSignature, wellFormedSignature } from './signature';

export interface CallbackPorts extends AckPorts {
  readonly dataMap: DataMap;
  readonly secrets: ProcessorSecrets;
}

export interface CallbackInput {
  readonly processorId: string;
  /** The `x-dsr-timestamp` and `x-dsr-signature` headers as received. */
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  /** The body exactly as received (the signature covers these bytes). */
  readonly rawBody: string;
}

/** What the callback did; the HTTP layer turns each into a status. */
export type CallbackOutcome =
  | { readonly kind: 'unknown_processor' }
  | { readonly kind: 'invalid_signature' }
  /** Field paths only: values may be personal. */
  | { readonly kind: 'invalid_body'; readonly fields: readonly string[] }
  | { readonly kind: 'unknown_request'; readonly requestId: string }
  | { readonly kind: 'duplicate'; readonly requestId: string }
  | { readonly kind: 'recorded'; readonly requestId: string; readonly late: boolean };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Handles `POST /processors/{processorId}/callback`: signature headers of the
 * wrong shape or stale → nothing looked up; unknown processor → nothing; a
 * wrong signature → nothing written; an invalid body or a
 * request this processor was never told about → refused; else the
 * acknowledgement is recorded (first wins), an access request's records go to
 * the export, and the waiting workflow task is resumed.
 */
export async function handleProcessorCallback(
  ports: CallbackPorts,
  input: CallbackInput,
): Promise<CallbackOutcome> {
  const headers = { timestamp: input.timestamp, signature: input.signature };
  // Shape and freshness first, before the id is looked up: a wrong id and a wrong signature look alike.
  if (!wellFormedSignature(headers, ports.clock().getTime())) return { kind: 'invalid_signature' };
  let store: ProcessorStore;
  try {
    store = processorOf(ports.dataMap, input.processorId);
  } catch (error) {
    if (error instanceof UnknownStoreError) return { kind: 'unknown_processor' };
    throw error;
  }
  const secret = await ports.secrets.secretOf(store);
  const signed = verifyProcessorSignature(secret, headers, input.rawBody, ports.clock().getTime());
  if (!signed) return { kind: 'invalid_signature' };

  const parsed = ProcessorCallback.safeParse(parseJson(input.rawBody));
  if (!parsed.success) {
    return {
      kind: 'invalid_body',
      fields: [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'body'))],
    };
  }
  const body = parsed.data;
  const { requestId } = body;
  const record = await ports.ledger.get(requestId);
  if (!record?.processors?.[store.id]) return { kind: 'unknown_request', requestId };

  const ack = toProcessorAck(body, 'callback', ports.clock());
  let result: ProcessorAckResult;
  try {
    result = await ports.ledger.recordProcessorAck(requestId, store.id, ack, ports.clock());
  } catch (error) {
    if (error instanceof ProcessorNotNotifiedError) return { kind: 'unknown_request', requestId };
    throw error;
  }
  // After an escalation the workflow has moved on: the late answer is evidence only. A repeat settles
  // again with the acknowledgement that won: the partner retries when our first answer was a 5xx, which
  // may have come after the record but before the workflow heard (each step of settling is idempotent).
  if (!result.wasEscalated) {
    await settleAcknowledgement(ports, {
      requestId,
      type: record.type,
      processorId: store.id,
      ack: result.recorded ? ack : (record.processors[store.id]?.ack ?? ack),
      records: body.records,
      taskToken: result.taskToken,
    });
  }
  if (!result.recorded) return { kind: 'duplicate', requestId };
  return { kind: 'recorded', requestId, late: result.wasEscalated };
}
