import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { sfnClient } from '../aws/clients';
import { hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { limitSubjectVerification } from '../aws/rate-limit';
import { completeTask, failTask, isGoneTask } from '../aws/workflow';
import { constantTimeEqual, keyedHash } from '../core/crypto';
import { page } from '../core/html';
import { MAX_VERIFICATION_ATTEMPTS, StatusConflictError } from '../core/ledger-record';
import { InvalidTransitionError } from '../core/lifecycle';
import { RequestId, VerifyRequestBody } from '../core/request';
import { answerJsonOrForm } from './form-post';
import { httpError, httpRoute, parseOrThrow } from './middleware';

/** The verify outcome as JSON: 200 verified, or the http-error to throw. */
async function verify(
  requestIdRaw: string | undefined,
  rawBody: unknown,
): Promise<{ requestId: string; status: 'verified' }> {
  const idResult = RequestId.safeParse(requestIdRaw);
  if (!idResult.success) throw httpError(404, 'not_found', 'there is no such request');
  const requestId = idResult.data;
  const body = parseOrThrow(VerifyRequestBody, rawBody);

  const ledger = ledgerTable();
  const record = await ledger.get(requestId);
  if (!record) throw httpError(404, 'not_found', 'there is no such request');
  if (record.status !== 'pending_verification') {
    throw httpError(
      409,
      'not_pending',
      `this request is ${record.status.replace('_', ' ')} and cannot be verified again`,
    );
  }
  const verification = record.verification;
  if (!verification) {
    throw httpError(
      409,
      'not_ready',
      'the verification email has not been sent yet; please try again in a minute',
    );
  }
  if (Date.parse(verification.expiresAt) <= Date.now()) {
    throw httpError(
      410,
      'code_expired',
      'this code or link has expired; ask for a new code (POST /requests/{requestId}/resend, or "Send me a new code" on the form)',
    );
  }

  // A 6-digit code is guessable in aggregate: cap code attempts per person, not just per IP and request.
  if ('code' in body) await limitSubjectVerification(record.subjectHash);
  const key = await hashingKey();
  const matches =
    'code' in body
      ? constantTimeEqual(keyedHash(key, 'verification-code', body.code), verification.codeHash)
      : constantTimeEqual(keyedHash(key, 'verification-link', body.token), verification.linkTokenHash);

  if (!matches) {
    let attempts: number;
    try {
      attempts = await ledger.recordWrongAttempt(requestId);
    } catch (error) {
      if (error instanceof StatusConflictError) {
        throw httpError(409, 'not_pending', 'this request can no longer be verified');
      }
      throw error;
    }
    if (attempts >= MAX_VERIFICATION_ATTEMPTS) {
      await ledger
        .transition(requestId, 'reject', { note: 'too many wrong verification codes' })
        .catch((error: unknown) => {
          if (!(error instanceof StatusConflictError)) throw error;
        });
      await failTask(
        sfnClient(),
        verification.taskToken,
        'VerificationRejected',
        'too many wrong verification codes',
      );
      logger.info('verification rejected', { requestId });
      throw httpError(
        403,
        'rejected',
        'too many wrong codes: this request has been rejected for your protection; please submit a new request',
        { attemptsLeft: 0 },
      );
    }
    const attemptsLeft = MAX_VERIFICATION_ATTEMPTS - attempts;
    throw httpError(403, 'wrong_code', `that code is not right; ${attemptsLeft} attempt(s) left`, {
      attemptsLeft,
    });
  }

  // Resume the workflow first: if that fails the request stays pending and the same code works on a retry.
  // Should the ledger write below be lost, PlanStores records `verified` (only this endpoint resumes the task).
  const verifiedAt = new Date();
  try {
    await completeTask(sfnClient(), verification.taskToken, { verifiedAt: verifiedAt.toISOString() });
  } catch (error) {
    if (isGoneTask(error)) {
      logger.warn('verified after the workflow stopped waiting', { requestId });
      throw httpError(410, 'code_expired', 'this request has expired; please submit a new request');
    }
    throw error;
  }
  await ledger.transition(requestId, 'verify', { now: verifiedAt }).catch((error: unknown) => {
    // The workflow may already have moved the request on (PlanStores): that is the outcome we want.
    if (!(error instanceof StatusConflictError || error instanceof InvalidTransitionError)) throw error;
  });
  logger.info('request verified', { requestId });
  return { requestId, status: 'verified' };
}

/**
 * POST /requests/{requestId}/verify with `{code}` or `{token}`. JSON in, JSON
 * out; a form post from the confirmation page gets a small HTML page back.
 */
export async function verifyRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return answerJsonOrForm(event, (body) => verify(event.pathParameters?.requestId, body), {
    done: page(
      'Request confirmed',
      '<h1>Thank you</h1><p>Your request is confirmed. We will email you when it is done.</p>',
    ),
    refusedTitle: 'Request not confirmed',
    refusedHeading: 'Not confirmed',
  });
}

export const handler = httpRoute(verifyRequest, { body: true, allowForm: true });
