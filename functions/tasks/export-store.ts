import * as z from 'zod';
import { storePorts } from '../aws/composition-root';
import { withTransient } from '../aws/errors';
import { exportStore, type StoreExportResult } from '../core/export/store-export';

const Input = z.object({ requestId: z.string().min(1), storeId: z.string().min(1) });

/** ExportStore (one Map iteration): streams one store's records for the subject into the exports bucket. */
export async function handler(event: unknown): Promise<StoreExportResult> {
  const input = Input.parse(event);
  return withTransient(() => exportStore(storePorts(), input));
}
