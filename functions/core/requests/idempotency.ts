/**
 * The keyed hashes behind `Idempotency-Key` on submissions: the fingerprint
 * (client key and body, so the same key with another body is told apart) and a
 * status token a replay can give back without the token ever being stored.
 */
import { createHmac } from 'node:crypto';
import type { SubmissionFingerprint } from '../ports';

export type { SubmissionFingerprint };

/** HMAC under a label of its own (kept apart from every `keyedHash` purpose). */
function labelledHash(secret: Buffer, label: string, parts: readonly string[]): string {
  return createHmac('sha256', secret)
    .update(`${label}\u0000${parts.join('\u0000')}`, 'utf8')
    .digest('hex');
}

/** JSON with object keys sorted, so key order never changes a hash. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Fingerprint of a submission; `body` is the parsed (normalised) body, so key order and spacing do not matter. */
export function submissionFingerprint(
  secret: Buffer,
  idempotencyKey: string,
  body: unknown,
): SubmissionFingerprint {
  return {
    key: labelledHash(secret, 'idempotency-key', [idempotencyKey]),
    bodyHash: labelledHash(secret, 'idempotency-body', [canonicalJson(body)]),
  };
}

/**
 * A status token that a replay can give back without the token ever being
 * stored: derived from the secret, the fingerprint and the request id. Same
 * format as `randomToken()` (32 bytes, base64url) and as unguessable without the
 * secret; only the ledger's keyed hash of it is stored, as for random tokens.
 */
export function replayableStatusToken(
  secret: Buffer,
  fingerprint: SubmissionFingerprint,
  requestId: string,
): string {
  return createHmac('sha256', secret)
    .update(`idempotent-status-token\u0000${fingerprint.key}\u0000${fingerprint.bodyHash}\u0000${requestId}`)
    .digest('base64url');
}
