/**
 * Identity verification: the subject proves the address with the emailed code
 * or link, which resumes the workflow waiting on the verification task.
 */
import { constantTimeEqual, keyedHash } from '../crypto';
import { type LedgerRecord, MAX_VERIFICATION_ATTEMPTS, StatusConflictError } from '../ledger-record';
import { InvalidTransitionError } from '../lifecycle';
import type {
  Clock,
  Log,
  RequestLedger,
  SubjectBudgets,
  VerificationLedger,
  WorkflowControl,
} from '../ports';
import { RefusedError } from '../refusal';
import { RequestId } from '../request';
import type { VerifyRequestBody } from '../verify-body';
import { decoyStatusToken } from './idempotency';

export interface VerifyPorts {
  readonly ledger: RequestLedger & VerificationLedger;
  readonly workflow: WorkflowControl;
  readonly budgets: SubjectBudgets;
  readonly key: Buffer;
  readonly log: Log;
  readonly clock?: Clock;
}

/** Error names `WorkflowControl.succeed` rejects with when the task no longer waits (timed out or closed). */
const GONE_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** A request id issued by this system, or the "no such request" refusal. */
export function knownRequestId(raw: string | undefined): string {
  const id = RequestId.safeParse(raw);
  if (!id.success) throw new RefusedError('not_found', 'there is no such request');
  return id.data;
}

/** A status move that lost to the workflow moving the request on is the outcome we want. */
const movedOn = (error: unknown) => {
  if (!(error instanceof StatusConflictError || error instanceof InvalidTransitionError)) throw error;
};

/** Counts a wrong code; the last allowed one rejects the request and fails the waiting task. */
async function refuseWrongCode(ports: VerifyPorts, requestId: string, taskToken: string): Promise<never> {
  let attempts: number;
  try {
    attempts = await ports.ledger.recordWrongAttempt(requestId);
  } catch (error) {
    if (error instanceof StatusConflictError) {
      throw new RefusedError('not_pending', 'this request can no longer be verified');
    }
    throw error;
  }
  if (attempts >= MAX_VERIFICATION_ATTEMPTS) {
    const reason = 'too many wrong verification codes';
    // Already rejected (a concurrent wrong code) is fine; so is any other status it moved to meanwhile.
    await ports.ledger.advance(requestId, 'reject', { note: reason }).catch((error: unknown) => {
      if (!(error instanceof StatusConflictError)) throw error;
    });
    await ports.workflow.fail(taskToken, 'VerificationRejected', reason);
    ports.log.info('verification rejected', { requestId });
    throw new RefusedError(
      'rejected',
      'too many wrong codes: this request has been rejected for your protection; please submit a new request',
      { attemptsLeft: 0 },
    );
  }
  const attemptsLeft = MAX_VERIFICATION_ATTEMPTS - attempts;
  throw new RefusedError('wrong_code', `that code is not right; ${attemptsLeft} attempt(s) left`, {
    attemptsLeft,
  });
}

/** The answer to a code sent for an unknown id: "use the link" when the id and token came from a repeated submission. */
function unknownRequest(
  ports: VerifyPorts,
  requestId: string,
  body: VerifyRequestBody,
  statusToken?: string,
) {
  if ('code' in body && statusToken) {
    if (constantTimeEqual(decoyStatusToken(ports.key, requestId), statusToken)) {
      return new RefusedError(
        'use_link',
        'you already had a request of this kind open: we have emailed you its link again; open it to confirm',
      );
    }
  }
  return new RefusedError('not_found', 'there is no such request');
}

/** A code counts only from the holder of the request's status token (the submitter's form or client). */
function requireStatusToken(ports: VerifyPorts, statusTokenHash: string, statusToken?: string): void {
  const presented = keyedHash(ports.key, 'status-token', statusToken ?? '');
  if (!statusToken || !constantTimeEqual(presented, statusTokenHash)) {
    throw new RefusedError(
      'status_token_required',
      'send the code with the status token you got when you submitted ("Authorization: Bearer <statusToken>"), as the form does, or open the link in the email',
    );
  }
}

/**
 * A correction of the email address changes nothing until the new address is
 * proven too: its own code, compared in constant time, a wrong one counted like any.
 */
