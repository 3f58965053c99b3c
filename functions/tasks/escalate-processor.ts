import { z } from 'zod';
import { sesClient } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { type Mail, sendMail } from '../aws/mailer';
import { type DataMap, type ProcessorStore, processorOf } from '../core/data-map';
import { escapeHtml } from '../core/html';
import type { ProcessorEscalation, ProcessorEvidence } from '../core/ledger-record';
import type { Ledger } from '../core/ports';
import { newProcessorEvidence } from '../processors/notify';

const Input = z.object({
  requestId: z.string().min(1),
  storeId: z.string().min(1),
  // The ASL passes the caught error as { Error, Cause }.
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
});
export type EscalateInput = z.infer<typeof Input>;

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

const REASON_TEXT: Record<ProcessorEscalation['reason'], string> = {
  deadline_passed: 'the partner did not acknowledge the request by its deadline',
  processor_unavailable: 'the partner could not be reached after every retry',
  processor_rejected: 'the partner refused the request (or reported that it could not carry it out)',
  invalid_response: 'the partner answered with a response that is not valid under the protocol',
};

/** The reason an escalation records for the caught error name (unknown names count as unavailable). */
export function escalationReason(errorName: string | undefined): ProcessorEscalation['reason'] {
  return REASONS[errorName ?? ''] ?? 'processor_unavailable';
}

export interface EscalateDeps {
  readonly dataMap: DataMap;
  readonly ledger: Pick<
    Ledger,
    | 'require'
    | 'beginProcessorNotice'
    | 'recordProcessorEscalation'
    | 'setStoreProgress'
    | 'markSupportNotified'
  >;
  /** Sends the support email; absent when `DSR_SUPPORT_EMAIL` is unset (log line and alarm only). */
  readonly notifySupport?: (mail: Omit<Mail, 'to'>) => Promise<void>;
  readonly now: () => Date;
}

/** The support email: ids, processor, deadline, reason and attempts; never the subject's data. */
export function escalationMail(
  evidence: ProcessorEvidence,
  escalation: ProcessorEscalation,
  requestId: string,
): Omit<Mail, 'to'> {
  const attempts = evidence.attempts.map(
    (a) =>
      `#${a.attempt} at ${a.at}: ${a.outcome}${a.httpStatus !== undefined ? ` (HTTP ${a.httpStatus})` : ''}`,
  );
  const facts: [string, string][] = [
    ['Request', requestId],
    ['Type', evidence.type],
    ['Partner', `${evidence.name} (${evidence.processorId})`],
    ['Idempotency key', evidence.idempotencyKey],
    ['Notified at', evidence.notifiedAt],
    ['Deadline', evidence.deadline],
    ['Reason', `${escalation.reason}: ${REASON_TEXT[escalation.reason]}`],
    ['Attempts', attempts.length > 0 ? attempts.join('; ') : 'none recorded'],
  ];
  const steps = [
    `Contact ${evidence.name} through the partner channel and ask them to act on request ${requestId} (same idempotency key).`,
    'Ask them to confirm through their callback, so the acknowledgement lands in the evidence (recorded as late).',
    'If they cannot, record their answer in the support case; the certificate and package already say the partner is being followed up.',
    'See README, "Support runbook: partner escalations".',
  ];
  const text = [
    `A partner has not acknowledged a data-subject request. The request itself went on; this partner needs a follow-up.`,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    'What to do:',
    ...steps.map((s, i) => `${i + 1}. ${s}`),
  ].join('\n');
  const html = [
    '<p>A partner has not acknowledged a data-subject request. The request itself went on; this partner needs a follow-up.</p>',
    `<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    `<p>What to do:</p><ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
  ].join('\n');
  return { subject: `[DSR] Partner ${evidence.name} has not acknowledged ${requestId}`, text, html };
}

/**
 * Records that a processor did not acknowledge (deadline passed, unreachable,
 * refused, invalid answer) and tells support. Loses to an acknowledgement that
 * already landed. The request goes on either way; the escalation is evidence.
 */
export async function escalateProcessor(deps: EscalateDeps, input: EscalateInput): Promise<EscalateResult> {
  const { requestId, storeId } = input;
  const store: ProcessorStore = processorOf(deps.dataMap, storeId);
  const record = await deps.ledger.require(requestId);
  const now = deps.now();
  let evidence = record.processors?.[storeId];
  // Nothing was recorded if the notice itself never started: escalate all the same, with what is known.
  evidence ??= await deps.ledger.beginProcessorNotice(
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
  const { escalated } = await deps.ledger.recordProcessorEscalation(requestId, storeId, escalation, now);
  if (!escalated) {
    logger.info('processor acknowledged before the escalation', { requestId, processorId: storeId });
    return { storeId, escalated: false };
  }
  await deps.ledger.setStoreProgress(requestId, storeId, { status: 'escalated' }, now);
  // The CDK's metric filter (and its alarm) matches this message.
  logger.warn('processor escalated', { requestId, processorId: storeId, reason });
  // A retry after the email went out (e.g. the progress write failed) must not email support again.
  if (deps.notifySupport && evidence.escalation?.supportNotifiedAt === undefined) {
    await deps.notifySupport(escalationMail(evidence, escalation, requestId));
    await deps.ledger.markSupportNotified(requestId, storeId, now);
  }
  return { storeId, escalated: true, reason };
}

/** EscalateProcessor: the processor branch's Catch; see `escalateProcessor`. */
export async function handler(event: unknown): Promise<EscalateResult> {
  const input = Input.parse(event);
  const cfg = config();
  const support = cfg.DSR_SUPPORT_EMAIL;
  return escalateProcessor(
    {
      dataMap: cfg.dataMap,
      ledger: ledgerTable(),
      ...(support
        ? { notifySupport: (mail) => sendMail(sesClient(), cfg.DSR_MAIL_FROM, { ...mail, to: support }) }
        : {}),
      now: () => new Date(),
    },
    input,
  );
}
