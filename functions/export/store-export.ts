import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  attachmentKey,
  attachmentPath,
  ExportFileName,
  ExportStoreId,
  FileNameAllocator,
  safeRequestId,
  safeStoreId,
  storeExportKey,
} from '../core/export/keys';
import type { ExportedRecord } from '../core/ports';
import { type ExportStorage, uploadStream } from './s3-stream';

/** What one store's export produced; small enough to travel through the workflow state. */
export const StoreExportResult = z.strictObject({
  storeId: ExportStoreId,
  records: z.number().int().nonnegative(),
  /** Hex sha256 of the exact bytes of `stores/<storeId>.json`. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  key: z.string().min(1),
  attachments: z.array(
    z.strictObject({ name: ExportFileName, key: z.string().min(1), size: z.number().int().nonnegative() }),
  ),
});
export type StoreExportResult = z.infer<typeof StoreExportResult>;

export interface StoreExportArgs {
  readonly requestId: string;
  readonly storeId: string;
  readonly records: AsyncIterable<readonly ExportedRecord[]>;
}

/**
 * Streams one store's records for a subject into
 * `exports/<requestId>/stores/<storeId>.json` as
 * `{ "storeId": ..., "records": [ {...}, ... ] }`, one page at a time, hashing
 * the bytes as they go. Attachments are streamed to
 * `exports/<requestId>/stores/<storeId>/files/<safe name>` and their record
 * gets `"file": "<storeId>/files/<name>"` (relative to the `stores/` folder).
 * Memory stays flat whatever the number of records.
 *
 * @throws UnsafeExportKeyError when requestId or storeId is not of the expected shape (nothing is written).
 */
export async function writeStoreExport(
  deps: ExportStorage,
  args: StoreExportArgs,
): Promise<StoreExportResult> {
  const requestId = safeRequestId(args.requestId);
  const storeId = safeStoreId(args.storeId);
  const key = storeExportKey(requestId, storeId);
  const hash = createHash('sha256');
  const attachments: StoreExportResult['attachments'] = [];
  const names = new FileNameAllocator();
  let records = 0;

  async function* document(): AsyncGenerator<Buffer> {
    const emit = (text: string): Buffer => {
      const bytes = Buffer.from(text, 'utf8');
      hash.update(bytes);
      return bytes;
    };
    yield emit(`{"storeId":${JSON.stringify(storeId)},"records":[`);
    for await (const page of args.records) {
      const lines: string[] = [];
      for (const record of page) {
        let data: Readonly<Record<string, unknown>> = record.data;
        if (record.attachment) {
          // One attachment at a time: a store of many documents never holds more than one open stream.
          const name = names.allocate(record.attachment.name);
          const fileKey = attachmentKey(requestId, storeId, name);
          const size = await uploadStream(
            deps,
            fileKey,
            await record.attachment.open(),
            'application/octet-stream',
          );
          attachments.push({ name, key: fileKey, size });
          data = { ...record.data, file: attachmentPath(storeId, name) };
        }
        lines.push((records === 0 ? '\n' : ',\n') + JSON.stringify(data));
        records++;
      }
      if (lines.length > 0) yield emit(lines.join(''));
    }
    yield emit('\n]}\n');
  }

  await uploadStream(deps, key, Readable.from(document()), 'application/json; charset=utf-8');
  return { storeId, records, sha256: hash.digest('hex'), key, attachments };
}
