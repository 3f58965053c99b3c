/**
 * What SES tells us after a send: a bounce or a complaint. A verification
 * email that bounced for good can never be answered, so the request ends
 * `expired` at once, with the reason, instead of waiting out its 72 hours.
 */
import type { Log, MailPurpose, RequestLedger, WorkflowControl } from '../ports';
import { isGoneTask } from '../workflow-task';

/** The error the verification wait fails with; the workflow catches it like its timeout (`MarkExpired`). */
export const VERIFICATION_UNDELIVERABLE = 'VerificationUndeliverable';

/** One SES bounce or complaint, reduced to what decides anything: no addresses, no diagnostic text. */
export interface MailFeedback {
  readonly kind: 'bounce' | 'complaint';
  /** SES's `bounceType`: only `Permanent` means the address cannot receive mail. */
  readonly bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  /** SES's `bounceSubType` (e.g. `General`, `NoEmail`, `Suppressed`), a word. */
  readonly bounceSubType?: string;
  /** From the email's tags; absent for an email sent without them. */
  readonly requestId?: string;
  readonly purpose?: MailPurpose;
}

export interface MailFeedbackPorts {
  readonly ledger: Pick<RequestLedger, 'get'>;
  readonly workflow: Pick<WorkflowControl, 'fail'>;
  readonly log: Log;
}

export type MailFeedbackResult =
  /** The verification wait was failed: the workflow records `expired` with the reason. */
  | 'expiring'
  /** Logged only: a complaint, a soft bounce, or an email nothing waits on. */
  | 'recorded';

/** The reason the ledger keeps (history note) and the workflow carries as the error's cause. */
export function undeliverableReason(feedback: Pick<MailFeedback, 'bounceType' | 'bounceSubType'>): string {
  return `verification email bounced (${feedback.bounceType ?? 'Unknown'}/${feedback.bounceSubType ?? 'Unknown'})`;
}

/**
 * Logs every bounce and complaint by request id (SES's account-level rates are
 * what production access depends on), and ends a request whose verification
 * email bounced for good through the workflow's own expiry path. Idempotent:
 * a repeated event finds the wait gone or the request no longer pending.
 */
export async function recordMailFeedback(
  ports: MailFeedbackPorts,
  feedback: MailFeedback,
): Promise<MailFeedbackResult> {
  const { requestId, purpose, kind, bounceType, bounceSubType } = feedback;
  ports.log.warn(kind === 'bounce' ? 'email bounced' : 'email complaint', {
    requestId,
    purpose,
    bounceType,
    bounceSubType,
  });
  if (kind !== 'bounce' || bounceType !== 'Permanent' || purpose !== 'verification' || !requestId) {
    return 'recorded';
  }
  const record = await ports.ledger.get(requestId);
  const taskToken = record?.verification?.taskToken;
  if (record?.status !== 'pending_verification' || !taskToken) {
    ports.log.info('bounce of a verification email no request waits on', {
      requestId,
      status: record?.status,
    });
    return 'recorded';
  }
  try {
    await ports.workflow.fail(taskToken, VERIFICATION_UNDELIVERABLE, undeliverableReason(feedback));
  } catch (error) {
    if (!isGoneTask(error)) throw error;
    ports.log.info('verification wait already over', { requestId });
    return 'recorded';
  }
  ports.log.info('verification undeliverable; request expiring', { requestId });
  return 'expiring';
}
