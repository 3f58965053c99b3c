/**
 * Delivers one request to one processor's webhook: signed, idempotent, retried
 * with backoff, redirects refused, answers size-capped and validated. Never
 * logs or returns processor bodies beyond the validated acknowledgement. The
 * rules (retries, limits, what an answer means) are core's
 * (`core/processors/delivery.ts`); this file is the `fetch` around them.
 */
import type { ProcessorStore } from '../core/data-map';
import type { ProcessorAttempt } from '../core/ledger-record';
import type { Delivery, ProcessorDelivery } from '../core/ports';
import {
  answerLimitBytes,
  assertProcessorUrl,
  backoffDelayMs,
  classifyAnswer,
  DEFAULT_PROCESSOR_TIMEOUT_MS,
  type DeliveryOutcome,
  isRetryableStatus,
  refusal,
  type SettledAnswer,
} from '../core/processors/delivery';
import { ProcessorConfigError } from '../core/processors/errors';
import { idempotencyKeyOf, type ProcessorRequest } from '../core/processors/protocol';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signProcessorBody,
  TIMESTAMP_HEADER,
} from '../core/processors/signature';

export type { DeliveryOutcome };
export { ProcessorConfigError };

/** How the webhook is called: the same for every delivery of a deployment. */
export interface WebhookOptions {
  /** Local mode only: allow `http:` endpoints (the processor simulators). */
  readonly allowInsecureUrl: boolean;
  /** Per attempt, including reading the answer. Default 10 000. */
  readonly timeoutMs?: number;
  /** Waits between attempts; injected by tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetchImpl?: typeof fetch;
  /** The clock for timestamps and `at`; injected by tests. */
  readonly now?: () => Date;
}

export interface DeliverArgs extends WebhookOptions {
  readonly store: ProcessorStore;
  readonly secret: Buffer;
  readonly request: ProcessorRequest;
  /** Awaited after each attempt (the task records it in the ledger before going on). */
  readonly onAttempt?: (attempt: ProcessorAttempt) => Promise<void>;
}

/** Reads at most `limit` bytes of the body; over the limit the stream is cancelled and `undefined` returned. */
async function readCapped(response: Response, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The abort of `AbortSignal.timeout` (a DOMException, so matched by name: `instanceof Error` fails across realms). */
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

type AttemptResult =
  | { readonly outcome: 'retry' | 'network_error' | 'timeout'; readonly httpStatus?: number }
  | ({ readonly outcome: 'done'; readonly httpStatus: number } & SettledAnswer);

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
  const limit = answerLimitBytes(request.type);
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
        result = {
          outcome: 'done',
          httpStatus: status,
          ...classifyAnswer(await readCapped(response, limit), status),
        };
      } else {
        await response.body?.cancel().catch(() => undefined);
        result = isRetryableStatus(status)
          ? { outcome: 'retry', httpStatus: status }
          : { outcome: 'done', httpStatus: status, ...refusal(status) };
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

/** The `ProcessorDelivery` port over each processor's HTTPS webhook. */
export class ProcessorWebhook implements ProcessorDelivery {
  constructor(private readonly options: WebhookOptions) {}

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    return deliverToProcessor({ ...this.options, ...delivery });
  }
}
