/**
 * One reading of a request's processor evidence (`LedgerRecord.processors`) for
 * everything that shows it to a person: the certificate of erasure, the access
 * package's processing record, the opt-out confirmation and the status view.
 */
import type { DataMap } from '../data-map';
import type { LedgerRecord, ProcessorEvidence } from '../ledger-record';

/** Where a processor call ended up: it answered, it was escalated to support, or neither (yet). */
export type ProcessorCallStatus = 'acknowledged' | 'escalated' | 'pending';

/**
 * This request's processor evidence, in data-map order (the order the data map
 * lists processors); processors no longer in the map follow, by id.
 */
export function processorCallsOf(
  record: Pick<LedgerRecord, 'processors'>,
  dataMap?: Pick<DataMap, 'stores'>,
): ProcessorEvidence[] {
  const order = new Map((dataMap?.stores ?? []).map((s, i) => [s.id, i]));
  const rank = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return Object.values(record.processors ?? {}).sort(
    (a, b) => rank(a.processorId) - rank(b.processorId) || a.processorId.localeCompare(b.processorId),
  );
}

/**
 * An answer counts even when it came after the escalation (`ack.late`): the
 * processor did answer. An answer of `failed` is escalated like no answer
 * (ProcessorRejected), and then support is following up.
 */
export function processorCallStatus(evidence: ProcessorEvidence): ProcessorCallStatus {
  if (evidence.ack && evidence.ack.status !== 'failed') return 'acknowledged';
  if (evidence.escalation || evidence.status === 'escalated') return 'escalated';
  return evidence.ack ? 'acknowledged' : 'pending';
}

/**
 * How a person is told about one processor: it confirmed (completed, held
 * nothing, or keeps some records by law), support is following it up
 * (escalated, or it answered that it failed), or it has not answered yet.
 */
export type ProcessorOutcome = 'confirmed' | 'followed_up' | 'pending';

/** The outcome a person is told about; a processor answering `failed` has not done what was asked. */
export function processorOutcome(evidence: ProcessorEvidence): ProcessorOutcome {
  const status = processorCallStatus(evidence);
  if (status === 'acknowledged') return evidence.ack?.status === 'failed' ? 'followed_up' : 'confirmed';
  return status === 'escalated' ? 'followed_up' : 'pending';
}
