/**
 * What the HTTP layer knows about a person's browser: the page's language
 * (`?lang=`, the remembered choice, Accept-Language, else Indonesian), where
 * the page sits (for relative links that keep a stage prefix), its cookies,
 * and the answers it gets: pages (setting cookies), redirects after a post,
 * and the anti-forgery check of every state-changing form post.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { constantTimeEqual, randomToken } from '../core/crypto';
import { type PageFrame, pageHeaders } from '../core/html';
import { otherLocale } from '../core/i18n/catalogue';
import { chooseLanguage, LANGUAGE_COOKIE } from '../core/i18n/language';
import { CSRF_FIELD } from '../core/pages/parts';
import type { Refusal } from '../core/pages/refusals';
import { type Locale, RequestId } from '../core/request';
import { FORM_TYPE } from './body';
import { BASE_HEADERS, type HttpError } from './errors';

/** The anti-forgery cookie (double-submitted in each form as `csrf`). */
export const CSRF_COOKIE = 'dsr_csrf';
/** The submitter's status token, kept by the browser that submitted the form (never in a URL). */
export const STATUS_COOKIE = 'dsr_status';
/** The proof that this browser entered the request's code (core/requests/verified-browser.ts). */
export const VERIFIED_COOKIE = 'dsr_verified';

/** A page we wrote and stored earlier (a certificate of erasure): its inline style only, nothing else loads. */
export const STORED_PAGE_HEADERS = {
  ...BASE_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
};

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const PROOF_SHAPE = /^[0-9a-f]{64}$/;

/** A request's cookies by name (the first of each name). */
export function cookiesOf(event: Pick<APIGatewayProxyEvent, 'headers'>): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (event.headers?.cookie ?? '').split(/;\s*|,\s*(?=[^;,=\s]+=)/)) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/** A form post (`application/x-www-form-urlencoded`), as a browser sends without JavaScript. */
export const isFormPost = (event: Pick<APIGatewayProxyEvent, 'headers'>): boolean =>
  FORM_TYPE.test(event.headers?.['content-type'] ?? '');

/** A form post's fields. */
export function formFields(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): URLSearchParams {
  const raw = typeof event.body === 'string' ? event.body : '';
  return new URLSearchParams(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw);
}

/** One browser's request: its language, its page frame, its cookies and the cookies its answer sets. */
export class Browser {
  readonly lang: Locale;
  readonly cookies: Map<string, string>;
  private readonly setCookies: string[] = [];
  private readonly secure: boolean;

  constructor(private readonly event: APIGatewayProxyEvent) {
    this.cookies = cookiesOf(event);
    const query = event.queryStringParameters?.lang;
    this.lang = chooseLanguage({
      query,
      cookie: this.cookies.get(LANGUAGE_COOKIE),
      acceptLanguage: event.headers?.['accept-language'],
    });
    // API Gateway is HTTPS only and says so; the local runtime is plain http on loopback.
    this.secure = event.headers?.['x-forwarded-proto'] === 'https';
    if (query === this.lang) this.setCookie(LANGUAGE_COOKIE, this.lang, { maxAge: 365 * 86400, lax: true });
  }

  /** The path from this page back to the site's root: relative, so a stage prefix (…/prod/) stays in. */
  get root(): string {
    const depth = (this.event.resource ?? '/').split('/').filter(Boolean).length;
    return depth <= 1 ? './' : '../'.repeat(depth - 1);
  }

  /**
   * The frame of this page. A GET's language switch is this URL with the
   * other `lang`; a post's answer has no URL of its own to switch, so its
   * switch opens `switchTo` (default: the form) in the other language.
   */
  frame(switchTo?: string): PageFrame {
    const other = otherLocale(this.lang);
    if (this.event.httpMethod !== 'GET' || switchTo !== undefined) {
      const target = switchTo ?? this.root;
      return { lang: this.lang, root: this.root, switchHref: `${target}?lang=${other}` };
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(this.event.queryStringParameters ?? {})) {
      if (k !== 'lang' && v !== undefined) params.append(k, v);
    }
    params.set('lang', other);
    const last = (this.event.resource ?? '/').split('/').filter(Boolean).pop();
    return { lang: this.lang, root: this.root, switchHref: `${last ?? './'}?${params}` };
  }

