import { createHmac, timingSafeEqual } from 'node:crypto';

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: who sent the body, and that it is unchanged. */
export const SIGNATURE_HEADER = 'x-dsr-signature';
/** Unix seconds the signature was made at; part of what is signed, so an old request cannot be replayed. */
export const TIMESTAMP_HEADER = 'x-dsr-timestamp';
/** Stable across retries of one notification, so a processor acts on it once. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** How far a signature's timestamp may be from now (either way) before it counts as stale. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE_FORMAT = /^v1=([0-9a-fA-F]{64})$/;
const TIMESTAMP_FORMAT = /^[0-9]{1,12}$/;

function mac(secret: Buffer, timestamp: number | string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest();
}

/**
 * Signs a body for a processor (or, in tests and simulators, as a processor):
 * `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the processor's secret.
 * The same scheme signs our requests and the processors' callbacks.
 */
export function signProcessorBody(secret: Buffer, timestamp: number, body: string): string {
  return `v1=${mac(secret, timestamp, body).toString('hex')}`;
}

/** Signature headers that have the right shape and a fresh timestamp: the given MAC, not yet checked. */
export interface WellFormedSignature {
  readonly timestamp: string;
  readonly mac: Buffer;
}

/**
 * The headers' timestamp and MAC when the timestamp is digits within
 * `toleranceSeconds` of now and the signature is `v1=` and 64 hex digits;
 * undefined otherwise. Needs no secret, so it runs before anything is looked up.
 */
export function wellFormedSignature(
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  nowMs: number = Date.now(),
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): WellFormedSignature | undefined {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined) return undefined;
  if (!TIMESTAMP_FORMAT.test(timestamp)) return undefined;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return undefined;
  const match = SIGNATURE_FORMAT.exec(signature.trim());
  if (!match?.[1]) return undefined;
  return { timestamp, mac: Buffer.from(match[1], 'hex') };
}

/**
 * True when `signature` is a `v1=` signature of exactly this raw body and
 * timestamp under `secret`, and the timestamp is within `toleranceSeconds` of
 * now. False, never an exception, on anything missing, malformed or stale.
 * The MACs are compared in constant time.
 */
export function verifyProcessorSignature(
  secret: Buffer,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  body: string,
  nowMs: number = Date.now(),
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const given = wellFormedSignature(headers, nowMs, toleranceSeconds);
  if (!given) return false;
  const expected = mac(secret, given.timestamp, body);
  // timingSafeEqual needs equal lengths; the format check guarantees 32 bytes, this keeps it safe if that changes.
  return given.mac.length === expected.length && timingSafeEqual(given.mac, expected);
}
