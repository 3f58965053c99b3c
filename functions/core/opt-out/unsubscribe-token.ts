/**
 * One-click unsubscribe tokens (RFC 8058) for marketing mail: a signed,
 * expiring statement "this address may be opted out". The signature is what
 * proves the address, so the opt-out it starts needs no further verification.
 * Format: `<base64url payload>.<base64url HMAC-SHA256>`, payload `{e, x}`
 * (email, expiry in epoch seconds) encrypted with AES-256-GCM, so the address
 * never sits readable in a URL that proxies or access logs may keep.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constantTimeEqual, keyedHash } from '../crypto';
import { EmailAddress } from '../request-bodies';
import * as z from '../zod';

/** How long a token in a marketing email stays usable unless the caller says otherwise (60 days). */
export const DEFAULT_UNSUBSCRIBE_TOKEN_TTL_SECONDS = 60 * 24 * 3600;

/** Why a token was refused: `expired` answers 410, the others 400. */
export type UnsubscribeTokenProblem = 'malformed' | 'tampered' | 'expired';

/** A token that cannot be used; the message never contains the token or the address. */
export class UnsubscribeTokenError extends Error {
  override readonly name = 'UnsubscribeTokenError';
  constructor(readonly reason: UnsubscribeTokenProblem) {
    super(`unsubscribe token is ${reason}`);
  }
}

const Payload = z.strictObject({ e: EmailAddress, x: z.number().check(z.int(), z.positive()) });

// Tokens ride in URLs and headers: base64url characters only, bounded length.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{2,1400}\.[A-Za-z0-9_-]{43}$/;

/** The payload's encryption key, derived from the hashing secret so no second secret is needed. */
function payloadKey(key: Buffer): Buffer {
  return Buffer.from(keyedHash(key, 'unsubscribe', 'payload-encryption-key'), 'hex');
}

function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', payloadKey(key), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function open(key: Buffer, sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 12 + 16 + 1) throw new UnsubscribeTokenError('malformed');
  const decipher = createDecipheriv('aes-256-gcm', payloadKey(key), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new UnsubscribeTokenError('tampered');
  }
}

function signatureOf(key: Buffer, payload: string): string {
  return Buffer.from(keyedHash(key, 'unsubscribe', payload), 'hex').toString('base64url');
}

/** A token for `email` that stops working at `expiresAt`. */
export function createUnsubscribeToken(key: Buffer, email: string, expiresAt: Date): string {
  const payload = seal(
    key,
    JSON.stringify({ e: z.parse(EmailAddress, email), x: Math.floor(expiresAt.getTime() / 1000) }),
  );
  return `${payload}.${signatureOf(key, payload)}`;
}

/**
 * The email address a token was issued for, or `UnsubscribeTokenError`:
 * `malformed` (not a token at all), `tampered` (signature does not match),
 * `expired` (signed, but past its expiry at `now`).
 */
export function readUnsubscribeToken(key: Buffer, token: string, now: Date = new Date()): string {
  if (!TOKEN_SHAPE.test(token)) throw new UnsubscribeTokenError('malformed');
  const [payload = '', signature = ''] = token.split('.');
  if (!constantTimeEqual(signature, signatureOf(key, payload))) throw new UnsubscribeTokenError('tampered');
  let decoded: unknown;
  try {
    decoded = JSON.parse(open(key, payload));
  } catch (error) {
    if (error instanceof UnsubscribeTokenError) throw error;
    throw new UnsubscribeTokenError('malformed');
  }
  const parsed = Payload.safeParse(decoded);
  if (!parsed.success) throw new UnsubscribeTokenError('malformed');
  if (parsed.data.x * 1000 <= now.getTime()) throw new UnsubscribeTokenError('expired');
  return parsed.data.e;
}

/** The token's marker in the suppression table, so each token starts at most one opt-out. */
export function usedTokenKey(key: Buffer, token: string): string {
  return `token#${keyedHash(key, 'unsubscribe', `used\u0000${token}`)}`;
}

/** The link a marketing email carries, e.g. `https://dsr.example.com/unsubscribe?token=…`. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/** RFC 8058 headers for a marketing email: the link, and that a POST to it unsubscribes in one click. */
export function unsubscribeHeaders(
  publicUrl: string,
  token: string,
): { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(publicUrl, token)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** When a token minted at `now` expires, for a TTL in seconds (default 60 days). */
export function unsubscribeTokenExpiry(
  now: Date,
  ttlSeconds: number = DEFAULT_UNSUBSCRIBE_TOKEN_TTL_SECONDS,
): Date {
  return new Date(now.getTime() + ttlSeconds * 1000);
}
