/**
 * One-click unsubscribe (RFC 8058). `GET /unsubscribe?token=…` shows a
 * confirmation page and changes nothing (link scanners prefetch links);
 * `POST /unsubscribe?token=…` (a mail client's `List-Unsubscribe=One-Click`,
 * the page's button, or JSON `{token}`) starts an opt-out that needs no
 * verification, because the signed token proves the address.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from 'http-errors';
import { z } from 'zod';
import { dynamoDbClient, sfnClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { limitClientIp } from '../aws/rate-limit';
import { startRequestExecution } from '../aws/workflow';
import { keyedHash, randomToken } from '../core/crypto';
import { pageHeaders } from '../core/html';
import { DuplicateRequestError, type LedgerRecord, StatusConflictError } from '../core/ledger-record';
import { InvalidTransitionError } from '../core/lifecycle';
import { unsubscribeConfirmationPage, unsubscribedPage, unsubscribeRefusedPage } from '../core/pages';
import { dueAtFor, subjectLookupForm } from '../core/request';
import { newRequestId } from '../core/request-id';
import { readUnsubscribeToken, UnsubscribeTokenError, usedTokenKey } from '../core/unsubscribe-token';
import { asHttpError, html, httpError, httpRoute, json, unavailableError } from '../middleware/http';

const JSON_TYPE = /^application\/json($|;)/;

const Token = z.string().min(1).max(2000);
/** JSON body of `POST /unsubscribe` when the token is not in the query. */
export const UnsubscribeBody = z.strictObject({ token: Token });
/** Form body: RFC 8058's `List-Unsubscribe=One-Click`, optionally the token. */
const UnsubscribeForm = z.strictObject({
  'List-Unsubscribe': z.literal('One-Click').optional(),
  token: Token.optional(),
});

/** What a POST did: a new opt-out, or nothing because this token was used before. */
export interface UnsubscribeOutcome {
  readonly status: 'unsubscribed' | 'already_unsubscribed';
  readonly requestId?: string;
}

const invalidLink = () =>
  httpError(
    400,
    'invalid_token',
    'this unsubscribe link is not valid; use the link from your most recent email',
  );

/** 400 for a malformed or tampered token, 410 for an expired one; no token or address in the message. */
function tokenProblem(error: UnsubscribeTokenError) {
  if (error.reason === 'expired') {
    return httpError(
      410,
      'token_expired',
      'this unsubscribe link has expired; use the link in a more recent email, or ask us to stop marketing on the request form',
    );
  }
  return invalidLink();
}

