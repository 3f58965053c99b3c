/**
 * The rate limiter's errors, apart from the limiter: the HTTP error mapping of
 * every route reads them, and only the routes that count bundle the DynamoDB client.
 */

/** Over a budget: the HTTP layer answers 429 with `Retry-After: retryAfterSeconds`. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimited';
  constructor(
    readonly rule: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`rate limit ${rule} reached; retry after ${retryAfterSeconds} s`);
  }
}

/** The counters could not be read or written: the HTTP layer answers 503. */
export class RateLimiterUnavailableError extends Error {
  override readonly name = 'RateLimiterUnavailable';
}
