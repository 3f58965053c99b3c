/**
 * The keyed hashes behind `Idempotency-Key` on submissions: the fingerprint
 * (client key and body, so the same key with another body is told apart), and
 * the status token of the answer to a repeated submission.
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
 * The status token of the answer to a repeated submission (the person already
 * has a request of that type open): shaped like a real one (32 bytes,
 * base64url) and bound to the answer's unused request id, so a code sent with
 * it is recognised and told to use the emailed link instead of "no such request".
 */
export function decoyStatusToken(secret: Buffer, requestId: string): string {
  return createHmac('sha256', secret).update(`decoy-status-token\u0000${requestId}`).digest('base64url');
}
