/** The email support gets when a processor did not acknowledge: facts and steps, never the subject's data. */
import { escapeHtml } from '../html';
import type { ProcessorEscalation, ProcessorEvidence } from '../ledger-record';
import type { Mail } from '../ports';

const REASON_TEXT: Record<ProcessorEscalation['reason'], string> = {
  deadline_passed: 'the partner did not acknowledge the request by its deadline',
  processor_unavailable: 'the partner could not be reached after every retry',
  processor_rejected: 'the partner refused the request (or reported that it could not carry it out)',
  invalid_response: 'the partner answered with a response that is not valid under the protocol',
};

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
