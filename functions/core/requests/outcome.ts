/** The end of a request's workflow: its final status, then minimisation of what it no longer needs. */
import { auditEmailSent, auditOutcome } from '../audit/events';
import type { LedgerRecord } from '../ledger-record';
import { MINIMISED_STATUSES } from '../ledger-record';
import { type LifecycleEvent, type RequestStatus, TERMINAL_STATUSES } from '../lifecycle';
import type {
  AuditTrail,
  DeadlineLedger,
  Log,
  Mailer,
  OutcomeMailLedger,
  RequestLedger,
  RetentionLedger,
} from '../ports';
import { verificationExpiredMail, verificationRejectedMail } from '../support/person-mails';
import { VERIFICATION_UNDELIVERABLE } from './mail-feedback';

export type Outcome = 'completed' | 'failed' | 'expired' | 'rejected' | 'cancelled';

const EVENT: Record<Outcome, LifecycleEvent> = {
  completed: 'complete',
  failed: 'fail',
  expired: 'expire',
  rejected: 'reject',
  cancelled: 'cancel',
};

export const MAX_CAUSE_CHARS = 500;

export interface OutcomePorts {
  readonly ledger: RequestLedger &
    Pick<RetentionLedger, 'minimise'> &
    Partial<Pick<DeadlineLedger, 'closeClocks'>> &
    Partial<OutcomeMailLedger>;
  readonly log: Log;
  /** Tells the person a request ended unverified (expired, rejected); absent in tests of other concerns. */
  readonly mail?: { readonly mailer: Mailer; readonly publicUrl: string };
  /** The request's audit chain (owner: audit); absent in tests of other concerns. */
  readonly auditTrail?: AuditTrail;
}

export interface OutcomeInput {
  readonly requestId: string;
  readonly outcome: Outcome;
  /** The error the workflow caught: for `failed`, and for `expired` when the verification email bounced. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/**
 * Drops contact data from a finished request. Not on `failed`: support must
 * still be able to reach the person about a request that did not finish.
 */
async function minimiseIfFinished(ports: OutcomePorts, requestId: string, status: RequestStatus) {
  if (!MINIMISED_STATUSES.includes(status)) return;
  await ports.ledger.minimise(requestId);
  ports.log.info('ledger entry minimised', { requestId, status });
}

const TEMPLATE = { expired: verificationExpiredMail, rejected: verificationRejectedMail } as const;

/**
 * Emails the person once (claimed in the ledger before sending, released if
 * the send fails so the task's retry sends it) that their unverified request ended.
 */
async function tellPerson(ports: OutcomePorts, record: LedgerRecord, outcome: 'expired' | 'rejected') {
  const { ledger, mail } = ports;
  if (!mail || !record.contact || !ledger.claimOutcomeMail || !ledger.releaseOutcomeMail) return;
  const at = new Date().toISOString();
  if (!(await ledger.claimOutcomeMail(record.requestId, at))) return;
  const content = TEMPLATE[outcome]({
    requestId: record.requestId,
    type: record.type,
    locale: record.locale,
    publicUrl: mail.publicUrl,
  });
  try {
    await mail.mailer.send({ to: record.contact.email, ...content });
  } catch (error) {
    await ledger.releaseOutcomeMail(record.requestId, at);
    throw error;
  }
  await auditEmailSent(ports.auditTrail, record.requestId, `verification-${outcome}`, `outcome-${outcome}`);
}

/**
 * Records the final status, then minimises a finished request; idempotent (a
 * retry minimises again). A missing request is logged, not retried; a request
 * already finished otherwise keeps its outcome.
 */
export async function recordOutcome(
  ports: OutcomePorts,
  { requestId, outcome, error }: OutcomeInput,
): Promise<{ requestId: string; status: string }> {
  const { ledger, log } = ports;
  const record = await ledger.get(requestId);
  if (!record) {
    log.error('outcome for a request missing from the ledger', { requestId, outcome });
    return { requestId, status: 'missing' };
  }
  if (record.status !== outcome && TERMINAL_STATUSES.has(record.status)) {
    // A finished request keeps its outcome; retrying cannot change that, so do not fail the workflow over it.
    log.warn('outcome ignored for a finished request', { requestId, outcome, status: record.status });
    return { requestId, status: record.status };
  }
  const failure =
    outcome === 'failed'
      ? {
          error: (error?.Error ?? 'Unknown').slice(0, 200),
          cause: (error?.Cause ?? '').slice(0, MAX_CAUSE_CHARS),
        }
      : undefined;
  // Expired because the verification email bounced: the reason goes to the ledger, and no mail to that address.
  const undeliverable =
    outcome === 'expired' && error?.Error === VERIFICATION_UNDELIVERABLE
      ? (error.Cause ?? 'verification email bounced').slice(0, 200)
      : undefined;
  // The person hears why nothing happened first, while the contact is still there (sent once: claimed).
  if ((outcome === 'expired' && !undeliverable) || outcome === 'rejected')
    await tellPerson(ports, record, outcome);
  // Already there (a retry, or a concurrent writer reaching the same outcome) is success. A finished
  // request is minimised in the same write, so no reader ever sees it finished with contact data.
  const { already } = await ledger.advance(requestId, EVENT[outcome], {
    ...(failure ? { failure, note: failure.error } : {}),
    ...(undeliverable ? { note: undeliverable } : {}),
    minimise: true,
  });
  // A retry after a write that finished but did not minimise (an older entry) minimises now.
  if (already) await minimiseIfFinished(ports, requestId, outcome);
  await auditOutcome(
    ports.auditTrail,
    requestId,
    outcome,
    undeliverable ? VERIFICATION_UNDELIVERABLE : failure?.error,
  );
  // The request answered its clocks (metAt) and leaves the deadline watch.
  await ledger.closeClocks?.(requestId, new Date());
  if (!already) log.info('outcome recorded', { requestId, outcome });
  return { requestId, status: outcome };
}

/**
 * What the last task of each type (SendExportLink, IssueCertificate,
 * RecordSuppression, ConfirmChange) does at its end: exactly RecordOutcome's
 * "completed", so no MarkCompleted state (one transition, one invocation) follows.
 */
export function completeRequest(
  ports: OutcomePorts,
  requestId: string,
): Promise<{ requestId: string; status: string }> {
  return recordOutcome(ports, { requestId, outcome: 'completed' });
}
