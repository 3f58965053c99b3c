import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { hashingKey, ledgerTable } from '../aws/composition-root';
import { logger } from '../aws/logger';
import { constantTimeEqual, type HashPurpose, keyedHash } from '../core/crypto';
import { page, pageHeaders } from '../core/html';
import { StatusConflictError } from '../core/ledger-record';
import { InvalidTransitionError } from '../core/lifecycle';
import { RequestId } from '../core/request';
import { answerJsonOrForm } from './form-post';
import { html, httpError, httpRoute, parseOrThrow } from './middleware';
import { cancelConfirmationPage, invalidLinkPage } from './pages';

// Same purpose as ScheduleErasure's; the cast goes once `HashPurpose` lists 'cancel-token'.
const CANCEL_TOKEN_PURPOSE = 'cancel-token' satisfies HashPurpose;

const Token = z.string().min(20).max(200);
/** Body of `POST /requests/{requestId}/cancel`: the token from the emailed link. */
export const CancelRequestBody = z.strictObject({ token: Token });

// One answer for "no such request" and "wrong token", so ids cannot be probed.
const notFound = () =>
  httpError(404, 'not_found', 'no request matches this cancel link, or the link is no longer valid');

const started = () =>
  httpError(
    409,
    'erasure_started',
    'erasure has already started or finished, so it can no longer be cancelled',
  );

/** Cancels the delete if the token matches and its grace period is still running. */
async function cancel(
  requestIdRaw: string | undefined,
  rawBody: unknown,
): Promise<{ requestId: string; status: 'cancelled' }> {
  const { token } = parseOrThrow(CancelRequestBody, rawBody);
  const id = RequestId.safeParse(requestIdRaw);
  const key = await hashingKey();
  const presented = keyedHash(key, CANCEL_TOKEN_PURPOSE, token);
  if (!id.success) throw notFound();
  const requestId = id.data;
  const ledger = ledgerTable();
  const record = await ledger.get(requestId);
  // Compare even when there is nothing to compare with, so every miss takes the same time.
  const stored =
    record?.erasureSchedule?.cancelTokenHash ?? keyedHash(key, CANCEL_TOKEN_PURPOSE, 'no-such-request');
  if (!constantTimeEqual(presented, stored) || !record?.erasureSchedule) throw notFound();

  if (record.status === 'cancelled') return { requestId, status: 'cancelled' };
  if (record.status !== 'scheduled') throw started();
  try {
    // Conditional on `scheduled`: if PlanStores started the erasure first, this loses and says so.
    await ledger.cancel(requestId);
  } catch (error) {
    if (error instanceof StatusConflictError && error.current === 'cancelled')
      return { requestId, status: 'cancelled' };
    if (error instanceof StatusConflictError || error instanceof InvalidTransitionError) throw started();
    throw error;
  }
  logger.info('delete cancelled by the subject', { requestId });
  return { requestId, status: 'cancelled' };
}

/**
 * `GET /requests/{requestId}/cancel?token=…` shows a confirmation page and
 * never cancels (mail scanners prefetch links); `POST` with `{token}` cancels a
 * delete still in its grace period. JSON in, JSON out; the page's form post
 * gets a small HTML page back. Wrong token and unknown id: the same 404; once
 * erasure started: 409.
 */
export async function cancelRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const requestId = event.pathParameters?.requestId;
  if (event.httpMethod === 'GET') {
    const id = RequestId.safeParse(requestId);
    const token = Token.safeParse(event.queryStringParameters?.token);
    if (!id.success || !token.success) return html(400, invalidLinkPage(), pageHeaders());
    return html(200, cancelConfirmationPage(id.data, token.data), pageHeaders());
  }

  return answerJsonOrForm(event, (body) => cancel(requestId, body), {
    done: page(
      'Deletion cancelled',
      '<h1>Deletion cancelled</h1><p>Nothing has been deleted. You can close this page.</p><p lang="id">Penghapusan dibatalkan. Tidak ada data yang dihapus.</p>',
    ),
    refusedTitle: 'Not cancelled',
    refusedHeading: 'Not cancelled',
  });
}

export const handler = httpRoute(cancelRequest, { body: true, allowForm: true });
