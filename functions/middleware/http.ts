/**
 * The one middy stack every HTTP function uses: no-store headers, normalised
 * headers, a body size guard, JSON parsing, and errors turned into JSON
 * answers. Business errors are `HttpError`s with `expose` (core refusals are
 * mapped to them in ./errors); anything else is a plain 500 without details.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../aws/logger';
import { errorPage } from '../core/pages/links';
import { refusalText } from '../core/pages/refusals';
import type * as z from '../core/zod';
import { bodySizeGuard, jsonBody, parseOrThrow } from './body';
import { Browser, wantsPage } from './browser';
import { BASE_HEADERS, knownErrorsAsHttp, oneOfEachHeader } from './errors';

export { parseOrThrow } from './body';
export { asHttpError, httpError, unavailableError } from './errors';

export const MAX_BODY_BYTES = 16 * 1024;

/** An API Gateway event whose body the route's `schema` already parsed. */
export type ParsedEvent<B> = Omit<APIGatewayProxyEvent, 'body'> & { readonly body: B };
type Handler<B> = (event: ParsedEvent<B>, context: Context) => Promise<APIGatewayProxyResult>;
type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

/** A JSON response that is never cached. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** An HTML response that is never cached. */
export function html(
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers },
    body,
  };
}

/** Adds the base headers to every response, errors included (runs last on error), each header once. */
const baseHeaders = (): Middleware => {
  const apply: Middleware['after'] = (request) => {
    if (request.response) {
      request.response.headers = oneOfEachHeader({ ...BASE_HEADERS, ...request.response.headers });
    }
  };
  return { after: apply, onError: apply };
};

/**
 * A browser that asked for a page and got an error reads it as a page in its
 * language, with the same status and Retry-After; API clients keep the JSON.
 */
const browserErrorPages = (): Middleware => ({
  onError: (request) => {
    const response = request.response;
    if (!response || !wantsPage(request.event)) return;
    const headers = oneOfEachHeader(response.headers ?? {});
    if (!/^application\/json/.test(headers['content-type'] ?? '')) return;
    let parsed: { error?: unknown } = {};
    try {
      parsed = JSON.parse(response.body) as { error?: unknown };
    } catch {
      // Not ours to read: the status alone says what happened.
    }
    const { error: code, ...details } = parsed;
    const retryAfter = Number(headers['retry-after']);
    const browser = new Browser(request.event);
    const text = refusalText(browser.lang, {
      status: response.statusCode,
      error: typeof code === 'string' ? code : '',
      details,
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    });
    const page = browser.page(response.statusCode, errorPage(browser.frame(), text));
    request.response = {
      ...page,
      headers: {
        ...page.headers,
        ...(headers['retry-after'] ? { 'retry-after': headers['retry-after'] } : {}),
      },
    };
  },
});

export interface RouteOptions<B = APIGatewayProxyEvent['body']> {
  /** Accept `application/x-www-form-urlencoded` bodies as raw strings (the confirmation page's form). */
  readonly allowForm?: boolean;
  /** Parse a body at all (POST routes). Leave unset to get the raw body (e.g. to check a signature over its bytes). */
  readonly body?: boolean;
  /** Largest body accepted, in bytes; default `MAX_BODY_BYTES` (16 KB). */
  readonly maxBodyBytes?: number;
  /**
   * Counts every call against the client IP's budget before the body is validated, e.g.
   * `(event) => limitClientIp(event, 'submit')`. Passed in, so only the routes that count bundle the limiter.
   */
  readonly clientBudget?: (event: APIGatewayProxyEvent) => Promise<void>;
  /** Validate the parsed body with this zod schema (400 naming each bad field); the handler gets its output. */
  readonly schema?: z.ZodMiniType<B, unknown>;
}

/** Counts the call against the client IP's budget; over it → 429 (mapped by ./errors). */
const clientBudget = (count: (event: APIGatewayProxyEvent) => Promise<void>): Middleware => ({
  before: async (request) => {
    await count(request.event);
  },
});

/** Replaces the body with its validated form. */
const validBody = (schema: z.ZodMiniType<unknown, unknown>): Middleware => ({
  before: (request) => {
    (request.event as { body: unknown }).body = parseOrThrow(schema, request.event.body);
  },
});

/** Wraps an API Gateway handler in the shared stack. */
export function httpRoute<B = APIGatewayProxyEvent['body']>(
  handler: Handler<B>,
  options: RouteOptions<B> = {},
) {
  const stack = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(baseHeaders())
    // Runs after the error handler wrote the JSON answer (middy runs onError in reverse).
    .use(browserErrorPages())
    .use(httpHeaderNormalizer())
    .use(bodySizeGuard(options.maxBodyBytes ?? MAX_BODY_BYTES));
  if (options.body) stack.use(jsonBody(options.allowForm ?? false));
  if (options.clientBudget) stack.use(clientBudget(options.clientBudget));
  if (options.schema) stack.use(validBody(options.schema));
  return (
    stack
      .use(
        httpErrorHandler({
          // Names and statuses only: messages of unexpected errors might carry data.
          logger: (error: unknown) => {
            const statusCode = (error as { statusCode?: number })?.statusCode;
            const fields = { errorName: (error as Error)?.name, statusCode };
            // A client's mistake (wrong code, bad field) is routine; only our own failures are errors.
            if (statusCode !== undefined && statusCode < 500) logger.info('request refused', fields);
            else logger.error('request failed', fields);
          },
          fallbackMessage: JSON.stringify({
            error: 'internal_error',
            message: 'something went wrong on our side',
          }),
        }),
      )
      // Registered after the error handler so it runs before it (middy runs onError in reverse).
      .use(knownErrorsAsHttp())
      .handler(
        handler as unknown as (
          event: APIGatewayProxyEvent,
          context: Context,
        ) => Promise<APIGatewayProxyResult>,
      )
  );
}
