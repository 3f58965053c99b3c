import { z } from 'zod';
import { s3Client } from '../aws/clients';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { config } from '../aws/runtime';
import { packageExport } from '../export/package';
import { StoreExportResult } from '../export/store-export';

const Input = z.object({ requestId: z.string().min(1), exports: z.array(StoreExportResult) });

/** PackageExport: streams the per-store files into one zip; returns its key and record count. */
export async function handler(event: unknown): Promise<{ key: string; records: number }> {
  const { requestId, exports } = Input.parse(event);
  const cfg = config();
  const exported = new Set(exports.map((e) => e.storeId));
  const stores = cfg.dataMap.stores
    .filter((s) => exported.has(s.id))
    .map((s) => ({ id: s.id, description: s.description, categories: s.categories }));
  const result = await withTransient(() =>
    packageExport({ s3: s3Client(), bucket: cfg.DSR_EXPORT_BUCKET }, { requestId, exports, stores }),
  );
  logger.info('export packaged', { requestId, records: result.records, size: result.size });
  return { key: result.key, records: result.records };
}
