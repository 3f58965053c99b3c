import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadLinks, ObjectStore, PutOptions } from '../core/ports';

/** 5 MiB parts (the S3 minimum) and two in flight: memory stays near 10 MiB whatever the size. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

/** The `ObjectStore` port on one S3 bucket; the client is injected. */
export class S3ObjectStore implements ObjectStore, DownloadLinks {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: string | Uint8Array, options: PutOptions): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ...(options.contentDisposition ? { ContentDisposition: options.contentDisposition } : {}),
        ...(options.checksum ? { ChecksumAlgorithm: 'SHA256' } : {}),
      }),
    );
  }

  /**
   * A multipart upload fed by a PassThrough, so nothing is buffered whole. On
   * any failure the upload is aborted (no partial object is left).
   */
  async upload(key: string, source: Readable, options: PutOptions): Promise<number> {
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const body = new PassThrough();
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ...(options.contentDisposition ? { ContentDisposition: options.contentDisposition } : {}),
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

  async open(key: string): Promise<Readable | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(response.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
      return response.Body;
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name;
      if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw error;
    }
  }

  /** A pre-signed GetObject URL (signed locally, no request is sent). */
  downloadUrl(
    key: string,
    options: { readonly fileName: string; readonly contentType: string; readonly expiresInSeconds: number },
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${options.fileName}"`,
        ResponseContentType: options.contentType,
        // The zip holds the person's data: no browser or proxy cache keeps a copy.
        ResponseCacheControl: 'no-store',
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }
}
