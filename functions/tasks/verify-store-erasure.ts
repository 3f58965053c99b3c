import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { createConnector } from '../connectors/registry';
import { dataStoreOf } from '../core/data-map';
import { ErasureIncompleteError } from '../core/erasure/decisions';
import { type VerifiedStore, verifyStoreErasure } from '../erasure/verify';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** Tests shorten the waits for lagging reads (see `DEFAULT_SETTLE_DELAYS_MS`). */
export const verifySettings: { settleDelaysMs?: readonly number[] } = {};

/**
 * VerifyStoreErasure (one Map iteration): runs the store's lookups again and
 * throws `ErasureIncomplete` (not retried: support) unless only what the
 * decisions keep remains, without the subject's identifiers.
 */
export async function handler(event: unknown): Promise<VerifiedStore> {
  const { requestId, storeId } = Input.parse(event);
  const cfg = config();
  const store = dataStoreOf(cfg.dataMap, storeId);
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  const progress = record.stores?.[storeId] ?? { status: 'completed' as const };
  const clients = { dynamodb: dynamoDbClient(), s3: s3Client() };
  const key = await hashingKey();
  try {
    const result = await withTransient(() =>
      verifyStoreErasure(
        { s3: clients.s3, bucket: cfg.DSR_EXPORT_BUCKET },
        {
          requestId,
          storeId,
          connector: createConnector(store, clients),
          subject: { identities: record.identities ?? {} },
          hashingKey: key,
          ...(verifySettings.settleDelaysMs ? { settleDelaysMs: verifySettings.settleDelaysMs } : {}),
        },
      ),
    );
    await ledger.setStoreProgress(requestId, storeId, { ...progress, verified: true });
    logger.info('store erasure verified', { requestId, storeId, remaining: result.remaining });
    return result;
  } catch (error) {
    if (error instanceof ErasureIncompleteError) {
      // The message holds the store id and counts only.
      logger.error('store erasure incomplete', { requestId, storeId, detail: error.message });
      await ledger
        .setStoreProgress(requestId, storeId, { ...progress, verified: false })
        .catch(() => logger.warn('could not record a failed verification', { requestId, storeId }));
    }
    throw error;
  }
}