  /** Adds a `Set-Cookie` to the answer: host-only, HttpOnly, SameSite=Strict unless `lax`. */
  setCookie(name: string, value: string, options: { maxAge?: number; lax?: boolean } = {}): void {
    const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${options.lax ? 'Lax' : 'Strict'}`];
    if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
    if (this.secure) parts.push('Secure');
    this.setCookies.push(parts.join('; '));
  }

  /** This browser's anti-forgery token: the one its cookie holds, else a new one set now. */
  csrfToken(): string {
    const held = this.cookies.get(CSRF_COOKIE);
    if (held && TOKEN_SHAPE.test(held)) return held;
    const token = randomToken();
    this.cookies.set(CSRF_COOKIE, token);
    this.setCookie(CSRF_COOKIE, token);
    return token;
  }

  /**
   * Whether a form post came from our own page: the browser says it is
   * same-origin (Fetch Metadata, Origin) where it tells, and the form's token
   * equals the cookie's (double submit), compared in constant time.
   */
  formIsOurs(form: URLSearchParams): boolean {
    if (!this.sameOrigin()) return false;
    const cookie = this.cookies.get(CSRF_COOKIE) ?? '';
    const sent = form.get(CSRF_FIELD) ?? '';
    return TOKEN_SHAPE.test(cookie) && constantTimeEqual(cookie, sent);
  }

  /**
   * Whether the browser says the post came from this origin (Fetch Metadata,
   * else Origin) or says nothing (a mail client's one-click post). Enough for a
   * form carrying an emailed token: without the token no other site can post it.
   */
  sameOrigin(): boolean {
    const site = this.event.headers?.['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return false;
    const origin = this.event.headers?.origin;
    if (origin !== undefined && origin !== 'null') {
      const host = this.event.headers?.host;
      try {
        if (!host || new URL(origin).host !== host) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /**
   * Remembers the submitter's status token for `requestId` in this browser
   * only, and whether a second code went to a new address (the code page then
   * asks for it; the flag only shows a field, so it needs no protection).
   */
  keepStatusToken(requestId: string, statusToken: string, newAddress = false): void {
    const value = `${requestId}.${statusToken}${newAddress ? '.new-address' : ''}`;
    this.setCookie(STATUS_COOKIE, value, { maxAge: 30 * 86400 });
  }

  /** The status token this browser holds for `requestId`, if it submitted it. */
  statusTokenFor(requestId: string): string | undefined {
    const [id, token] = (this.cookies.get(STATUS_COOKIE) ?? '').split('.');
    return id === requestId && RequestId.safeParse(id).success && token && TOKEN_SHAPE.test(token)
      ? token
      : undefined;
  }

  /** Whether this browser submitted `requestId` as a correction of the email address (a second code is due). */
  expectsNewAddressCode(requestId: string): boolean {
    const [, , flag] = (this.cookies.get(STATUS_COOKIE) ?? '').split('.');
    return this.statusTokenFor(requestId) !== undefined && flag === 'new-address';
  }

  /** Keeps the proof that this browser entered the code of `requestId` (Strict, HttpOnly, this request only). */
  keepVerifiedProof(requestId: string, proof: string): void {
    this.setCookie(VERIFIED_COOKIE, `${requestId}.${proof}`, { maxAge: 30 * 86400 });
  }

  /** The proof this browser holds for `requestId`, if it entered its code. */
  verifiedProofFor(requestId: string): string | undefined {
    const [id, proof] = (this.cookies.get(VERIFIED_COOKIE) ?? '').split('.');
    return id === requestId && proof && PROOF_SHAPE.test(proof) ? proof : undefined;
  }

  /** An HTML page with its CSP (allowing `script` inline) and the cookies set so far. */
  page(
    statusCode: number,
    body: string,
    script?: string,
    extra: Record<string, string> = {},
  ): APIGatewayProxyResult {
    return this.answer({
      statusCode,
      headers: {
        ...BASE_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        ...pageHeaders(script),
        ...extra,
      },
      body,
    });
  }

  /** 303 See Other to `location` (relative to this URL): the answer to a form post that worked. */
  redirect(location: string): APIGatewayProxyResult {
    return this.answer({ statusCode: 303, headers: { ...BASE_HEADERS, location }, body: '' });
  }

  private answer(result: APIGatewayProxyResult): APIGatewayProxyResult {
    return this.setCookies.length
      ? { ...result, multiValueHeaders: { 'set-cookie': this.setCookies } }
      : result;
  }
}

/** What a refused call answered, from its exposed `HttpError` (JSON `{ error, message, ...details }`). */
export function refusalOf(error: HttpError): Refusal {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(error.message) as Record<string, unknown>;
  } catch {
    // A plain message: only the status says what happened.
  }
  const { error: code, message: _message, ...details } = parsed;
  const retryAfter = Number(error.headers?.['retry-after']);
  return {
    status: error.statusCode,
    error: typeof code === 'string' ? code : '',
    details,
    ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** Whether the caller is a browser asking for a page (a navigation or a form post), not an API client. */
export const wantsPage = (event: Pick<APIGatewayProxyEvent, 'headers'>): boolean =>
  /\btext\/html\b/.test(event.headers?.accept ?? '') || isFormPost(event);