function emailOf(key: Buffer, token: string, now: Date): string {
  try {
    return readUnsubscribeToken(key, token, now);
  } catch (error) {
    if (error instanceof UnsubscribeTokenError) throw tokenProblem(error);
    throw error;
  }
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

function suppressionTable(): string {
  const table = config().DSR_SUPPRESSION_TABLE;
  if (!table) throw new Error('DSR_SUPPRESSION_TABLE is not set');
  return table;
}

/**
 * Marks the token used (conditional put of `token#<keyed hash>` in the
 * suppression table), naming the request it starts. If it was used before,
 * the request id of that first use comes back with `first: false`.
 */
export async function claimToken(
  db: DynamoDBDocumentClient,
  tableName: string,
  marker: string,
  requestId: string,
  now: Date,
): Promise<{ readonly requestId: string; readonly first: boolean }> {
  try {
    await withTransient(() =>
      db.send(
        new PutCommand({
          TableName: tableName,
          Item: { subjectHash: marker, requestId, usedAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(subjectHash)',
        }),
      ),
    );
    return { requestId, first: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const out = await withTransient(() =>
    db.send(new GetCommand({ TableName: tableName, Key: { subjectHash: marker }, ConsistentRead: true })),
  );
  const previous = z.object({ requestId: z.string().min(1) }).safeParse(out.Item);
  if (!previous.success) throw new Error('the used-token marker names no request');
  return { requestId: previous.data.requestId, first: false };
}

/** The opt-out's ledger entry, created once; a concurrent first use may have created it already. */
async function ensureLedgerEntry(
  requestId: string,
  email: string,
  key: Buffer,
  now: Date,
): Promise<LedgerRecord | undefined> {
  const ledger = ledgerTable();
  const existing = await ledger.get(requestId);
  if (existing) return existing;
  try {
    return await ledger.create(
      {
        requestId,
        type: 'opt_out',
        // The token carries no jurisdiction or language: Indonesia's deadline, and the bilingual confirmation.
        jurisdiction: 'ID',
        locale: 'en',
        receivedAt: now.toISOString(),
        dueAt: dueAtFor('ID', now).toISOString(),
        subjectHash: keyedHash(key, 'subject', subjectLookupForm(email)),
        contact: { email },
        // Nobody is given a status token for a one-click opt-out; the hash of a random one fills the slot.
        statusTokenHash: keyedHash(key, 'status-token', randomToken()),
      },
      now,
    );
  } catch (error) {
    if (error instanceof DuplicateRequestError) return ledger.get(requestId);
    throw error;
  }
}

/**
 * Opts the token's address out: the first use records an opt-out request,
 * verified by the token, and starts its workflow with `preVerified`. A later
 * use of the same token starts nothing new; if the first use was cut short
 * (entry written, workflow not started) it finishes that one.
 */
export async function unsubscribe(token: string, now = new Date()): Promise<UnsubscribeOutcome> {
  const key = await hashingKey();
  const email = emailOf(key, token, now);
  const claim = await claimToken(
    dynamoDbClient(),
    suppressionTable(),
    usedTokenKey(key, token),
    newRequestId('opt_out', now),
    now,
  );
  const { requestId } = claim;
  const record = await ensureLedgerEntry(requestId, email, key, now);
  const answer: UnsubscribeOutcome = claim.first
    ? { status: 'unsubscribed', requestId }
    : { status: 'already_unsubscribed' };
  if (!record || (record.status !== 'pending_verification' && record.status !== 'verified')) {
    logger.info('unsubscribe link used again', { requestId });
    return answer;
  }
  if (record.status === 'pending_verification') {
    await ledgerTable()
      .transition(requestId, 'verify', { note: 'one-click unsubscribe', now })
      .catch((error: unknown) => {
        // A concurrent use of the same token recorded it first.
        if (!(error instanceof StatusConflictError || error instanceof InvalidTransitionError)) throw error;
      });
  }
  try {
    await startRequestExecution(sfnClient(), config().DSR_STATE_MACHINE_ARN, {
      requestId,
      type: 'opt_out',
      preVerified: true,
    });
  } catch (error) {
    // Named after the request: it exists, so an earlier use started it.
    if ((error as Error)?.name !== 'ExecutionAlreadyExists') {
      // The entry stays `verified` and the token claimed: the same link, used again, starts it.
      logger.error('could not start the opt-out workflow', { requestId, errorName: (error as Error)?.name });
      throw unavailableError(30);
    }
  }
  logger.info('one-click unsubscribe accepted', { requestId, first: claim.first });
  return answer;
}

/** The token of a POST: from the query (RFC 8058), else from the form or JSON body. */
function tokenOfPost(event: APIGatewayProxyEvent, contentType: string): string {
  const body = typeof event.body === 'string' ? event.body : '';
  const raw = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  let fromBody: string | undefined;
  if (JSON_TYPE.test(contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
    }
    const result = UnsubscribeBody.partial().safeParse(parsed);
    if (!result.success) throw httpError(400, 'invalid_request', 'the body may only hold {"token": "…"}');
    fromBody = result.data.token;
  } else if (raw.length > 0) {
    // RFC 8058 mail clients send a form; some send it without a content type.
    const form = UnsubscribeForm.safeParse(Object.fromEntries(new URLSearchParams(raw)));
    if (!form.success) throw httpError(400, 'invalid_request', 'expected List-Unsubscribe=One-Click');
    fromBody = form.data.token;
  }
  const token = event.queryStringParameters?.token ?? fromBody;
  if (!token || !Token.safeParse(token).success) throw invalidLink();
  return token;
}

/** The error as an HTML page with the same status (and Retry-After); 5xx stay errors. */
function refusedPage(caught: unknown): APIGatewayProxyResult {
  const error = asHttpError(caught) as HttpError;
  const status = error.statusCode;
  if (typeof status !== 'number' || status >= 500) throw error;
  const message = (JSON.parse(error.message) as { message?: string }).message ?? 'this link cannot be used';
  const retryAfter = error.headers?.['retry-after'];
  return html(status, unsubscribeRefusedPage(message), {
    ...pageHeaders(),
    ...(retryAfter ? { 'retry-after': retryAfter } : {}),
  });
}

/**
 * GET: the confirmation page for a valid token (400 or 410 page otherwise),
 * never an opt-out. POST: the opt-out, answered as JSON to a JSON body and as
 * a page otherwise; a token used before → 200 "already unsubscribed".
 */
export async function unsubscribeRoute(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.httpMethod === 'GET') {
    const token = event.queryStringParameters?.token;
    try {
      if (!token || !Token.safeParse(token).success) throw invalidLink();
      emailOf(await hashingKey(), token, new Date());
    } catch (error) {
      return refusedPage(error);
    }
    return html(200, unsubscribeConfirmationPage(token), pageHeaders());
  }

  const contentType = event.headers?.['content-type'] ?? '';
  if (JSON_TYPE.test(contentType)) {
    await limitClientIp(event, 'verify');
    return json(200, await unsubscribe(tokenOfPost(event, contentType)));
  }
  try {
    await limitClientIp(event, 'verify');
    const outcome = await unsubscribe(tokenOfPost(event, contentType));
    return html(200, unsubscribedPage(outcome.status === 'already_unsubscribed'), pageHeaders());
  } catch (error) {
    return refusedPage(error);
  }
}

export const handler = httpRoute(unsubscribeRoute);
