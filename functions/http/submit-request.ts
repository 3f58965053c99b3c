import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { sfnClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import {
  once,
  replayableStatusToken,
  type SubmissionFingerprint,
  submissionFingerprint,
} from '../aws/idempotency';
import { logger } from '../aws/logger';
import { limitClientIp, limitSubject } from '../aws/rate-limit';
import { startRequestExecution } from '../aws/workflow';
import { keyedHash, randomToken } from '../core/crypto';
import type { RequestStatus } from '../core/lifecycle';
import { dueAtFor, SubmitRequestBody, subjectLookupForm } from '../core/request';
import { newRequestId } from '../core/request-id';
import { httpError, httpRoute, json, parseOrThrow, unavailableError } from './middleware';

type Body = z.output<typeof SubmitRequestBody>;

/** `Idempotency-Key`: opaque, unguessable (16+ characters, e.g. a UUID), printable ASCII without spaces. */
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{16,128}$/);

/**
 * What a submission decided, as remembered for an `Idempotency-Key` replay:
 * ids and a status only, never a token or contact data.
 */
interface Outcome extends Record<string, unknown> {
  readonly requestId: string;
  readonly status: RequestStatus;
  /** True when the subject already had an open request of this type and this is it. */
  readonly existing: boolean;
}

/** Records the request in the ledger first, then starts its workflow. */
async function startNew(
  body: Body,
  subjectHash: string,
  key: Buffer,
  statusTokenFor: (requestId: string) => string,
): Promise<Outcome> {
  const ledger = ledgerTable();
  const now = new Date();
  const requestId = newRequestId(body.type, now);
  const statusToken = statusTokenFor(requestId);
  await ledger.create(
    {
      requestId,
      type: body.type,
      jurisdiction: body.jurisdiction,
      locale: body.locale,
      receivedAt: now.toISOString(),
      dueAt: dueAtFor(body.jurisdiction, now).toISOString(),
      subjectHash,
      contact: {
        email: body.email,
        ...(body.fullName ? { fullName: body.fullName } : {}),
        ...(body.phone ? { phone: body.phone } : {}),
      },
      statusTokenHash: keyedHash(key, 'status-token', statusToken),
    },
    now,
  );
  try {
    await startRequestExecution(sfnClient(), config().DSR_STATE_MACHINE_ARN, { requestId, type: body.type });
  } catch (error) {
    logger.error('could not start the workflow', { requestId, errorName: (error as Error).name });
    await ledger
      .transition(requestId, 'fail', {
        note: 'the workflow could not be started',
        failure: { error: 'WorkflowNotStarted', cause: `StartExecution failed: ${(error as Error).name}` },
      })
      .catch((markError: unknown) =>
        logger.error('could not mark the request failed', {
          requestId,
          errorName: (markError as Error).name,
        }),
      );
    throw httpError(
      503,
      'unavailable',
      'the request could not be started; please try again in a few minutes',
    );
  }
  logger.info('request accepted', { requestId });
  return { requestId, status: 'pending_verification', existing: false };
}

/**
 * One submission: the per-subject budget, then the subject's open request of
 * this type if there is one, else a new request. `statusTokenFor` gives the
 * token of a new request (random, or replayable under an Idempotency-Key).
 */
async function accept(
  body: Body,
  key: Buffer,
  statusTokenFor: (requestId: string) => string,
): Promise<Outcome> {
  const subjectHash = keyedHash(key, 'subject', subjectLookupForm(body.email));
  await limitSubject(subjectHash);
  const open = await ledgerTable().openRequestFor(subjectHash, body.type);
  if (open) {
    logger.info('repeated submission answered with the open request', { requestId: open.requestId });
    return { requestId: open.requestId, status: open.status, existing: true };
  }
  return startNew(body, subjectHash, key, statusTokenFor);
}

/** The 202 answer. `statusToken` is null when the answer names an already open request. */
function answer(outcome: Outcome, statusToken: string | null): APIGatewayProxyResult {
  return json(202, { requestId: outcome.requestId, status: outcome.status, statusToken });
}

/** Maps Powertools idempotency failures to plain answers. */
function idempotencyProblem(error: unknown): unknown {
  switch ((error as Error)?.name) {
    case 'IdempotencyValidationError':
      return httpError(
        422,
        'idempotency_key_reused',
        'this Idempotency-Key was already used with a different request body; use a new key for a new request',
      );
    case 'IdempotencyAlreadyInProgressError': {
      const busy = httpError(
        409,
        'request_in_progress',
        'a request with this Idempotency-Key is still being processed; please retry in a moment',
      );
      busy.headers = { ...busy.headers, 'retry-after': '1' };
      return busy;
    }
    case 'IdempotencyPersistenceLayerError':
    case 'IdempotencyInconsistentStateError':
    case 'IdempotencyUnavailable':
      // Without the record we cannot promise "at most once": refuse rather than risk a duplicate.
      logger.error('idempotency store unavailable', { errorName: (error as Error).name });
      return unavailableError();
    default:
      return error;
  }
}

/**
 * POST /requests: records the request in the ledger first, then starts its
 * workflow. The answer never depends on whether the email is known to the
 * company's stores (nothing here looks there).
 *
 * - Budgets: per client IP (every call), and per subject (keyed hash of the
 *   email) for every well-formed submission; over either → 429 with Retry-After.
 * - `Idempotency-Key` header: a repeat with the same key and body within 24 h gets
 *   the first answer again (same request id, status token and status code) and
 *   starts nothing; the same key with another body → 422.
 * - The same subject and type while a request is open (not finished) → 202 with
 *   that request's id and status and `statusToken: null`. Its token went to
 *   whoever submitted it, and is stored only hashed; issuing a new one would let
 *   anyone who knows an email watch that person's request (including per-store
 *   record counts, which would reveal whether the company holds their data).
 *   What this answer tells is only that this person has an open request.
 */
export async function submitRequest(
  event: APIGatewayProxyEvent,
  context?: Context,
): Promise<APIGatewayProxyResult> {
  await limitClientIp(event, 'submit');
  const body = parseOrThrow(SubmitRequestBody, event.body);
  const rawKey = event.headers?.['idempotency-key'];
  const key = await hashingKey();

  if (rawKey === undefined) {
    const statusToken = randomToken();
    const outcome = await accept(body, key, () => statusToken);
    return answer(outcome, outcome.existing ? null : statusToken);
  }

  const idempotencyKey = IdempotencyKey.safeParse(rawKey.trim());
  if (!idempotencyKey.success) {
    throw httpError(
      400,
      'invalid_idempotency_key',
      'the Idempotency-Key header must be 16 to 128 printable characters without spaces, e.g. a UUID',
    );
  }
  const fingerprint: SubmissionFingerprint = submissionFingerprint(key, idempotencyKey.data, body);
  const tokenFor = (requestId: string) => replayableStatusToken(key, fingerprint, requestId);
  let outcome: Outcome;
  try {
    outcome = await once(fingerprint, () => accept(body, key, tokenFor), context);
  } catch (error) {
    throw idempotencyProblem(error);
  }
  return answer(outcome, outcome.existing ? null : tokenFor(outcome.requestId));
}

export const handler = httpRoute(submitRequest, { body: true });
