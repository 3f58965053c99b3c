/**
 * Errors every HTTP route may meet, turned into exposed `HttpError`s: refusals
 * from core use cases, rate limits, passing AWS faults and idempotency-store
 * trouble. Anything else stays as it is and becomes a plain 500.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../aws/logger';
import { RateLimitedError, RateLimiterUnavailableError } from '../aws/rate-limit-errors';
import { type RefusalReason, RefusedError } from '../core/refusal';

/**
 * On every answer: never cached, no MIME sniffing, and HTTPS only for two years
 * (HSTS; browsers ignore it on the local runtime's plain http).
 */
export const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
} as const;

/**
 * `headers` with lower-case names only, each once: a lower-case name given by
 * our own code wins over the same name in another case (middy's error handler
 * adds `Content-Type` beside our `content-type`).
 */
export function oneOfEachHeader(headers: Record<string, string | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (name !== lower && Object.hasOwn(headers, lower)) continue;
    out[lower] = String(value);
  }
  return out;
}

/**
 * An answer for the caller: middy's error handler sends `statusCode`, `headers`
 * and the message as the body, since `expose` is set (what http-errors makes, without
 * its ~60 classes built at import).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly expose = true;

  constructor(
    readonly statusCode: number,
    message: string,
    public headers: Record<string, string>,
  ) {
    super(message);
  }
}

/** An exposed HTTP error whose body is the JSON `{ error, message, ...extra }`. */
export function httpError(
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): HttpError {
  return new HttpError(status, JSON.stringify({ error, message, ...extra }), {
    ...BASE_HEADERS,
    'content-type': 'application/json',
  });
}

/** 503 with Retry-After: the client's cue to retry, not an internal error. */
export function unavailableError(retryAfterSeconds = 5): HttpError {
  const unavailable = httpError(
    503,
    'temporarily_unavailable',
    'a service we depend on is briefly unavailable; nothing was lost, please try again',
  );
  unavailable.headers = { ...unavailable.headers, 'retry-after': String(retryAfterSeconds) };
  return unavailable;
}

/** The status code of each refusal a use case can give. */
const REFUSAL_STATUS: Record<RefusalReason, number> = {
  invalid_idempotency_key: 400,
  not_found: 404,
  not_pending: 409,
  not_ready: 409,
  invalid_link: 403,
  link_expired: 410,
  resend_limit: 409,
  /** The workflow re-sent the first email meanwhile: the client may simply retry. */
  changed: 409,
  invalid_token: 400,
  token_expired: 410,
  invalid_json: 400,
  invalid_request: 400,
  code_expired: 410,
  wrong_code: 403,
  /** A wrong link token: never counted (a 256-bit token cannot be guessed). */
  wrong_link: 403,
  /** A code sent for the answer to a repeated submission: the open request is confirmed by its emailed link. */
  use_link: 409,
  /** A code without the request's status token: only the submitter's client may try codes. */
  status_token_required: 401,
  new_address_code_required: 400,
  rejected: 403,
  erasure_started: 409,
  unavailable: 503,
};

/** "45 seconds" or "7 minutes": a wait in words for the 429 message. */
function waitInWords(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** Powertools idempotency failures (`Idempotency-Key` on POST /requests) as plain answers. */
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
 * The exposed `HttpError` for errors every route may meet, else `error` unchanged:
 * a use case's refusal → its status and `{ error: reason, message, ...details }`;
 * over a rate limit → 429 with Retry-After (seconds to the window's end); a
 * passing AWS fault or an unavailable rate limiter → 503 with Retry-After.
 * Routes that answer forms with HTML use it to keep these statuses and headers.
 */
export function asHttpError(error: unknown): unknown {
  if (error instanceof RefusedError) {
    return httpError(REFUSAL_STATUS[error.reason], error.reason, error.message, { ...error.details });
  }
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
  return idempotencyProblem(error);
}

/** Maps known errors before the error handler answers (middy runs `onError` in reverse order). */
export function knownErrorsAsHttp(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      request.error = asHttpError(request.error) as Error;
    },
  };
}
