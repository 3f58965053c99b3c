import { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../aws/object-store';

/** Where exports are written: the client is injected, the bucket comes from the caller's config. */
export interface ExportStorage {
  readonly s3: S3Client;
  readonly bucket: string;
}

/**
 * Streams `source` into `key` without buffering it whole; returns the bytes
 * written. Kept for the callers not yet on the `ObjectStore` port.
 */
export function uploadStream(
  deps: ExportStorage,
  key: string,
  source: Readable,
  contentType: string,
  extra: { contentDisposition?: string } = {},
): Promise<number> {
  return new S3ObjectStore(deps.s3, deps.bucket).upload(key, source, { contentType, ...extra });
}

/** Opens an object as a stream (never read whole). */
export async function openObject(deps: ExportStorage, key: string): Promise<Readable> {
  const response = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const body = response.Body;
  if (!(body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
  return body;
}
