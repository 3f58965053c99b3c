/**
 * One-click unsubscribe (RFC 8058), see core/opt-out/unsubscribe. GET shows a
 * confirmation page and changes nothing; POST (a mail client's one-click form,
 * the page's button, or JSON `{token}`) opts out, answered as JSON to JSON and
 * as a page otherwise; a token used before → 200 "already unsubscribed".
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from 'http-errors';
import * as root from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { pageHeaders } from '../core/html';
import { unsubscribeConfirmationPage, unsubscribedPage, unsubscribeRefusedPage } from '../core/opt-out/pages';
import * as optOut from '../core/opt-out/unsubscribe';
import { asHttpError, html, httpRoute, json, unavailableError } from '../middleware/http';

/** A workflow that did not start is a 503, retry in 30 s; refusals map as everywhere. */
const asHttp = (error: unknown): unknown =>
  error instanceof optOut.OptOutNotStartedError ? unavailableError(30) : asHttpError(error);

/** The error as an HTML page with the same status (and Retry-After); 5xx stay errors. */
function refusedPage(caught: unknown): APIGatewayProxyResult {
  const error = asHttp(caught) as HttpError;
  if (typeof error.statusCode !== 'number' || error.statusCode >= 500) throw error;
  const message = (JSON.parse(error.message) as { message?: string }).message ?? 'this link cannot be used';
  const retryAfter = error.headers?.['retry-after'];
  const headers = { ...pageHeaders(), ...(retryAfter ? { 'retry-after': retryAfter } : {}) };
  return html(error.statusCode, unsubscribeRefusedPage(message), headers);
}

export async function unsubscribeRoute(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.httpMethod === 'GET') {
    const link = await optOut
      .checkUnsubscribeLink({ hashingKey: root.hashingKey }, event.queryStringParameters?.token)
      .catch(refusedPage);
    return typeof link === 'string' ? html(200, unsubscribeConfirmationPage(link), pageHeaders()) : link;
  }
  const contentType = event.headers?.['content-type'] ?? '';
  try {
    await limitClientIp(event, 'verify');
    const token = optOut.unsubscribeTokenOf({
      ...event,
      query: event.queryStringParameters?.token,
      contentType,
    });
    const outcome = await optOut.unsubscribe(root.unsubscribePorts(), token);
    if (optOut.JSON_TYPE.test(contentType)) return json(200, outcome);
    return html(200, unsubscribedPage(outcome.status === 'already_unsubscribed'), pageHeaders());
  } catch (error) {
    if (optOut.JSON_TYPE.test(contentType)) throw asHttp(error);
    return refusedPage(error);
  }
}

export const handler = httpRoute(unsubscribeRoute);
