/**
 * POST routes that serve two callers: the JSON API, and the confirmation page
 * an emailed link opens (a form post, because mail scanners prefetch links and
 * must never act). Same rules and per-IP budget; the answer comes in kind.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { limitClientIp } from '../aws/rate-limit';
import type { PageFrame } from '../core/html';
import type { MessageKey } from '../core/i18n/catalogue';
import { refusedPage } from '../core/pages/links';
import { refusalText } from '../core/pages/refusals';
import { Browser, formFields, isFormPost, refusalOf } from './browser';
import { asHttpError, type HttpError, httpError } from './errors';
import { json } from './http';

export interface FormPages {
  /** The whole page shown after the action succeeded. */
  readonly done: (frame: PageFrame) => string;
  /** The heading of the page that explains a refusal. */
  readonly refused: MessageKey;
}

/**
 * Counts the attempt against the client's verify budget, runs `act` on the
 * parsed body (JSON, or the form's fields), and answers JSON to JSON callers
 * and an HTML page in the browser's language to form posts. A 4xx on a form
 * post becomes a page that keeps its status and Retry-After; a 5xx is left to
 * the shared error handler. A form post another site made is refused (403):
 * the emailed token it carries is the secret, and the browser names the site.
 */
export async function answerJsonOrForm(
  event: APIGatewayProxyEvent,
  act: (body: unknown) => Promise<unknown>,
  pages: FormPages,
): Promise<APIGatewayProxyResult> {
  if (!isFormPost(event)) {
    await limitClientIp(event, 'verify');
    return json(200, await act(event.body));
  }
  const browser = new Browser(event);
  try {
    if (!browser.sameOrigin()) throw httpError(403, 'cross_site', 'this form was posted from another site');
    await limitClientIp(event, 'verify');
    await act(Object.fromEntries(formFields(event)));
    return browser.page(200, pages.done(browser.frame()));
  } catch (caught) {
    const error = asHttpError(caught) as HttpError;
    if (typeof error.statusCode !== 'number' || error.statusCode >= 500) throw error;
    const refusal = refusalOf(error);
    const page = refusedPage(browser.frame(), pages.refused, refusalText(browser.lang, refusal));
    const retry = refusal.retryAfterSeconds;
    return browser.page(error.statusCode, page, undefined, retry ? { 'retry-after': String(retry) } : {});
  }
}
