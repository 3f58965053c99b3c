/** One store's work inside a request, with its progress in the ledger. */
import type { Log, RequestLedger } from './ports';

/**
 * Runs `work` for one store; when it throws, the store is recorded `failed`
 * (best effort: a ledger that cannot write then is logged) and the error goes
 * on to the workflow, whose retry or support decision takes it from there.
 */
export async function markedFailedOnError<T>(
  ports: { readonly ledger: Pick<RequestLedger, 'setStoreProgress'>; readonly log: Log },
  ids: { readonly requestId: string; readonly storeId: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await ports.ledger
      .setStoreProgress(ids.requestId, ids.storeId, { status: 'failed' })
      .catch(() => ports.log.warn('could not record a failed store', { ...ids }));
    throw error;
  }
}
