import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadLinks, ObjectRange, ObjectStore, PutOptions } from '../core/ports';

/** 5 MiB parts (the S3 minimum) and two in flight, in three reused buffers: 15 MiB whatever the size. */
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
   * Streams `source` into `key`: one PutObject when it ends within the first
   * part, otherwise a multipart upload whose parts are copied into
   * {@link QUEUE_SIZE} + 1 part-sized buffers reused from part to part, so a
   * large upload allocates its part memory once instead of a new 5 MiB buffer
   * (and the chunks it was joined from) per part, which V8 frees only at its
   * next full collection. Text chunks are encoded straight into the part. On any
   * failure the multipart upload is aborted (no partial object is left) and
   * `source` destroyed.
   */
  async upload(key: string, source: Readable, options: PutOptions): Promise<number> {
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: options.contentType,
      ...(options.contentDisposition ? { ContentDisposition: options.contentDisposition } : {}),
    };
    let size = 0;
    /** Until the first part is full: the chunks as they came (a small object never needs a part buffer). */
    let head: Buffer[] | undefined = [];
    let part: Buffer | undefined;
    let filled = 0;
    const spare: Buffer[] = [];
    const sent: { PartNumber: number; ETag: string }[] = [];
    const running = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let uploadId: string | undefined;

    const sendPart = async (bytes: Buffer, length: number) => {
      while (running.size >= QUEUE_SIZE) await Promise.race(running);
      if (failure) throw failure.error;
      uploadId ??= (await this.s3.send(new CreateMultipartUploadCommand(params))).UploadId;
      if (!uploadId) throw new Error('S3 CreateMultipartUpload returned no upload id');
      const partNumber = sent.length + 1;
      sent.push({ PartNumber: partNumber, ETag: '' });
      const id = uploadId;
      const task: Promise<void> = (async () => {
        const out = await this.s3.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: id,
            PartNumber: partNumber,
            Body: bytes.subarray(0, length),
            ContentLength: length,
          }),
        );
        sent[partNumber - 1] = { PartNumber: partNumber, ETag: out.ETag ?? '' };
        spare.push(bytes);
      })()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(task));
      running.add(task);
    };
    /** Encodes text into the current part when it fits (no Buffer made for it), else as bytes. */
    const takeText = async (text: string) => {
      part ??= spare.pop() ?? Buffer.allocUnsafe(PART_SIZE);
      if (Buffer.byteLength(text, 'utf8') <= PART_SIZE - filled) {
        filled += part.write(text, filled, 'utf8');
        if (filled === PART_SIZE) await take(Buffer.alloc(0));
        return;
      }
      await take(Buffer.from(text, 'utf8'));
    };
    /** Copies bytes into the current part, sending each part as it fills. */
    const take = async (bytes: Buffer) => {
      let at = 0;
      if (filled === PART_SIZE && part) {
        const full = part;
        part = undefined;
        filled = 0;
        await sendPart(full, PART_SIZE);
      }
      while (at < bytes.length) {
        part ??= spare.pop() ?? Buffer.allocUnsafe(PART_SIZE);
        const copied = bytes.copy(part, filled, at);
        at += copied;
        filled += copied;
        if (filled === PART_SIZE) {
          const full = part;
          part = undefined;
          filled = 0;
          await sendPart(full, PART_SIZE);
        }
      }
    };

    try {
      for await (const chunk of source) {
        const text = typeof chunk === 'string' ? chunk : undefined;
        const length = text === undefined ? (chunk as Buffer).length : Buffer.byteLength(text, 'utf8');
        size += length;
        if (head) {
          head.push(text === undefined ? (chunk as Buffer) : Buffer.from(text, 'utf8'));
          if (size < PART_SIZE) continue;
          const joined = head;
          head = undefined;
          for (const b of joined) await take(b);
        } else if (text !== undefined) await takeText(text);
        else await take(chunk as Buffer);
      }
      if (head) {
        // Ended within the first part: one PutObject.
        await this.s3.send(new PutObjectCommand({ ...params, Body: Buffer.concat(head, size) }));
        return size;
      }
      if (filled === PART_SIZE) await take(Buffer.alloc(0));
      if (filled > 0 && part) await sendPart(part, filled);
      await Promise.all(running);
      if (failure) throw failure.error;
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sent },
        }),
      );
      return size;
    } catch (error) {
      source.destroy();
      await Promise.allSettled(running);
      if (uploadId) {
        await this.s3
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  async open(key: string, range?: ObjectRange): Promise<Readable | undefined> {
    try {
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=0-${range.firstBytes - 1}` } : {}),
        }),
      );
      if (!(response.Body instanceof Readable)) throw new Error('S3 GetObject returned no stream');
      return response.Body;
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name;
      if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NotFound') return undefined;
      // S3 answers a range on an empty object with 416: its first bytes are none.
      if (range && name === 'InvalidRange') return Readable.from([]);
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
