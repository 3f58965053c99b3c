/**
 * `Idempotency-Key` for `POST /requests`, on Powertools idempotency with its
 * DynamoDB persistence layer (`IDEMPOTENCY_TABLE`). The record key is the
 * client's key (keyed-hashed first); the payload check is a keyed hash of the
 * parsed body, so the same key with another body is refused, and no body, email
 * or token is ever stored: only what `run` returns (ids and a status).
 */
import { createHmac } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, loadConfig } from './config';

/** How long a key answers with its first result (Stripe keeps keys 24 h too). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Stable across deployments (the Powertools default prefix is the Lambda function's generated name). */
const KEY_PREFIX = 'submit-request';

/** The idempotency table is not configured (a deployment error; answered 503 like an outage). */
export class IdempotencyUnavailableError extends Error {
  override readonly name = 'IdempotencyUnavailable';
}

let store: BasePersistenceLayer | undefined;

function persistenceStore(): BasePersistenceLayer {
  if (store) return store;
  const tableName = loadConfig().idempotencyTable;
  if (!tableName) throw new IdempotencyUnavailableError(`${ENV.idempotencyTable} is not set`);
  // Its own low-level client: the layer marshals items itself, so the shared DocumentClient cannot serve it.
  store = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: new DynamoDBClient({}) });
  return store;
}

/** For tests: replace the persistence layer (undefined = DynamoDB from config on next use). */
export function useIdempotencyStore(replacement?: BasePersistenceLayer): void {
  store = replacement;
}

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

/** What identifies one submission: the client's key and the body it was sent with, both keyed-hashed. */
export interface SubmissionFingerprint {
  readonly key: string;
  readonly bodyHash: string;
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

/**
 * Runs `run` once per fingerprint within `IDEMPOTENCY_TTL_SECONDS`; a repeat
 * gets the first run's result back. Errors from `run` are not remembered (the
 * next try runs again). Throws Powertools' `IdempotencyValidationError` for the
 * same key with another body, `IdempotencyAlreadyInProgressError` while the first
 * run is still going, `IdempotencyPersistenceLayerError` when the table fails.
 */
export async function once<T extends Record<string, unknown>>(
  fingerprint: SubmissionFingerprint,
  run: () => Promise<T>,
  context?: Context,
): Promise<T> {
  // A fresh config per call: the Lambda context (for the in-progress expiry) is per invocation.
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'bodyHash',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  if (context && typeof context.getRemainingTimeInMillis === 'function')
    config.registerLambdaContext(context);
  const idempotent = makeIdempotent(async (_fingerprint: SubmissionFingerprint) => run(), {
    persistenceStore: persistenceStore(),
    config,
    keyPrefix: KEY_PREFIX,
  });
  return (await idempotent({ ...fingerprint })) as T;
}
