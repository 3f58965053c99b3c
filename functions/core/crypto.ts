import {
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';

/** What a keyed hash is for; distinct purposes never produce comparable hashes. */
export type HashPurpose =
  | 'subject'
  /** Phone numbers (E.164) on the suppression list, for WhatsApp and SMS. */
  | 'phone'
  | 'status-token'
  | 'verification-code'
  | 'verification-link'
  | 'export-token'
  | 'cancel-token'
  /** Rate-limit counters: client IPs never stored in plaintext. */
  | 'client-ip'
  /** Identifier values an erasure must leave nowhere (compared by hash, never stored in plaintext). */
  | 'identifier'
  /** One-click unsubscribe tokens: their signature, and the used-token marker in the suppression table. */
  | 'unsubscribe'
  /** The seed a request's first verification code and link are derived from (never stored). */
  | 'verification-seed'
  /** The cookie of the browser that entered a request's code: it may download the request's outcome. */
  | 'verified-browser';

/**
 * HMAC-SHA256 (hex) of `value`, domain-separated by `purpose`, so a code hash
 * can never be replayed as a token hash and stored hashes reveal nothing without the key.
 */
export function keyedHash(key: Buffer, purpose: HashPurpose, value: string): string {
  return createHmac('sha256', secretKeyOf(key)).update(`${purpose}\u0000${value}`, 'utf8').digest('hex');
}

/** Key objects by key content: an HMAC over a raw Buffer prepares the key anew each time, ~8x the cost. */
const secretKeys = new Map<string, KeyObject>();

function secretKeyOf(key: Buffer): KeyObject {
  const id = key.toString('base64');
  let secret = secretKeys.get(id);
  if (!secret) {
    // A process uses one or two keys; tests make more, so the cache never grows past a few.
    if (secretKeys.size >= 8) secretKeys.clear();
    secret = createSecretKey(key);
    secretKeys.set(id, secret);
  }
  return secret;
}

/** 32 random bytes, base64url: status tokens, link tokens, export tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A 6-digit one-time code, uniformly distributed (leading zeros kept). */
export function randomCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * A request's first verification code and link token, derived from the key and
 * the request id: a retried send mails the same ones, so an email whose sending
 * answer was lost keeps working. Unguessable without the key, like a keyed hash.
 */
/** The code that confirms a corrected email address: derived like the first code, so a retry mails the same one. */
export function derivedNewAddressCode(key: Buffer, requestId: string): string {
  const seed = createHmac('sha256', key).update(`new-address-seed\u0000${requestId}`, 'utf8').digest();
  return (seed.readBigUInt64BE(0) % 1_000_000n).toString().padStart(6, '0');
}

export function derivedVerificationSecrets(
  key: Buffer,
  requestId: string,
): { code: string; linkToken: string } {
  const seed = createHmac('sha256', key).update(`verification-seed\u0000${requestId}`, 'utf8').digest();
  // 64 bits mod 10^6: the bias is below 10^-13.
  const code = (seed.readBigUInt64BE(0) % 1_000_000n).toString().padStart(6, '0');
  const linkToken = createHmac('sha256', key)
    .update(`verification-link-seed\u0000${requestId}`, 'utf8')
    .digest('base64url');
  return { code, linkToken };
}

/** Compares two strings without leaking where they differ; different lengths are simply unequal. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/**
 * The read-only status link's token of a request: derived from the key and the
 * request id, so nothing is stored and every email can carry it. It opens the
 * status page only; verifying, downloading and cancelling check other secrets.
 */
export function statusLinkToken(key: Buffer, requestId: string): string {
  return createHmac('sha256', key).update(`status-link\u0000${requestId}`, 'utf8').digest('base64url');
}
