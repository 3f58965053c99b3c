import { z } from 'zod';
import { s3Client } from '../aws/clients';
import { config, ledgerTable } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { logger } from '../aws/logger';
import { isDataStore, isProcessor } from '../core/data-map';
import { processorCallStatus, processorCallsOf } from '../core/export/processor-calls';
import { PackageExportItem, packageExport } from '../export/package';

// Each Map iteration's output: a store file, or a processor branch's escalation / acknowledgement.
const Input = z.object({ requestId: z.string().min(1), exports: z.array(PackageExportItem) });

/**
 * PackageExport: streams the per-store (and per-processor) files into one zip
 * with the processing record (every processor in the data map and this
 * request's processor calls); returns its key and record count.
 */
export async function handler(event: unknown): Promise<{ key: string; records: number }> {
  const { requestId, exports } = Input.parse(event);
  const cfg = config();
  const record = await ledgerTable().require(requestId);
  const exported = new Set(exports.map((e) => e.storeId));
  // A processor's records appear like a store's, under its name.
  const stores = cfg.dataMap.stores
    .filter((s) => exported.has(s.id))
    .map((s) => ({
      id: s.id,
      description: isDataStore(s) ? s.description : s.name,
      categories: s.categories,
    }));
  const recipients = cfg.dataMap.stores.filter(isProcessor).map((p) => ({
    processorId: p.id,
    name: p.name,
    description: p.description,
    categories: p.categories,
    ...(p.country ? { country: p.country } : {}),
    requestTypes: p.requestTypes,
  }));
  const processorCalls = processorCallsOf(record, cfg.dataMap);
  const result = await withTransient(() =>
    packageExport(
      { s3: s3Client(), bucket: cfg.DSR_EXPORT_BUCKET },
      { requestId, exports, stores, recipients, processorCalls },
    ),
  );
  logger.info('export packaged', {
    requestId,
    records: result.records,
    size: result.size,
    processors: processorCalls.length,
    processorsEscalated: processorCalls.filter((c) => processorCallStatus(c) === 'escalated').length,
  });
  return { key: result.key, records: result.records };
}
