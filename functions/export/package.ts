import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import archiver, { type Archiver } from 'archiver';
import { z } from 'zod';
import type { DataCategory } from '../core/data-map';
import { type IndexStore, renderIndexHtml } from './index-page';
import {
  attachmentKey,
  attachmentPath,
  exportZipKey,
  safeFileName,
  safeRequestId,
  safeStoreId,
  storeExportKey,
} from './keys';
import { type ExportStorage, openObject, uploadStream } from './s3-stream';
import { StoreExportResult } from './store-export';

/** A store file's bytes did not match the hash recorded when it was written. */
export class ExportIntegrityError extends Error {
  override readonly name = 'ExportIntegrityError';
}

export interface PackageExportArgs {
  readonly requestId: string;
  readonly exports: readonly StoreExportResult[];
  readonly stores: readonly {
    readonly id: string;
    readonly description: string;
    readonly categories: DataCategory[];
  }[];
  readonly generatedAt?: Date;
}

export interface PackagedExport {
  readonly key: string;
  readonly records: number;
  /** Bytes of the zip. */
  readonly size: number;
}

/** manifest.json: ids, counts and hashes only, never personal data. */
export interface ExportManifest {
  readonly requestId: string;
  readonly generatedAt: string;
  readonly stores: readonly {
    readonly storeId: string;
    readonly records: number;
    readonly sha256: string;
    readonly file: string;
    readonly attachments: number;
  }[];
}

/** Adds one entry and waits until archiver has consumed it, so only one source stream is open at a time. */
function addEntry(archive: Archiver, source: Readable | string, name: string, date: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      archive.off('entry', onEntry);
      archive.off('error', onError);
      archive.off('close', onClose);
      if (typeof source !== 'string') source.off('error', onError);
    };
    const onEntry = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // The upload side destroys the archive when it fails; an entry then never completes.
    const onClose = () => onError(new Error('archive closed before the entry was written'));
    archive.once('entry', onEntry);
    archive.once('error', onError);
    archive.once('close', onClose);
    if (typeof source !== 'string') source.once('error', onError);
    archive.append(source, { name, date });
  });
}

/** Passes bytes through while hashing them; `digest()` is valid once the stream has ended. */
function hashing(): Transform & { digest(): string } {
  const hash = createHash('sha256');
  let hex: string | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      hex = hash.digest('hex');
      callback();
    },
  });
  return Object.assign(transform, {
    digest(): string {
      if (hex === undefined) throw new Error('hash read before the stream ended');
      return hex;
    },
  });
}

/**
 * Builds the one zip a data subject downloads, `exports/<requestId>/export.zip`:
 * `manifest.json`, `index.html` (EN/ID), `stores/<storeId>.json` per store and
 * `stores/<storeId>/files/...` attachments. Each store file is streamed from S3
 * into the archive, which streams into a multipart upload: nothing is held whole.
 * Keys are rebuilt from validated ids, never taken from the input.
 *
 * @throws UnsafeExportKeyError on an invalid request id, store id or file name.
 * @throws ExportIntegrityError when a store file no longer matches its recorded sha256.
 */
export async function packageExport(deps: ExportStorage, args: PackageExportArgs): Promise<PackagedExport> {
  const requestId = safeRequestId(args.requestId);
  const exports = z.array(StoreExportResult).parse(args.exports);
  for (const result of exports) {
    safeStoreId(result.storeId);
    for (const file of result.attachments) safeFileName(file.name);
  }
  const generatedAt = args.generatedAt ?? new Date();
  const key = exportZipKey(requestId);

  const manifest: ExportManifest = {
    requestId,
    generatedAt: generatedAt.toISOString(),
    stores: exports.map((r) => ({
      storeId: r.storeId,
      records: r.records,
      sha256: r.sha256,
      file: `stores/${r.storeId}.json`,
      attachments: r.attachments.length,
    })),
  };
  const described = new Map(args.stores.map((s) => [s.id, s]));
  const indexStores: IndexStore[] = exports.map((r) => ({
    storeId: r.storeId,
    description: described.get(r.storeId)?.description ?? r.storeId,
    categories: described.get(r.storeId)?.categories ?? [],
    records: r.records,
    file: `stores/${r.storeId}.json`,
    attachments: r.attachments.map((a) => `stores/${attachmentPath(r.storeId, a.name)}`),
  }));

  const archive = archiver('zip', { zlib: { level: 6 } });
  const fill = async (): Promise<void> => {
    await addEntry(archive, `${JSON.stringify(manifest, null, 2)}\n`, 'manifest.json', generatedAt);
    const html = renderIndexHtml({ requestId, generatedAt: manifest.generatedAt, stores: indexStores });
    await addEntry(archive, html, 'index.html', generatedAt);
    for (const result of exports) {
      const check = hashing();
      const source = await openObject(deps, storeExportKey(requestId, result.storeId));
      // pipeline destroys `check` with the error if the S3 stream fails, which addEntry turns into a rejection.
      pipeline(source, check).catch(() => undefined);
      await addEntry(archive, check, `stores/${result.storeId}.json`, generatedAt);
      if (check.digest() !== result.sha256) {
        throw new ExportIntegrityError(`store file ${result.storeId} does not match its recorded sha256`);
      }
      for (const file of result.attachments) {
        const fileSource = await openObject(deps, attachmentKey(requestId, result.storeId, file.name));
        await addEntry(
          archive,
          fileSource,
          `stores/${attachmentPath(result.storeId, file.name)}`,
          generatedAt,
        );
      }
    }
    // Not awaited: its promise waits for the reader; completion is the upload's, and errors reach it too.
    archive.finalize().catch(() => undefined);
  };

  const filling = fill();
  const uploading = uploadStream(deps, key, archive, 'application/zip', {
    contentDisposition: `attachment; filename="${requestId}.zip"`,
  });
  try {
    await Promise.all([filling, uploading]);
  } catch (error) {
    // Destroy with the error (not abort(), which ends the zip cleanly) so a truncated zip is never stored.
    archive.destroy(error instanceof Error ? error : new Error('packaging failed'));
    await Promise.allSettled([filling, uploading]);
    throw error;
  }
  return { key, records: exports.reduce((sum, r) => sum + r.records, 0), size: archive.pointer() };
}
