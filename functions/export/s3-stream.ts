import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Where exports are written: the client is injected, the bucket comes from the caller's config. */
export interface ExportStorage {
  readonly s3: S3Client;
  readonly bucket: string;
}

/** 5 MiB parts (the S3 minimum) and two in flight: memory stays near 10 MiB whatever the size. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * Streams `source` into `key` with a multipart upload fed by a PassThrough, so
 * nothing is buffered whole. Returns the number of bytes written. On any
 * failure the upload is aborted (no partial object is left) and the error rethrown.
 */
export async function uploadStream(
  deps: ExportStorage,
  key: string,
  source: Readable,
  contentType: string,
  extra: { contentDisposition?: string } = {},
): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const body = new PassThrough();
  const upload = new Upload({
    client: deps.s3,
    params: {
      Bucket: deps.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ...(extra.contentDisposition ? { ContentDisposition: extra.contentDisposition } : {}),
    },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  try {
    await Promise.all([pipeline(source, counter, body), upload.done()]);
  } catch (error) {
    // Stop both sides: the reader (which may wait on a full buffer) and the upload.
    source.destroy();
    body.destroy();
    await upload.abort().catch(() => undefined);
    throw error;
  }
  return size;
}

/** Opens an object as a stream (never read whole). */
export async function openObject(deps: ExportStorage, key: string): Promise<Readable> {
  const response = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const body = response.Body;
  if (!(body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
  return body;
}
