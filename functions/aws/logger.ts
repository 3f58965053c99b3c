/**
 * The one logger, with a redaction layer: a custom Powertools log formatter
 * that scrubs the message and every extra key (nested objects and errors
 * included) before a line is written. Request ids and store ids stay readable;
 * emails, phone numbers, codes, tokens, pre-signed URL queries and values
 * under personal keys (email, name, phone, code, token, authorization…) do not.
 */
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/** What replaces a value found under a personal key. */
export const REDACTED = '[redacted]';

// Values under these keys are personal whatever they look like (compared case-insensitively, without - and _).
const SENSITIVE_KEYS = new Set(
  [
    'email',
    'emails',
    'mail',
    'to',
    'from',
    'name',
    'fullname',
    'firstname',
    'lastname',
    'displayname',
    'phone',
    'phonenumber',
    'mobile',
    'code',
    'otp',
    'token',
    'authorization',
    'cookie',
    'setcookie',
    'password',
    'secret',
    'contact',
    'address',
    'url',
    'link',
    'body',
  ].map((k) => k.toLowerCase()),
);

/** True when values under `key` are personal (also any `…token`, `…email`, `…phone` key). */
export function isSensitiveKey(key: string): boolean {
  const k = key.replace(/[-_]/g, '').toLowerCase();
  return SENSITIVE_KEYS.has(k) || /(token|email|phone|password|secret)$/.test(k);
}

// Kept verbatim: request ids, ISO timestamps and UUIDs carry no personal data and are what support searches for.
const KEEP = [
  /[0-9]{8}-(?:access|delete|opt-out)-[a-z2-7]{10}/g,
  /\b[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})?)?/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
];

const URL_QUERY = /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/gi;
const EMAIL = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\].]+(?:\.[^\s@<>"'(),;:[\].]+)+/g;
const PHONE = /(?<![\w])\+?[0-9](?:[ ().-]{0,2}[0-9]){7,15}(?![\w])/g;
const CODE = /(?<![\w.])[0-9]{6}(?!\w|\.[0-9])/g;
const TOKEN_LIKE = /[A-Za-z0-9_-]{20,}/g;
const WORDS_ONLY = /^(?:[A-Za-z][a-z]*)(?:[-_]?[A-Za-z][a-z]*)*$/;

/** A long run of base64url/hex characters that is not just words (store ids, error names stay). */
function looksLikeToken(run: string): boolean {
  if (WORDS_ONLY.test(run)) return false;
  return /[0-9]/.test(run) || (/[a-z]/.test(run) && /[A-Z]/.test(run));
}

/** Scrubs personal data out of free text; request ids, timestamps and store ids survive. */
export function redactText(text: string): string {
  const kept: string[] = [];
  let out = text;
  for (const pattern of KEEP) {
    out = out.replace(pattern, (match) => {
      kept.push(match);
      return `\u0000${kept.length - 1}\u0000`;
    });
  }
  out = out
    .replace(URL_QUERY, '$1?[redacted]')
    .replace(EMAIL, '[email]')
    .replace(TOKEN_LIKE, (run) => (looksLikeToken(run) ? '[token]' : run))
    .replace(PHONE, '[phone]')
    .replace(CODE, '[code]');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL delimits the placeholders of kept values.
  return out.replace(/\u0000([0-9]+)\u0000/g, (_m, i: string) => kept[Number(i)] ?? '');
}

type ErrorFormatter = (error: Error) => Record<string, unknown>;

/**
 * Deep copy of `value` with personal data removed: strings scrubbed, values
 * under personal keys replaced, errors formatted with scrubbed message, stack and cause.
 */
export function redactValue(
  value: unknown,
  formatError?: ErrorFormatter,
  seen = new WeakSet<object>(),
): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const formatted = formatError
      ? formatError(value)
      : { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
    const { name, cause: _formattedCause, ...rest } = formatted;
    // The error's class name is code, not data: keep it when it is a plain identifier.
    const safeName = typeof name === 'string' && /^[A-Za-z_$][\w$.]*$/.test(name) ? name : REDACTED;
    return {
      name: safeName,
      ...redactObject(rest, formatError, seen),
      ...(value.cause === undefined ? {} : { cause: redactValue(value.cause, formatError, seen) }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, formatError, seen));
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return REDACTED;
  return redactObject(value as Record<string, unknown>, formatError, seen);
}

function redactObject(
  value: Record<string, unknown>,
  formatError: ErrorFormatter | undefined,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner !== undefined && inner !== null && isSensitiveKey(key)) out[key] = REDACTED;
    else out[key] = redactValue(inner, formatError, seen);
  }
  return out;
}

/**
 * Powertools' standard JSON shape (same keys as its default formatter), with
 * the message and all extra keys passed through `redactValue`. Powertools'
 * own context keys (function name, ARN, Lambda request id, trace id) are kept.
 */
export class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base = {
      level: attributes.logLevel,
      message: redactText(String(attributes.message ?? '')),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const format: ErrorFormatter = (error) => this.formatError(error) as unknown as Record<string, unknown>;
    const extra = redactObject(additional, format, new WeakSet());
    return new LogItem({ attributes: base }).addAttributes(extra as LogAttributes);
  }
}

/** Builds a logger with the redaction layer (tests build their own to capture output). */
export function createLogger(
  options: { serviceName?: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' } = {},
): Logger {
  return new Logger({
    serviceName: options.serviceName ?? 'dsr-workflow',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    logFormatter: new RedactingLogFormatter(),
  });
}

let instance: Logger | undefined;
const one = (): Logger => {
  instance ??= createLogger();
  return instance;
};

/**
 * The one logger, built at its first line: most invocations log nothing, and building it opens
 * stdout and stderr. Log request ids and counts; the redaction layer is the safety net, not the plan.
 */
export const logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'setLogLevel'> = {
  debug: (input, ...extra) => one().debug(input, ...extra),
  info: (input, ...extra) => one().info(input, ...extra),
  warn: (input, ...extra) => one().warn(input, ...extra),
  error: (input, ...extra) => one().error(input, ...extra),
  setLogLevel: (level) => one().setLogLevel(level),
};
