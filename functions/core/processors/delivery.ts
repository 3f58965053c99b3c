/**
 * The rules of delivering a request to a processor's webhook, without the I/O:
 * which endpoints are acceptable, which answers are retried and after how
 * long, how large an answer may be, and what a 2xx body means. The webhook
 * connector (`functions/connectors/processor-webhook.ts`) applies them.
 */
import type { ProcessorAttemptOutcome } from '../ledger-record';
import type { RequestType } from '../request';
import { ProcessorConfigError, type ProcessorFailureReason } from './errors';
import { type ProcessorAckResponse, ProcessorResponse } from './protocol';

/** How a delivery ended, after every attempt it took. */
export type DeliveryOutcome =
  | { readonly kind: 'acknowledged'; readonly ack: ProcessorAckResponse }
  /** The processor will acknowledge through the callback. */
  | { readonly kind: 'accepted'; readonly reference: string }
  | {
      readonly kind: 'failed';
      readonly reason: ProcessorFailureReason;
      readonly httpStatus?: number;
      /** Set when the processor answered 2xx with status `failed`: its reference and detail are evidence too. */
      readonly ack?: ProcessorResponse;
    };

/** Default time one attempt may take. */
export const DEFAULT_PROCESSOR_TIMEOUT_MS = 10_000;
/** Largest answer read for delete and opt-out (a status, a reference, maybe a retention note). */
export const ACK_BODY_LIMIT_BYTES = 64 * 1024;
/** Largest answer read for access (the processor's records). */
export const ACCESS_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

const RETRY_STATUSES = new Set([408, 429]);
const JITTER = 0.2;

/** The largest answer read for a request of `type`. */
export function answerLimitBytes(type: RequestType): number {
  return type === 'access' ? ACCESS_BODY_LIMIT_BYTES : ACK_BODY_LIMIT_BYTES;
}

/** True for a non-2xx status that is worth another attempt (408, 429, 5xx); other statuses are refusals. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRY_STATUSES.has(status);
}

/**
 * The endpoint as a URL, or `ProcessorConfigError`: it must parse, be `https:`
 * (unless `allowInsecure`, local mode) and carry no username or password.
 * Messages never repeat the URL (it could hold a token).
 */
export function assertProcessorUrl(url: string, allowInsecure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProcessorConfigError('the partner endpoint is not a valid URL');
  }
  const allowed = allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!allowed.includes(parsed.protocol)) {
    throw new ProcessorConfigError(
      allowInsecure ? 'the partner endpoint must be http(s)' : 'the partner endpoint must use https',
    );
  }
  if (parsed.username || parsed.password) {
    throw new ProcessorConfigError('the partner endpoint must not carry credentials');
  }
  return parsed;
}

/** Delay before attempt `n + 1` after attempt `n` failed: `base * 2^(n-1)`, ±20% jitter. */
export function backoffDelayMs(
  baseDelayMs: number,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exact = baseDelayMs * 2 ** (attempt - 1);
  return Math.round(exact * (1 - JITTER + 2 * JITTER * random()));
}

/** What one attempt's answer settled: the attempt's evidence and the delivery's outcome. */
export interface SettledAnswer {
  readonly attempt: ProcessorAttemptOutcome;
  readonly result: DeliveryOutcome;
}

/**
 * Classifies a 2xx answer's body (`undefined` when it was over the size cap):
 * acknowledged, accepted, rejected (`failed`) or invalid.
 */
export function classifyAnswer(text: string | undefined, httpStatus: number): SettledAnswer {
  const invalid: SettledAnswer = {
    attempt: 'invalid_response',
    result: { kind: 'failed', reason: 'invalid_response', httpStatus },
  };
  if (text === undefined) return invalid;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return invalid;
  }
  const parsed = ProcessorResponse.safeParse(json);
  if (!parsed.success) return invalid;
  const answer = parsed.data;
  switch (answer.status) {
    case 'accepted':
      return { attempt: 'accepted', result: { kind: 'accepted', reference: answer.reference } };
    case 'failed':
      return {
        attempt: 'rejected',
        result: { kind: 'failed', reason: 'processor_rejected', httpStatus, ack: answer },
      };
    default:
      return {
        attempt: 'acknowledged',
        result: { kind: 'acknowledged', ack: { ...answer, status: answer.status } },
      };
  }
}

/** A non-2xx answer that is not retried (3xx, never followed, or 4xx): a refusal. */
export function refusal(httpStatus: number): SettledAnswer {
  return {
    attempt: 'rejected',
    result: { kind: 'failed', reason: 'processor_rejected', httpStatus },
  };
}
