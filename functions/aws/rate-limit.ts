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
import type { RequestType } from '../core/request';
import { dynamoDbClient } from './clients';
import { hashingKey } from './composition-root';
import { type Config, ENV, loadConfig } from './config';
import { logger } from './logger';
import { RateLimitedError, RateLimiterUnavailableError } from './rate-limit-errors';

export { RateLimitedError, RateLimiterUnavailableError };

/** A budget: at most `limit` hits per key in each aligned window of `windowSeconds`. */
export interface RateLimitRule {
  /** Part of the counter key and of log lines; never personal data. */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
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

  /**
   * Reads `key`'s count in the current window without counting (an `ADD hits :zero`,
   * so the same single permission serves both); throws `RateLimitedError` when it has
   * reached the limit, i.e. the next hit would be over.
   */
  async check(rule: RateLimitRule, key: string): Promise<void> {
    const hits = await this.add(rule, key, 0);
    if (hits >= rule.limit) this.refuse(rule);
  }

  private window(rule: RateLimitRule) {
    const nowMs = this.clock().getTime();
    const windowMs = rule.windowSeconds * 1000;
    const startMs = Math.floor(nowMs / windowMs) * windowMs;
    return { nowMs, startMs, endMs: startMs + windowMs };
  }

  /** Counts one hit of `key` against `rule`; throws `RateLimitedError` when over the budget. */
  async hit(rule: RateLimitRule, key: string): Promise<RateLimitHit> {
    const hits = await this.add(rule, key, 1);
    if (hits > rule.limit) this.refuse(rule);
    return { hits, remaining: rule.limit - hits, retryAfterSeconds: this.retryAfter(rule) };
  }

  /** Adds `step` (0 or 1) to the current window's counter and returns its count. */
  private async add(rule: RateLimitRule, key: string, step: 0 | 1): Promise<number> {
    const { startMs, endMs } = this.window(rule);
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { limitKey: `${rule.name}#${key}#${startMs / 1000}` },
          UpdateExpression: `SET expiresAt = :expires ADD hits ${step ? ':one' : ':zero'}`,
          ExpressionAttributeValues: {
            ...(step ? { ':one': 1 } : { ':zero': 0 }),
            ':expires': endMs / 1000 + EXPIRY_SLACK_SECONDS,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits = Number(out.Attributes?.hits);
      if (!Number.isInteger(hits) || hits < step) throw new Error('the counter came back without a count');
      return hits;
    } catch (error) {
      logger.error('rate limiter unavailable; refusing the request', {
        rule: rule.name,
        errorName: (error as Error)?.name,
      });
      throw new RateLimiterUnavailableError(`rate limiter unavailable for ${rule.name}`, { cause: error });
    }
  }

  /** Seconds until the current window ends (at least 1). */
  private retryAfter(rule: RateLimitRule): number {
    const { nowMs, endMs } = this.window(rule);
    return Math.max(1, Math.ceil((endMs - nowMs) / 1000));
  }

  private refuse(rule: RateLimitRule): never {
    const retryAfterSeconds = this.retryAfter(rule);
    logger.info('rate limited', { rule: rule.name, retryAfterSeconds });
    throw new RateLimitedError(rule.name, retryAfterSeconds);
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
    /** Verified requests per subject and type: unverified ones never count (issue 18, finding 1). */
    submitPerSubject: {
      name: 'verified-subject',
      limit: config.limitSubmitPerSubject,
      windowSeconds: config.limitSubmitSubjectWindowSeconds,
    },
    /** Shared by verify, cancel and resend: every attempt to use a code, token or link. */
    verifyPerIp: {
      name: 'verify-ip',
      limit: config.limitVerifyPerIp,
      windowSeconds: config.limitVerifyIpWindowSeconds,
    },
    /** Code attempts per subject and type across its requests: slow guessing from many IPs. */
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

/** A subject's counter key for one request type (`subjectHash` is `keyedHash(key, 'subject', lookupForm)`). */
const subjectKey = (subjectHash: string, type: RequestType) => `${type}#${subjectHash}`;

/** Refuses a new request when the subject verified its budget of requests of this type in the window. */
export async function limitSubject(subjectHash: string, type: RequestType): Promise<void> {
  await rateLimiter().check(rateLimitRules(loadConfig()).submitPerSubject, subjectKey(subjectHash, type));
}

/** Counts one verified request of the subject and type; over the budget only the next submission is refused. */
export async function countVerifiedSubject(subjectHash: string, type: RequestType): Promise<void> {
  const rule = rateLimitRules(loadConfig()).submitPerSubject;
  await rateLimiter()
    .hit(rule, subjectKey(subjectHash, type))
    .catch((error: unknown) => {
      if (!(error instanceof RateLimitedError)) throw error;
    });
}

/** Counts one verification-code attempt for a subject on requests of one type, whichever request and IP it comes from. */
export async function limitSubjectVerification(subjectHash: string, type: RequestType): Promise<void> {
  await rateLimiter().hit(rateLimitRules(loadConfig()).verifyPerSubject, subjectKey(subjectHash, type));
}
