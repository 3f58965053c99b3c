import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDbClient, sesClient } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { sendMail } from '../aws/mailer';
import { limitClientIp } from '../aws/rate-limit';
import { keyedHash, randomCode, randomToken } from '../core/crypto';
import { verificationLink, verificationMail } from '../core/emails';
import { contactOf } from '../core/ledger-record';
import { RequestId } from '../core/request';
import { httpError, httpRoute, json, parseOrThrow } from '../middleware/http';

/** Body of `POST /requests/{requestId}/resend`: nothing, or an empty JSON object. */
export const ResendVerificationBody = z.strictObject({});

const notFound = () => httpError(404, 'not_found', 'there is no such request');

/** What a resend changes: new hashes and expiry; the wrong-attempt count carries over (5 per request, not per code). */
export interface ResentVerification {
  readonly codeHash: string;
  readonly linkTokenHash: string;
  readonly sentAt: string;
  readonly expiresAt: string;
}

/** The condition of the resend's UpdateItem (exported for test doubles of the ledger table). */
export const RESEND_CONDITION =
  '#status = :expected AND verification.taskToken = :task AND ' +
  '(attribute_not_exists(verification.resends) OR verification.resends < :max)';

/** The resend was refused by the ledger's condition (status moved on, task replaced, or limit used up). */
export class ResendRefusedError extends Error {
  override readonly name = 'ResendRefused';
}

/**
 * Replaces the code and link hashes (old ones stop working) and counts the
 * resend, in one conditional UpdateItem: only while the request awaits
 * verification for the same task token and fewer than `max` resends were made,
 * so concurrent resends can never exceed the limit. Returns the new count.
 *
 * Lives here until the ledger adapter has a `resendVerification` method.
 */
export async function recordResend(
  db: DynamoDBDocumentClient,
  tableName: string,
  args: { requestId: string; taskToken: string; max: number; next: ResentVerification },
): Promise<number> {
  const { requestId, taskToken, max, next } = args;
  try {
    const out = await withTransient(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { requestId },
          UpdateExpression:
            'SET verification.codeHash = :codeHash, verification.linkTokenHash = :linkHash, ' +
            'verification.sentAt = :sentAt, verification.expiresAt = :expiresAt, updatedAt = :sentAt, ' +
            'verification.resends = if_not_exists(verification.resends, :zero) + :one',
          ConditionExpression: RESEND_CONDITION,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':codeHash': next.codeHash,
            ':linkHash': next.linkTokenHash,
            ':sentAt': next.sentAt,
            ':expiresAt': next.expiresAt,
            ':zero': 0,
            ':one': 1,
            ':expected': 'pending_verification',
            ':task': taskToken,
            ':max': max,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const attributes = out.Attributes as { verification?: { resends?: number } } | undefined;
    return attributes?.verification?.resends ?? max;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error)?.name === 'ConditionalCheckFailedException'
    ) {
      throw new ResendRefusedError(`request ${requestId} cannot get a new code now`);
    }
    throw error;
  }
}

/** The answer for a request that is no longer waiting for its code (or whose email is not out yet). */
async function explainRefusal(requestId: string, max: number): Promise<never> {
  const record = await ledgerTable().get(requestId);
  if (!record) throw notFound();
  if (record.status !== 'pending_verification') {
    throw httpError(
      409,
      'not_pending',
      `this request is ${record.status.replace('_', ' ')}, so no new code can be sent`,
    );
  }
  if (!record.verification) {
    throw httpError(
      409,
      'not_ready',
      'the first verification email has not been sent yet; please try again in a minute',
    );
  }
  const used = (record.verification as { resends?: number }).resends ?? 0;
  if (used >= max) {
    throw httpError(
      409,
      'resend_limit',
      `this request already had ${max} new code(s), the most we send; please submit a new request`,
      { resendsLeft: 0 },
    );
  }
  // The task token changed under us (the workflow re-sent the first email): the client may simply retry.
  throw httpError(409, 'changed', 'a new code was just sent; please check your email or try again');
}

/**
 * POST /requests/{requestId}/resend: while the request awaits verification,
 * emails a NEW code and link (the old ones stop working) to the address on
 * the request, at most `DSR_MAX_RESENDS` times per request. The wrong-code
 * count carries over. Unknown and malformed ids get the same 404.
 */
export async function resendVerification(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // Resends share the verify budget per client IP: every use of a code, token or link counts.
  await limitClientIp(event, 'verify');
  const id = RequestId.safeParse(event.pathParameters?.requestId);
  if (!id.success) throw notFound();
  const requestId = id.data;
  parseOrThrow(ResendVerificationBody, parseOptionalJson(event.body));

  const cfg = config();
  const max = cfg.DSR_MAX_RESENDS;
  const ledger = ledgerTable();
  const record = await ledger.get(requestId);
  if (!record) throw notFound();
  const verification = record.verification;
  if (record.status !== 'pending_verification' || !verification) return explainRefusal(requestId, max);

  const key = await hashingKey();
  const code = randomCode();
  const linkToken = randomToken();
  const now = new Date();
  let resends: number;
  try {
    resends = await recordResend(dynamoDbClient(), cfg.DSR_LEDGER_TABLE, {
      requestId,
      taskToken: verification.taskToken,
      max,
      next: {
        codeHash: keyedHash(key, 'verification-code', code),
        linkTokenHash: keyedHash(key, 'verification-link', linkToken),
        sentAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + cfg.DSR_VERIFICATION_TTL_SECONDS * 1000).toISOString(),
      },
    });
  } catch (error) {
    if (error instanceof ResendRefusedError) return explainRefusal(requestId, max);
    throw error;
  }

  const mail = verificationMail(record.locale, {
    requestId,
    code,
    link: verificationLink(cfg.DSR_PUBLIC_URL, requestId, linkToken),
    minutes: Math.round(cfg.DSR_VERIFICATION_TTL_SECONDS / 60),
  });
  // If this send fails the new code is stored but unknown to anyone; the client's retry sends another (counted).
  await sendMail(sesClient(), cfg.DSR_MAIL_FROM, { to: contactOf(record).email, ...mail });
  logger.info('verification re-sent', { requestId, resends });
  return json(202, {
    requestId,
    status: 'pending_verification',
    resendsLeft: Math.max(0, max - resends),
    message: 'a new code and link are on their way; earlier ones no longer work',
  });
}

/** The body as JSON, `{}` when empty; malformed JSON is the client's 400. */
function parseOptionalJson(body: string | null | undefined): unknown {
  if (body === null || body === undefined || body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

export const handler = httpRoute(resendVerification);
