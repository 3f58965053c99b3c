import { auditTrail, config, exportObjects, ledgerTable, log, zipWriters } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { PackageExportItem, packageRequestExport } from '../core/export/package';
import * as z from '../core/zod';

// Each Map iteration's output: a store file, or a processor branch's escalation / acknowledgement.
const Input = z.object({ requestId: z.string().check(z.minLength(1)), exports: z.array(PackageExportItem) });

/**
 * PackageExport: streams the per-store (and per-processor) files into one zip
 * with the processing record (every processor in the data map and this
 * request's processor calls); returns its key and record count.
 */
export async function handler(event: unknown): Promise<{ key: string; records: number }> {
  const input = z.parse(Input, event);
  const cfg = config();
  const ports = {
    ledger: ledgerTable(),
    exports: exportObjects(),
    zip: zipWriters,
    dataMap: cfg.dataMap,
    auditTrail: auditTrail(),
    settings: { publicUrl: cfg.publicUrl, linkTtlSeconds: cfg.exportLinkTtlSeconds },
  };
  return withTransient(() => packageRequestExport({ ...ports, log: log() }, input));
}
