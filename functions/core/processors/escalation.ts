/**
 * EscalateProcessor's domain: a processor did not acknowledge (deadline passed,
 * unreachable, refused, invalid answer). The escalation is recorded as evidence
 * and support is told; the request itself goes on either way.
 */
import { auditEmailSent, auditProcessor } from '../audit/events';
import { type DataMap, processorOf } from '../data-map';
import type { ProcessorEscalation } from '../ledger-record';
import type { AuditTrail, Clock, Ledger, Log, Mailer } from '../ports';
import { escalationMail } from './escalation-mail';
import { newProcessorEvidence } from './notify';

export interface EscalatePorts {
  readonly dataMap: DataMap;
  readonly ledger: Pick<
    Ledger,
    | 'require'
    | 'beginProcessorNotice'
    | 'recordProcessorEscalation'
    | 'setStoreProgress'
    | 'markSupportNotified'
  >;
  /** Where the support email goes; absent when setting `supportEmail` is unset (log line and alarm only). */
  readonly support?: { readonly mailer: Mailer; readonly to: string };
  readonly log: Log;
  readonly clock: Clock;
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

export interface EscalateInput {
  readonly requestId: string;
  readonly storeId: string;
  /** The caught error as the ASL passes it. */
  readonly error: { readonly Error?: string | undefined; readonly Cause?: string | undefined };
}

/** What the Map iteration outputs for an escalated (or, if an ack won the race, acknowledged) processor. */
export type EscalateResult =
  | { readonly storeId: string; readonly escalated: false }
  | { readonly storeId: string; readonly escalated: true; readonly reason: ProcessorEscalation['reason'] };

/** The error names the processor branch's Catch passes on, and what each means for support. */
const REASONS: Readonly<Record<string, ProcessorEscalation['reason']>> = {
  'States.Timeout': 'deadline_passed',
  ProcessorUnavailable: 'processor_unavailable',
  ProcessorRejected: 'processor_rejected',
  ProcessorResponseInvalid: 'invalid_response',
};

/** The reason an escalation records for the caught error name (unknown names count as unavailable). */
export function escalationReason(errorName: string | undefined): ProcessorEscalation['reason'] {
  return REASONS[errorName ?? ''] ?? 'processor_unavailable';
}

/**
 * Records that a processor did not acknowledge (deadline passed, unreachable,
 * refused, invalid answer) and tells support. Loses to an acknowledgement that
 * already landed. The request goes on either way; the escalation is evidence.
 */
export async function escalateProcessor(ports: EscalatePorts, input: EscalateInput): Promise<EscalateResult> {
  const { requestId, storeId } = input;
  const store = processorOf(ports.dataMap, storeId);
  const record = await ports.ledger.require(requestId);
  const now = ports.clock();
  let evidence = record.processors?.[storeId];
  // Nothing was recorded if the notice itself never started: escalate all the same, with what is known.
  evidence ??= await ports.ledger.beginProcessorNotice(
    requestId,
    newProcessorEvidence(store, record, now),
    now,
  );
  const reason = escalationReason(input.error.Error);
  const lastStatus = evidence.attempts.at(-1)?.httpStatus;
  const escalation: ProcessorEscalation = {
    at: now.toISOString(),
    reason,
    ...(reason !== 'deadline_passed' && lastStatus !== undefined ? { httpStatus: lastStatus } : {}),
  };
  const { escalated } = await ports.ledger.recordProcessorEscalation(requestId, storeId, escalation, now);
  if (!escalated) {
    ports.log.info('processor acknowledged before the escalation', { requestId, processorId: storeId });
    return { storeId, escalated: false };
  }
  await ports.ledger.setStoreProgress(requestId, storeId, { status: 'escalated' }, now);
  // The CDK's metric filter (and its alarm) matches this message.
  ports.log.warn('processor escalated', { requestId, processorId: storeId, reason });
  await auditProcessor(ports.auditTrail, requestId, storeId, 'processor_escalated', { reason });
  // A retry after the email went out (e.g. the progress write failed) must not email support again.
  if (ports.support && evidence.escalation?.supportNotifiedAt === undefined) {
    await ports.support.mailer.send({
      ...escalationMail(evidence, escalation, requestId),
      to: ports.support.to,
    });
    await ports.ledger.markSupportNotified(requestId, storeId, now);
    await auditEmailSent(
      ports.auditTrail,
      requestId,
      'support-processor-escalation',
      `support-processor-escalation:${storeId}`,
    );
  }
  return { storeId, escalated: true, reason };
}
