/**
 * Delivers one request to one processor's webhook: signed, idempotent, retried
 * with backoff, redirects refused, answers size-capped and validated. Never
 * logs or returns processor bodies beyond the validated acknowledgement.
 */
import type { ProcessorStore } from '../core/data-map';
import type { ProcessorAttempt, ProcessorAttemptOutcome } from '../core/ledger-record';
import { ProcessorConfigError, type ProcessorFailureReason } from '../core/processors/errors';
import {
  idempotencyKeyOf,
  type ProcessorAckResponse,
  type ProcessorRequest,
  ProcessorResponse,
} from '../core/processors/protocol';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signProcessorBody,
  TIMESTAMP_HEADER,
} from '../core/processors/signature';

export { ProcessorConfigError };

/** What one attempt ended in (also the ledger's evidence of it). */

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

export interface DeliverArgs {
  readonly store: ProcessorStore;
  readonly secret: Buffer;
  readonly request: ProcessorRequest;
  /** Local mode only: allow `http:` endpoints (the processor simulators). */
  readonly allowInsecureUrl: boolean;
  /** Per attempt, including reading the answer. Default 10 000. */
  readonly timeoutMs?: number;
  /** Awaited after each attempt (the task records it in the ledger before going on). */
  readonly onAttempt?: (attempt: ProcessorAttempt) => Promise<void>;
  /** Waits between attempts; injected by tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetchImpl?: typeof fetch;
  /** The clock for timestamps and `at`; injected by tests. */
  readonly now?: () => Date;
}

/** Default time one attempt may take. */
export const DEFAULT_PROCESSOR_TIMEOUT_MS = 10_000;
/** Largest answer read for delete and opt-out (a status, a reference, maybe a retention note). */
export const ACK_BODY_LIMIT_BYTES = 64 * 1024;
/** Largest answer read for access (the processor's records). */
export const ACCESS_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

const RETRY_STATUSES = new Set([408, 429]);
const JITTER = 0.2;

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

type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false };

/** Reads at most `limit` bytes of the body; over the limit the stream is cancelled and nothing returned. */
async function readCapped(response: Response, limit: number): Promise<BodyRead> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false };
  }
  if (!response.body) return { ok: true, text: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** The abort of `AbortSignal.timeout` (a DOMException, so matched by name: `instanceof Error` fails across realms). */
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

type AttemptResult =
  | { readonly outcome: 'retry' | 'network_error' | 'timeout'; readonly httpStatus?: number }
  | {
      readonly outcome: 'done';
      readonly attempt: ProcessorAttemptOutcome;
      readonly result: DeliveryOutcome;
      readonly httpStatus: number;
    };

/** Classifies a 2xx answer's body: acknowledged, accepted, rejected (`failed`) or invalid. */
function classifyAnswer(read: BodyRead, httpStatus: number): AttemptResult {
  const invalid: AttemptResult = {
    outcome: 'done',
    attempt: 'invalid_response',
    result: { kind: 'failed', reason: 'invalid_response', httpStatus },
    httpStatus,
  };
  if (!read.ok) return invalid;
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    return invalid;
  }
  const parsed = ProcessorResponse.safeParse(json);
  if (!parsed.success) return invalid;
  const answer = parsed.data;
  switch (answer.status) {
    case 'accepted':
      return {
        outcome: 'done',
        attempt: 'accepted',
        result: { kind: 'accepted', reference: answer.reference },
        httpStatus,
      };
    case 'failed':
      return {
        outcome: 'done',
        attempt: 'rejected',
        result: { kind: 'failed', reason: 'processor_rejected', httpStatus, ack: answer },
        httpStatus,
      };
    default:
      return {
        outcome: 'done',
        attempt: 'acknowledged',
        result: { kind: 'acknowledged', ack: { ...answer, status: answer.status } },
        httpStatus,
      };
  }
}

/**
 * Notifies a processor of a request at `store.endpoint` (never a URL from a
 * request): each attempt signed afresh with the processor's secret, all with the
 * same idempotency key. Network errors, timeouts, 408, 429 and 5xx are retried
 * up to `store.retry.attempts` attempts in all with exponential backoff; a 3xx
 * (never followed) or other 4xx is a rejection; a 2xx must carry a valid
 * `ProcessorResponse` within the size cap. Throws only `ProcessorConfigError` (bad
 * endpoint) or what `onAttempt` throws; every other failure is an outcome.
 */
export async function deliverToProcessor(args: DeliverArgs): Promise<DeliveryOutcome> {
  const { store, secret, request } = args;
  const url = assertProcessorUrl(store.endpoint, args.allowInsecureUrl);
  const timeoutMs = args.timeoutMs ?? DEFAULT_PROCESSOR_TIMEOUT_MS;
  const sleep = args.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fetchImpl = args.fetchImpl ?? globalThis.fetch;
  const now = args.now ?? (() => new Date());
  const limit = request.type === 'access' ? ACCESS_BODY_LIMIT_BYTES : ACK_BODY_LIMIT_BYTES;
  const body = JSON.stringify(request);
  const idempotencyKey = idempotencyKeyOf(request.requestId, store.id, request.type);
  const attempts = store.retry.attempts;
  // The final attempt's status (none after a network error or timeout) goes into the failure.
  let lastStatus: number | undefined;

  for (let n = 1; n <= attempts; n++) {
    const startedAt = now();
    const started = performance.now();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    let result: AttemptResult;
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signProcessorBody(secret, timestamp, body),
          [IDEMPOTENCY_HEADER]: idempotencyKey,
        },
        body,
        // A redirect could send the signed body and identifiers elsewhere: it is a refusal, never followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const status = response.status;
      if (status >= 200 && status < 300) {
        result = classifyAnswer(await readCapped(response, limit), status);
      } else {
        await response.body?.cancel().catch(() => undefined);
        result =
          status >= 500 || RETRY_STATUSES.has(status)
            ? { outcome: 'retry', httpStatus: status }
            : {
                outcome: 'done',
                attempt: 'rejected',
                result: { kind: 'failed', reason: 'processor_rejected', httpStatus: status },
                httpStatus: status,
              };
      }
    } catch (error) {
      // The timeout signal also covers reading the body, so a slow answer lands here too.
      result = { outcome: isTimeout(error) ? 'timeout' : 'network_error' };
    }

    const httpStatus = result.httpStatus;
    lastStatus = httpStatus;
    const attempt: ProcessorAttempt = {
      attempt: n,
      at: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      ...(httpStatus === undefined ? {} : { httpStatus }),
      outcome: result.outcome === 'done' ? result.attempt : result.outcome,
    };
    await args.onAttempt?.(attempt);
    if (result.outcome === 'done') return result.result;
    if (n < attempts) await sleep(backoffDelayMs(store.retry.baseDelayMs, n));
  }
  return {
    kind: 'failed',
    reason: 'processor_unavailable',
    ...(lastStatus === undefined ? {} : { httpStatus: lastStatus }),
  };
}
