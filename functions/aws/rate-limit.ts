/**
 * Fixed-window rate limits over one DynamoDB table (`RATE_LIMIT_TABLE`): one
 * counter per (rule, hashed key, window start), bumped with an atomic
 * `ADD hits :one`, so concurrent requests each see a distinct count and the
 * limit holds exactly. The window start is part of the key, so counting needs
 * no TTL (dynalite has none); `expiresAt` lets DynamoDB delete old windows in AWS.
 * A fixed window admits at most twice the limit across a window boundary; for
 * budgets of tens of requests per ten minutes that is fine, and it costs one write.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { keyedHash } from '../core/crypto';
import { dynamoDbClient } from './clients';
import { hashingKey } from './composition-root';
import { type Config, ENV, loadConfig } from './config';
import { logger } from './logger';

/** A budget: at most `limit` hits per key in each aligned window of `windowSeconds`. */
export interface RateLimitRule {
  /** Part of the counter key and of log lines; never personal data. */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

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

export type Clock = () => Date;

/** What one counted hit saw. */
export interface RateLimitHit {
  readonly hits: number;
  readonly remaining: number;
  /** Seconds until the current window ends (at least 1). */
  readonly retryAfterSeconds: number;
}

// Windows are kept a day past their end, so a late retry of the same window still finds its count.
const EXPIRY_SLACK_SECONDS = 24 * 3600;

/**
 * The limiter over one table. `hit` counts first and judges after: a hit over
 * the budget is still counted (harmless; the window ends anyway).
 *
 * Failure policy: fail CLOSED. If the counter cannot be written, `hit` throws
 * `RateLimiterUnavailableError` (a 503 with Retry-After), never a 500 and never
 * a silent pass. The endpoints behind it also need DynamoDB (the ledger), so an
 * outage of the service fails them anyway; and a throttled counter is the hot key
 * of a flood, the one moment a fail-open limiter would wave the flood through to
 * the code-guessing and email-sending paths it exists to protect.
 */
export class RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** Counts one hit of `key` against `rule`; throws `RateLimitedError` when over the budget. */
  async hit(rule: RateLimitRule, key: string): Promise<RateLimitHit> {
    const nowMs = this.clock().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const startMs = Math.floor(nowMs / windowMs) * windowMs;
    const endMs = startMs + windowMs;
    let hits: number;
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { limitKey: `${rule.name}#${key}#${startMs / 1000}` },
          UpdateExpression: 'SET expiresAt = :expires ADD hits :one',
          ExpressionAttributeValues: { ':one': 1, ':expires': endMs / 1000 + EXPIRY_SLACK_SECONDS },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      hits = Number(out.Attributes?.hits);
      if (!Number.isInteger(hits) || hits < 1) throw new Error('the counter came back without a count');
    } catch (error) {
      logger.error('rate limiter unavailable; refusing the request', {
        rule: rule.name,
        errorName: (error as Error)?.name,
      });
      throw new RateLimiterUnavailableError(`rate limiter unavailable for ${rule.name}`, { cause: error });
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((endMs - nowMs) / 1000));
    if (hits > rule.limit) {
      logger.info('rate limited', { rule: rule.name, retryAfterSeconds });
      throw new RateLimitedError(rule.name, retryAfterSeconds);
    }
    return { hits, remaining: rule.limit - hits, retryAfterSeconds };
  }
}

/** The configured budgets (see `functions/aws/config.ts` for the defaults). */
export function rateLimitRules(config: Config) {
  return {
    submitPerIp: {
      name: 'submit-ip',
      limit: config.limitSubmitPerIp,
      windowSeconds: config.limitSubmitIpWindowSeconds,
    },
    submitPerSubject: {
      name: 'submit-subject',
      limit: config.limitSubmitPerSubject,
      windowSeconds: config.limitSubmitSubjectWindowSeconds,
    },
    /** Shared by verify, cancel and resend: every attempt to use a code, token or link. */
    verifyPerIp: {
      name: 'verify-ip',
      limit: config.limitVerifyPerIp,
      windowSeconds: config.limitVerifyIpWindowSeconds,
    },
    /** Code attempts per subject across all its requests: slow guessing from many IPs. */
    verifyPerSubject: {
      name: 'verify-subject',
      limit: config.limitVerifyPerSubject,
      windowSeconds: config.limitVerifySubjectWindowSeconds,
    },
  } as const satisfies Record<string, RateLimitRule>;
}

/**
 * Keyed hash of a client IP, so the counters table holds no addresses. A
 * label of its own keeps it apart from every `keyedHash` purpose.
 */
export function clientIpKey(secret: Buffer, ip: string): string {
  return keyedHash(secret, 'client-ip', ip);
}

/**
 * The caller's address as API Gateway saw it. Never `X-Forwarded-For`: the
 * client writes that header, so trusting it would let anyone pick their bucket.
 */
export function clientIpOf(event: APIGatewayProxyEvent): string {
  return event.requestContext?.identity?.sourceIp || 'unknown';
}

let limiter: RateLimiter | undefined;
let clock: Clock | undefined;

/** The limiter of this cold start; `RateLimiterUnavailableError` if the table is not configured. */
export function rateLimiter(): RateLimiter {
  if (limiter) return limiter;
  const table = loadConfig().rateLimitTable;
  if (!table) {
    logger.error(`${ENV.rateLimitTable} is not set; refusing requests that need a rate limit`);
    throw new RateLimiterUnavailableError(`${ENV.rateLimitTable} is not set`);
  }
  limiter = new RateLimiter(dynamoDbClient(), table, clock);
  return limiter;
}

/** For tests: a clock for the next limiter (undefined = real time); drops the current one. */
export function resetRateLimiter(testClock?: Clock): void {
  clock = testClock;
  limiter = undefined;
}

/**
 * Counts one attempt from the event's client IP: `submit` for `POST /requests`,
 * `verify` for every use of a code, token or link (verify, cancel, resend share
 * one budget). Throws `RateLimitedError` over the budget.
 */
export async function limitClientIp(event: APIGatewayProxyEvent, kind: 'submit' | 'verify'): Promise<void> {
  const rules = rateLimitRules(loadConfig());
  const limits = rateLimiter();
  const key = clientIpKey(await hashingKey(), clientIpOf(event));
  await limits.hit(kind === 'submit' ? rules.submitPerIp : rules.verifyPerIp, key);
}

/** Counts one submission for a subject, by its keyed hash (`keyedHash(key, 'subject', lookupForm)`). */
export async function limitSubject(subjectHash: string): Promise<void> {
  await rateLimiter().hit(rateLimitRules(loadConfig()).submitPerSubject, subjectHash);
}

/** Counts one verification-code attempt for a subject, whichever of its requests and IPs it comes from. */
export async function limitSubjectVerification(subjectHash: string): Promise<void> {
  await rateLimiter().hit(rateLimitRules(loadConfig()).verifyPerSubject, subjectHash);
}
