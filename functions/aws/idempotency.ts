/**
 * `Idempotency-Key` for `POST /requests`, on Powertools idempotency with its
 * DynamoDB persistence layer (`IDEMPOTENCY_TABLE`). The record key is the
 * client's key (keyed-hashed first); the payload check is a keyed hash of the
 * parsed body, so the same key with another body is refused, and no body, email
 * or token is ever stored: only what `run` returns (ids and a status).
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { SubmissionFingerprint } from '../core/ports';
import { ENV, loadConfig } from './config';

export type { SubmissionFingerprint };

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

export { submissionFingerprint } from '../core/requests/idempotency';

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
