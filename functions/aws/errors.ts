import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** Retryable failure: the ASL `Retry` blocks match on this name. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

interface SdkErrorShape {
  name?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalServerError',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
]);

/** True for throttling, 5xx and network errors from the AWS SDK. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & SdkErrorShape;
  if (e.$retryable) return true;
  if (THROTTLING.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** Rethrows transient SDK errors as `TransientError` (message without payload data); others unchanged. */
export function surfaceTransient(error: unknown): never {
  if (isTransient(error)) {
    throw new TransientError(`transient AWS error: ${(error as Error).name}`, { cause: error });
  }
  throw error;
}

/** Runs `fn`, mapping transient AWS errors to `TransientError`. */
export async function withTransient<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return surfaceTransient(error);
  }
}

/** True when a DynamoDB write was refused by its condition (the SDK's class, or its name across SDK copies). */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}
