/**
 * Stores failed for good: the request waits for support (`needs_attention`),
 * support is emailed once, and the workflow's task token is kept for the decision.
 */

import { escapeHtml } from '../html';
import type { FailedStore, LedgerRecord } from '../ledger-record';
import type { AttentionLedger, Clock, Log, Mail, Mailer, RequestLedger } from '../ports';
import * as z from '../zod';

export const AttentionInput = z.object({
  requestId: z.string().check(z.minLength(1)),
  taskToken: z.string().check(z.minLength(1)),
  failed: z
    .array(
      z.looseObject({ storeId: z.string().check(z.minLength(1)), error: z.string(), reason: z.string() }),
    )
    .check(z.minLength(1)),
});
export type AttentionInput = z.infer<typeof AttentionInput>;

export interface AttentionPorts {
  readonly ledger: Pick<RequestLedger, 'require'> & AttentionLedger;
  /** Absent when no support address is configured (log line and alarm only). */
  readonly support?: { readonly mailer: Mailer; readonly to: string };
  readonly log: Log;
  readonly clock: Clock;
}

/** The support email: ids, stores, error classes and reasons, and the actions; never the subject's data. */
export function attentionMail(record: LedgerRecord, failed: readonly FailedStore[]): Omit<Mail, 'to'> {
  const { requestId, type } = record;
  const lines = failed.map((s) => `${s.storeId}: ${s.error} (${s.reason})`);
  const steps = [
    `See the request: DSR-ShowRequest (locally: npm run support -- show ${requestId}).`,
    'Fix the store (see docs/RUNBOOK.md, "needs_attention"), then run DSR-RetryFailedStores: only the failed stores run again.',
    "If it cannot be fixed before the deadline: DSR-CompleteWithExceptions (the person is told what could not be done, in your reason's words) or DSR-FailRequest.",
  ];
  const text = [
    `Request ${requestId} (${type}) needs attention: ${failed.length} store(s) failed for good; the others finished.`,
    `Due: ${record.dueAt}`,
    '',
    ...lines,
    '',
    'What to do:',
    ...steps.map((s, i) => `${i + 1}. ${s}`),
  ].join('\n');
  const html = [
    `<p>Request <strong>${escapeHtml(requestId)}</strong> (${escapeHtml(type)}) needs attention: ${failed.length} store(s) failed for good; the others finished. Due: ${escapeHtml(record.dueAt)}.</p>`,
    `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    `<p>What to do:</p><ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
  ].join('\n');
  return { subject: `[DSR] Request ${requestId} needs attention`, text, html };
}

/**
 * RequestSupportDecision: `in_progress → needs_attention` with the failed
 * stores and the task token, then emails support (once per wait: a retried
 * task finds the same token and does not email again).
 */
export async function requestSupportDecision(
  ports: AttentionPorts,
  input: AttentionInput,
): Promise<{ requestId: string; status: 'needs_attention' }> {
  const { requestId, taskToken } = input;
  const failedStores = input.failed.map(({ storeId, error, reason }) => ({ storeId, error, reason }));
  const since = ports.clock().toISOString();
  await ports.ledger.needAttention(requestId, { since, failedStores, taskToken });
  const record = await ports.ledger.require(requestId);
  ports.log.warn('request needs attention', {
    requestId,
    stores: failedStores.map((s) => s.storeId),
    errors: failedStores.map((s) => s.error),
  });
  if (ports.support && !record.attention?.supportNotifiedAt) {
    await ports.support.mailer.send({ to: ports.support.to, ...attentionMail(record, failedStores) });
    await ports.ledger.markAttentionNotified(requestId);
  }
  return { requestId, status: 'needs_attention' };
}
