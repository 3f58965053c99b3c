/**
 * One-click unsubscribe (RFC 8058), see core/opt-out/unsubscribe. GET shows a
 * confirmation page and changes nothing; POST (a mail client's one-click form,
 * the page's button, or JSON `{token}`) opts out, answered as JSON to JSON and
 * as a page otherwise; a token used before → 200 "already unsubscribed". Pages
 * and the confirmation email come in the browser's language (a mail client's
 * post, which has none, gets Indonesian first with English below).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as root from '../aws/composition-root';
import { limitClientIp } from '../aws/rate-limit';
import { unsubscribeConfirmationPage, unsubscribedPage, unsubscribeRefusedPage } from '../core/opt-out/pages';
import * as optOut from '../core/opt-out/unsubscribe';
import { refusalText } from '../core/pages/refusals';
import { Browser, refusalOf } from '../middleware/browser';
import type { HttpError } from '../middleware/errors';
import { asHttpError, httpRoute, json, unavailableError } from '../middleware/http';

/** A workflow that did not start is a 503, retry in 30 s; refusals map as everywhere. */
const asHttp = (error: unknown): unknown =>
  error instanceof optOut.OptOutNotStartedError ? unavailableError(30) : asHttpError(error);

/** The error as an HTML page with the same status (and Retry-After); 5xx stay errors. */
function refusedPage(browser: Browser, caught: unknown): APIGatewayProxyResult {
  const error = asHttp(caught) as HttpError;
  if (typeof error.statusCode !== 'number' || error.statusCode >= 500) throw error;
  const refusal = refusalOf(error);
  const page = unsubscribeRefusedPage(browser.frame(), refusalText(browser.lang, refusal));
  const retry = refusal.retryAfterSeconds;
  return browser.page(error.statusCode, page, undefined, retry ? { 'retry-after': String(retry) } : {});
}

export async function unsubscribeRoute(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const browser = new Browser(event);
  if (event.httpMethod === 'GET') {
    const link = await optOut
      .checkUnsubscribeLink({ hashingKey: root.hashingKey }, event.queryStringParameters?.token)
      .catch((error: unknown) => refusedPage(browser, error));
    return typeof link === 'string'
      ? browser.page(200, unsubscribeConfirmationPage(browser.frame(), link))
      : link;
  }
  const contentType = event.headers?.['content-type'] ?? '';
  try {
    await limitClientIp(event, 'verify');
    const token = optOut.unsubscribeTokenOf({
      ...event,
      query: event.queryStringParameters?.token,
      contentType,
    });
    const outcome = await optOut.unsubscribe(root.unsubscribePorts(), token, browser.lang);
    if (optOut.JSON_TYPE.test(contentType)) return json(200, outcome);
    return browser.page(200, unsubscribedPage(browser.frame(), outcome.status === 'already_unsubscribed'));
  } catch (error) {
    if (optOut.JSON_TYPE.test(contentType)) throw asHttp(error);
    return refusedPage(browser, error);
  }
}

export const handler = httpRoute(unsubscribeRoute);