async function requireNewAddressCode(
  ports: VerifyPorts,
  record: LedgerRecord,
  body: VerifyRequestBody,
): Promise<void> {
  const expected = record.verification?.newAddressCodeHash;
  if (!expected || !record.verification) return;
  if (!body.newAddressCode) {
    throw new RefusedError(
      'new_address_code_required',
      'this request changes your email address: also send the code we emailed to the new address ("newAddressCode")',
    );
  }
  const presented = keyedHash(ports.key, 'verification-code', body.newAddressCode);
  if (!constantTimeEqual(presented, expected)) {
    await refuseWrongCode(ports, record.requestId, record.verification.taskToken);
  }
}

/**
 * Verifies a pending request with `{code}` or `{token}`: resumes the workflow
 * and records `verified`. Knowing the request id is not enough to harm it
 * (issue 18, finding 1): a wrong link token is refused and never counted (256
 * bits cannot be guessed); a code is only tried with the request's status
 * token, and wrong codes count against the request (too many reject it) and
 * the subject's code budget for this request type.
 */
export async function verifyRequest(
  ports: VerifyPorts,
  requestId: string,
  body: VerifyRequestBody,
  statusToken?: string,
): Promise<{ requestId: string; status: 'verified' }> {
  const { ledger, log } = ports;
  const record = await ledger.get(requestId);
  if (!record) throw unknownRequest(ports, requestId, body, statusToken);
  if (record.status !== 'pending_verification') {
    throw new RefusedError(
      'not_pending',
      `this request is ${record.status.replace('_', ' ')} and cannot be verified again`,
    );
  }
  const verification = record.verification;
  if (!verification) {
    throw new RefusedError(
      'not_ready',
      'the verification email has not been sent yet; please try again in a minute',
    );
  }
  if (Date.parse(verification.expiresAt) <= (ports.clock?.().getTime() ?? Date.now())) {
    throw new RefusedError(
      'code_expired',
      'this code or link has expired; ask for a new code (POST /requests/{requestId}/resend, or "Send me a new code" on the form)',
    );
  }

  if ('token' in body) {
    const presented = keyedHash(ports.key, 'verification-link', body.token);
    if (!constantTimeEqual(presented, verification.linkTokenHash)) {
      throw new RefusedError(
        'wrong_link',
        'this link is not valid (a newer email may have replaced it); please use the link in the latest email we sent you',
      );
    }
    await requireNewAddressCode(ports, record, body);
  } else {
    requireStatusToken(ports, record.statusTokenHash, statusToken);
    // A 6-digit code is guessable in aggregate: cap code attempts per person and type, not just per IP and request.
    await ports.budgets.codeAttempt(record.subjectHash, record.type);
    const presented = keyedHash(ports.key, 'verification-code', body.code);
    if (!constantTimeEqual(presented, verification.codeHash)) {
      return refuseWrongCode(ports, requestId, verification.taskToken);
    }
    await requireNewAddressCode(ports, record, body);
  }
  // The person's budget counts verified requests only (see SubjectBudgets.submission).
  await ports.budgets.verified(record.subjectHash, record.type);

  // Resume the workflow first: if that fails the request stays pending and the same code works on a retry.
  // Should the ledger write below be lost, PlanStores records `verified` (only this endpoint resumes the task).
  const verifiedAt = ports.clock?.() ?? new Date();
  try {
    await ports.workflow.succeed(verification.taskToken, { verifiedAt: verifiedAt.toISOString() });
  } catch (error) {
    if (!(error instanceof Error && GONE_TASK_ERRORS.has(error.name))) throw error;
    // Step Functions says the same when the wait timed out and when an earlier try of this very
    // verification resumed it but could not answer (its ledger write failed): while the code is
    // still valid, the wait cannot have timed out, so it was ours and the request is verified.
    if (Date.parse(verification.expiresAt) <= verifiedAt.getTime()) {
      log.warn('verified after the workflow stopped waiting', { requestId });
      throw new RefusedError('code_expired', 'this request has expired; please submit a new request');
    }
    log.info('verification resumed the workflow on an earlier try', { requestId });
  }
  // The workflow may already have moved the request past `verified` (PlanStores): that is what we want.
  await ledger.advance(requestId, 'verify', { now: verifiedAt }).catch(movedOn);
  log.info('request verified', { requestId });
  return { requestId, status: 'verified' };
}
