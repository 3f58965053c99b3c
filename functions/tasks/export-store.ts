import { z } from 'zod';
import { dynamoDbClient, s3Client } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { createConnector } from '../connectors/registry';
import { dataStoreOf } from '../core/data-map';
import { type StoreExportResult, writeStoreExport } from '../export/store-export';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** ExportStore (one Map iteration): streams one store's records for the subject into the exports bucket. */
export async function handler(event: unknown): Promise<StoreExportResult> {
  const { requestId, storeId } = Input.parse(event);
  const cfg = config();
  const store = dataStoreOf(cfg.dataMap, storeId);
  const ledger = ledgerTable();
  const record = await ledger.require(requestId);
  await ledger.setStoreProgress(requestId, storeId, { status: 'in_progress' });
  const clients = { dynamodb: dynamoDbClient(), s3: s3Client() };
  try {
    const result = await withTransient(() =>
      writeStoreExport(
        { s3: clients.s3, bucket: cfg.DSR_EXPORT_BUCKET },
        {
          requestId,
          storeId,
          records: createConnector(store, clients).export({ identities: record.identities ?? {} }),
        },
      ),
    );
    await ledger.setStoreProgress(requestId, storeId, { status: 'completed', records: result.records });
    logger.info('store exported', { requestId, storeId, records: result.records });
    return result;
  } catch (error) {
    await ledger
      .setStoreProgress(requestId, storeId, { status: 'failed' })
      .catch(() => logger.warn('could not record a failed store', { requestId, storeId }));
    throw error;
  }
}
