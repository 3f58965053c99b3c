/**
 * A store's (or processor's) permanent failure inside a Map iteration: recorded
 * on the request with its error class and a reason support can act on, so the
 * other stores finish and support decides what happens next.
 */

import type { FailedStore } from '../ledger-record';
import type { Log, RequestLedger } from '../ports';
import * as z from '../zod';

/** Error classes the workflow and the adapters raise, in words support can act on (never the error's message). */
const REASONS: Readonly<Record<string, string>> = {
  ResourceNotFoundException: "the store's table was not found (deleted, renamed or in another account)",
  NoSuchBucket: "the store's bucket was not found (deleted, renamed or in another account)",
  AccessDeniedException: 'the workflow is not allowed to use the store (IAM or key policy)',
  AccessDenied: 'the workflow is not allowed to use the store (IAM, bucket or key policy)',
  ErasureIncomplete: 'after erasure the store still held records the erasure decisions do not allow',
  OptOutUnsupported: 'the data map declares consent fields in a store whose kind cannot change them',
  ChangeUnsupported:
    'the data map declares correctable, restriction or consent fields in a store whose kind cannot change them',
  ChangeNotProven: 'after the change the store still held records without the new values',
  PrimaryKeyError:
    "a record of the subject lacks the table's key attribute named in the data map (bad data, or a wrong primaryKey): fix it by hand",
  'States.Timeout': 'the store did not answer within the task timeout',
  'Sandbox.Timedout': 'the function ran out of time on this store',
  'Lambda.Unknown': 'the function stopped on this store (out of memory or time)',
  'States.TaskFailed': 'the task failed after every retry',
  ProcessorConfigError: "the partner's endpoint in the data map cannot be used",
  ProcessorSecretError: "the partner's signing secret is missing or unusable",
  TransientError: 'the store kept failing with temporary errors after every retry',
};

const ERROR_CLASS = /^[A-Za-z][A-Za-z0-9._-]{0,79}$/;

/** The caught error's class, as support sees it; anything not shaped like a class name is `UnknownError`. */
export function errorClassOf(error: { readonly Error?: string } | undefined): string {
  const name = error?.Error ?? '';
  return ERROR_CLASS.test(name) ? name : 'UnknownError';
}

/** A reason support can read for an error class; no personal data (the error's message is never used). */
export function reasonFor(errorClass: string): string {
  return (
    REASONS[errorClass] ??
    `the store failed with ${errorClass}; the function's logs for this request say more`
  );
}

export const StoreFailureInput = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  ackSeconds: z.number().check(z.int(), z.nonnegative()),
  // The ASL passes the caught error as { Error, Cause }; the Cause is never kept (it may quote data).
  error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
});
export type StoreFailureInput = z.infer<typeof StoreFailureInput>;

/** One Map iteration's output when its store failed for good: enough to run it again, and nothing personal. */
export interface StoreFailure extends FailedStore {
  readonly kind: string;
  readonly ackSeconds: number;
  readonly failed: true;
}

/** Records the store as failed (error class and reason) and returns the iteration's failure item. */
export async function recordStoreFailure(
  ports: { readonly ledger: Pick<RequestLedger, 'setStoreProgress'>; readonly log: Log },
  input: StoreFailureInput,
): Promise<StoreFailure> {
  const { requestId, storeId, kind, ackSeconds } = input;
  const error = errorClassOf(input.error);
  const reason = reasonFor(error);
  await ports.ledger.setStoreProgress(requestId, storeId, { status: 'failed', error, reason });
  ports.log.error('store failed for good', { requestId, storeId, error });
  return { storeId, kind, ackSeconds, failed: true, error, reason };
}
