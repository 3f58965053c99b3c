/**
 * One reading of a request's partner evidence (`LedgerRecord.partners`) for
 * everything that shows it to a person: the certificate of erasure, the access
 * package's processing record, the opt-out confirmation and the status view.
 */
import type { DataMap } from '../core/data-map';
import type { LedgerRecord, PartnerEvidence } from '../core/ledger-record';

/** Where a partner call ended up: it answered, it was escalated to support, or neither (yet). */
export type PartnerCallStatus = 'acknowledged' | 'escalated' | 'pending';

/**
 * This request's partner evidence, in data-map order (the order the data map
 * lists processors); partners no longer in the map follow, by id.
 */
export function partnerCallsOf(
  record: Pick<LedgerRecord, 'partners'>,
  dataMap?: Pick<DataMap, 'stores'>,
): PartnerEvidence[] {
  const order = new Map((dataMap?.stores ?? []).map((s, i) => [s.id, i]));
  const rank = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return Object.values(record.partners ?? {}).sort(
    (a, b) => rank(a.partnerId) - rank(b.partnerId) || a.partnerId.localeCompare(b.partnerId),
  );
}

/**
 * An answer counts even when it came after the escalation (`ack.late`): the
 * partner did answer. An answer of `failed` is escalated like no answer
 * (PartnerRejected), and then support is following up.
 */
export function partnerCallStatus(evidence: PartnerEvidence): PartnerCallStatus {
  if (evidence.ack && evidence.ack.status !== 'failed') return 'acknowledged';
  if (evidence.escalation || evidence.status === 'escalated') return 'escalated';
  return evidence.ack ? 'acknowledged' : 'pending';
}

/**
 * How a person is told about one partner: it confirmed (completed, held
 * nothing, or keeps some records by law), support is following it up
 * (escalated, or it answered that it failed), or it has not answered yet.
 */
export type PartnerOutcome = 'confirmed' | 'followed_up' | 'pending';

/** The outcome a person is told about; a partner answering `failed` has not done what was asked. */
export function partnerOutcome(evidence: PartnerEvidence): PartnerOutcome {
  const status = partnerCallStatus(evidence);
  if (status === 'acknowledged') return evidence.ack?.status === 'failed' ? 'followed_up' : 'confirmed';
  return status === 'escalated' ? 'followed_up' : 'pending';
}
