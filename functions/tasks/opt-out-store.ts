import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { createConnector } from '../connectors/registry';
import { dataStoreOf } from '../core/data-map';
import type { LedgerRecord } from '../core/ledger-record';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** A store declares marketing consent but its kind has no way to change it. Not retried. */
export class OptOutUnsupportedError extends Error {
  override readonly name = 'OptOutUnsupported';
}

export interface OptOutStoreResult {
  readonly storeId: string;
  /** Records whose consent fields are now false. */
  readonly updated: number;
  /** The store declares no marketing consent: nothing to do. */
  readonly skipped: boolean;
}

/**
 * The opt-out's time: when the request started (PlanStores), so a retry
 * stamps the same `marketingOptOutAt` as the first attempt.
 */
function optOutTime(record: LedgerRecord): string {
  const started = record.history.findLast((h) => h.status === 'in_progress');
  return started?.at ?? new Date().toISOString();
}

/**
 * OptOutStore (one Map iteration): turns marketing consent off on the
 * subject's records in one store and records the count in the ledger. Stores
 * without `marketingConsentFields` are skipped (progress `completed`, 0 records).
 */
export async function handler(event: unknown): Promise<OptOutStoreResult> {
  const { requestId, storeId } = Input.parse(event);
  const cfg = config();
  const store = dataStoreOf(cfg.dataMap, storeId);
  const ledger = ledgerTable();
  const connector = createConnector(store, { dynamodb: dynamoDbClient(), s3: s3Client() });
  if ((store.marketingConsentFields ?? []).length === 0) {
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: 0 });
    logger.info('store holds no marketing consent', { requestId, storeId });
    return { storeId, updated: 0, skipped: true };
  }
  const optOut = connector.optOut?.bind(connector);
  // Declared consent this system cannot turn off must reach support, not pass as done.
  if (!optOut)
    throw new OptOutUnsupportedError(`store ${storeId} declares consent its connector cannot change`);
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  try {
    const receipt = await withTransient(() =>
      optOut({ identities: record.identities ?? {} }, { requestId, at: optOutTime(record) }),
    );
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: receipt.updated });
    logger.info('marketing consent off', { requestId, storeId, updated: receipt.updated });
    return { storeId, updated: receipt.updated, skipped: false };
  } catch (error) {
    await ledger
      .setStoreProgress(requestId, storeId, { status: 'failed' })
      .catch(() => logger.warn('could not record a failed store', { requestId, storeId }));
    throw error;
  }
}
