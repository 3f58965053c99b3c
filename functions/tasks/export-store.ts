import { exportStorePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { exportStore, type StoreExportResult } from '../core/export/store-export';
import * as z from '../core/zod';

const Input = z.object({
  requestId: z.string().check(z.minLength(1)),
  storeId: z.string().check(z.minLength(1)),
});

/** ExportStore (one Map iteration): streams one store's records for the subject into the exports bucket. */
export async function handler(event: unknown): Promise<StoreExportResult> {
  const input = z.parse(Input, event);
  return withTransient(() => exportStore(exportStorePorts(), input));
}
