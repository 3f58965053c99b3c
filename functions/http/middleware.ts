/**
 * The one middy stack every HTTP function uses: normalised headers, a body
 * size guard, JSON parsing, zod validation, and errors turned into JSON
 * answers. Business errors are http-errors with `expose`; anything else is a
 * plain 500 without details.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import createError from 'http-errors';
import type { z } from 'zod';
import { logger } from '../aws/logger';
import { RateLimitedError, RateLimiterUnavailableError } from '../aws/rate-limit';

export const MAX_BODY_BYTES = 16 * 1024;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** An exposed HTTP error whose body is the JSON `{ error, message, ...extra }`. */
export function httpError(
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): createError.HttpError {
  return createError(status, JSON.stringify({ error, message, ...extra }), {
    expose: true,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json' },
  });
}

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

/** Rejects bodies over `maxBytes` (16 KB unless the route says otherwise) before anything parses them. */
const bodySizeGuard = (maxBytes: number): Middleware => ({
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (typeof body !== 'string') return;
    const size = isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
    if (size > maxBytes) {
      throw httpError(413, 'payload_too_large', `the request body must be at most ${maxBytes} bytes`);
    }
  },
});

const FORM_TYPE = /^application\/x-www-form-urlencoded($|;)/;

/**
 * @middy/http-json-body-parser, with its 415 for malformed JSON answered as a
 * 400 (the client sent a broken body, not a wrong media type). Form bodies pass
 * through as strings when `allowForm` is set.
 */
const jsonBody = (allowForm: boolean): Middleware => {
  const parser = httpJsonBodyParser({ disableContentTypeError: allowForm });
  return {
    before: async (request) => {
      if (request.event.body === null || request.event.body === undefined || request.event.body === '') {
        if (request.event.httpMethod === 'GET') return;
        throw httpError(400, 'invalid_request', 'the request needs a JSON body');
      }
      const type = request.event.headers?.['content-type'] ?? '';
      if (allowForm && FORM_TYPE.test(type)) return;
      try {
        await parser.before?.(request as never);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415 && /malformed/i.test((error as Error).message)) {
          throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
        }
        throw httpError(415, 'unsupported_media_type', 'send the body as application/json');
      }
    },
  };
};

/** Parses `value` with `schema` or throws a 400 naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] = 'is not a known field';
      continue;
    }
    if (issue.code === 'invalid_union') {
      // The verify body: report the first alternative's problems, they are the most common case.
      for (const inner of issue.errors[0] ?? []) {
        const path = [...issue.path, ...inner.path].join('.') || 'body';
        fields[path] ??= inner.message;
      }
      continue;
    }
    const path = issue.path.join('.') || 'body';
    fields[path] ??= issue.message;
  }
  throw httpError(400, 'invalid_request', `invalid ${Object.keys(fields).join(', ')}`, { fields });
}

/** Adds the no-store headers to every response, errors included (runs last on error). */
const baseHeaders = (): Middleware => {
  const apply: Middleware['after'] = (request) => {
    if (request.response) request.response.headers = { ...BASE_HEADERS, ...request.response.headers };
  };
  return { after: apply, onError: apply };
};

export interface RouteOptions {
  /** Accept `application/x-www-form-urlencoded` bodies as raw strings (the confirmation page's form). */
  readonly allowForm?: boolean;
  /** Parse a body at all (POST routes). Leave unset to get the raw body (e.g. to check a signature over its bytes). */
  readonly body?: boolean;
  /** Largest body accepted, in bytes; default `MAX_BODY_BYTES` (16 KB). */
  readonly maxBodyBytes?: number;
}

/** Wraps an API Gateway handler in the shared stack. */
export function httpRoute(handler: Handler, options: RouteOptions = {}) {
  const stack = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(baseHeaders())
    .use(httpHeaderNormalizer())
    .use(bodySizeGuard(options.maxBodyBytes ?? MAX_BODY_BYTES));
  if (options.body) stack.use(jsonBody(options.allowForm ?? false));
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
      .handler(handler)
  );
}

/** "45 seconds" or "7 minutes": a wait in words for the 429 message. */
function waitInWords(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** 503 with Retry-After: the client's cue to retry, not an internal error. */
export function unavailableError(retryAfterSeconds = 5): createError.HttpError {
  const unavailable = httpError(
    503,
    'temporarily_unavailable',
    'a service we depend on is briefly unavailable; nothing was lost, please try again',
  );
  unavailable.headers = { ...unavailable.headers, 'retry-after': String(retryAfterSeconds) };
  return unavailable;
}

/**
 * The exposed http-error for errors every route may meet, else `error` unchanged:
 * over a rate limit → 429 with Retry-After (seconds to the window's end); a
 * passing AWS fault or an unavailable rate limiter → 503 with Retry-After.
 * Routes that answer forms with HTML use it to keep these statuses and headers.
 */
export function asHttpError(error: unknown): unknown {
  if (error instanceof RateLimitedError) {
    const limited = httpError(
      429,
      'rate_limited',
      `too many requests; please try again in ${waitInWords(error.retryAfterSeconds)}`,
    );
    limited.headers = { ...limited.headers, 'retry-after': String(error.retryAfterSeconds) };
    return limited;
  }
  if (error instanceof RateLimiterUnavailableError || (error as Error)?.name === 'TransientError') {
    return unavailableError();
  }
  return error;
}

function knownErrorsAsHttp(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      request.error = asHttpError(request.error) as Error;
    },
  };
}
