import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, hashingKey, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { createConnector } from '../connectors/registry';
import { dataStoreOf } from '../core/data-map';
import type { ErasureCounts } from '../core/erasure/decisions';
import { eraseStore } from '../erasure/erase';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/**
 * EraseStore (one Map iteration): decides once (manifest in the exports bucket)
 * and carries out erasure of the subject's records in one store. A retry after
 * a crash reuses the decisions, so it ends in the same state with the same counts.
 */
export async function handler(event: unknown): Promise<{ storeId: string; counts: ErasureCounts }> {
  const { requestId, storeId } = Input.parse(event);
  const cfg = config();
  const store = dataStoreOf(cfg.dataMap, storeId);
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  const clients = { dynamodb: dynamoDbClient(), s3: s3Client() };
  const key = await hashingKey();
  try {
    const { counts, receipt } = await withTransient(() =>
      eraseStore(
        { s3: clients.s3, bucket: cfg.DSR_EXPORT_BUCKET },
        {
          requestId,
          store,
          connector: createConnector(store, clients),
          subject: { identities: record.identities ?? {} },
          ...(record.contact ? { contact: record.contact } : {}),
          hashingKey: key,
        },
      ),
    );
    await ledger.setStoreProgress(requestId, storeId, {
      status: 'completed',
      records: counts.found,
      erasure: counts,
    });
    logger.info('store erased', {
      requestId,
      storeId,
      ...counts,
      writes: { deleted: receipt.deleted, updated: receipt.updated, versions: receipt.versionsDeleted ?? 0 },
    });
    return { storeId, counts };
  } catch (error) {
    await ledger
      .setStoreProgress(requestId, storeId, { status: 'failed' })
      .catch(() => logger.warn('could not record a failed store', { requestId, storeId }));
    throw error;
  }
}
