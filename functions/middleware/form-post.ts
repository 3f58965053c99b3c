/**
 * POST routes that serve two callers: the JSON API, and the confirmation page
 * an emailed link opens (a form post, because mail scanners prefetch links and
 * must never act). Same rules and per-IP budget; the answer comes in kind.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from 'http-errors';
import { limitClientIp } from '../aws/rate-limit';
import { pageHeaders } from '../core/html';
import { type RefusalPage, refusedPage } from '../core/pages';
import { FORM_TYPE } from './body';
import { asHttpError } from './errors';
import { html, json } from './http';

export interface FormPages {
  /** The whole page shown after the action succeeded. */
  readonly done: string;
  /** Title and heading of the page that explains a refusal. */
  readonly refused: RefusalPage;
}

/**
 * Counts the attempt against the client's verify budget, runs `act` on the
 * parsed body (JSON, or the form's fields), and answers JSON to JSON callers
 * and an HTML page to form posts. A 4xx on a form post becomes a page that keeps
 * its status and Retry-After; a 5xx is left to the shared error handler.
 */
export async function answerJsonOrForm(
  event: APIGatewayProxyEvent,
  act: (body: unknown) => Promise<unknown>,
  pages: FormPages,
): Promise<APIGatewayProxyResult> {
  if (!FORM_TYPE.test(event.headers?.['content-type'] ?? '')) {
    await limitClientIp(event, 'verify');
    return json(200, await act(event.body));
  }
  const form = Object.fromEntries(new URLSearchParams(typeof event.body === 'string' ? event.body : ''));
  try {
    await limitClientIp(event, 'verify');
    await act(form);
    return html(200, pages.done, pageHeaders());
  } catch (caught) {
    const error = asHttpError(caught) as HttpError;
    const status = error.statusCode;
    if (typeof status !== 'number' || status >= 500) throw error;
    const message = (JSON.parse(error.message) as { message?: string }).message ?? 'this link cannot be used';
    const retryAfter = error.headers?.['retry-after'];
    return html(status, refusedPage(pages.refused, message), {
      ...pageHeaders(),
      ...(retryAfter ? { 'retry-after': retryAfter } : {}),
    });
  }
}
