/** A refusal as a person reads it: the catalogue message for an answer's `error` code, in the page's language. */
import { type MessageKey, t } from '../i18n/catalogue';
import type { Locale } from '../request';

/** What a refused call answered: its `error` code and extra fields (`attemptsLeft`, …), and Retry-After. */
export interface Refusal {
  readonly status: number;
  readonly error: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds?: number;
}

const BY_CODE: Readonly<Record<string, MessageKey>> = {
  not_found: 'refusal.not_found',
  not_pending: 'refusal.not_pending',
  not_ready: 'refusal.not_ready',
  invalid_link: 'refusal.link',
  wrong_link: 'refusal.link',
  invalid_token: 'refusal.link',
  link_expired: 'refusal.expired',
  code_expired: 'refusal.expired',
  token_expired: 'refusal.token_expired',
  resend_limit: 'refusal.resend_limit',
  changed: 'refusal.changed',
  wrong_code: 'refusal.wrong_code',
  use_link: 'refusal.use_link',
  status_token_required: 'refusal.session',
  new_address_code_required: 'refusal.new_address_code_required',
  rejected: 'refusal.rejected',
  erasure_started: 'refusal.erasure_started',
  unavailable: 'refusal.unavailable',
  temporarily_unavailable: 'refusal.unavailable',
  rate_limited: 'refusal.rate_limited',
  cross_site: 'error.csrf',
  not_found_page: 'http.404',
  payload_too_large: 'http.413',
  unsupported_media_type: 'http.415',
};

/** "45 seconds" / "7 minutes" in `lang`. */
function waitText(lang: Locale, seconds: number): string {
  return seconds < 120
    ? t(lang, 'wait.seconds', { count: seconds })
    : t(lang, 'wait.minutes', { count: Math.ceil(seconds / 60) });
}

/** The refusal in plain words; an unknown code reads as its status's generic message. */
export function refusalText(lang: Locale, refusal: Refusal): string {
  const key = BY_CODE[refusal.error];
  if (key === 'refusal.wrong_code') {
    return t(lang, key, { attemptsLeft: Number(refusal.details?.attemptsLeft ?? 0) });
  }
  if (key === 'refusal.rate_limited')
    return t(lang, key, { wait: waitText(lang, refusal.retryAfterSeconds ?? 60) });
  if (key) return t(lang, key);
  return statusText(lang, refusal.status);
}

/** The generic message of an HTTP status. */
export function statusText(lang: Locale, status: number): string {
  const known = [400, 404, 413, 415, 429, 500, 503];
  if (known.includes(status)) return t(lang, `http.${status}` as MessageKey);
  return t(lang, status >= 500 ? 'http.500' : 'http.400');
}
