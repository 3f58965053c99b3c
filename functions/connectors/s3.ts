import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  type _Object,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { identityOfPrefix, type S3Store } from '../core/data-map';
import type { Connector, ExportedRecord, RecordRef, Subject } from './connector';

/** Records per page for JSON Lines stores: bounded so memory stays flat. */
export const JSONL_PAGE_SIZE = 500;

const SAFE_IDENTITY = /^[A-Za-z0-9._@+-]{1,200}$/;

/** An identity value that could widen or escape a subject's key prefix. Name is matched by the workflow. */
export class InvalidIdentityError extends Error {
  override readonly name = 'InvalidIdentityError';
}

/** The key prefix of one identity value; throws unless the value is a plain, single path segment. */
export function subjectPrefix(template: string, value: string): string {
  if (!SAFE_IDENTITY.test(value) || value.includes('..') || value.includes('/')) {
    // No value in the message: it may be personal data.
    throw new InvalidIdentityError('identity value is not allowed in an S3 key prefix');
  }
  return template.replace(/\{(email|phone|customerId)\}/, value);
}

/** A line's record; a line that is not a JSON object is still the subject's data, so it is kept as text. */
function lineData(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return { value: parsed };
  } catch {
    return { unparsedLine: text };
  }
}

/**
 * Lists the objects under each subject prefix (ListObjectsV2, paginated) and
 * streams them: `jsonl` yields one record per non-empty line, `binary` one
 * record per object with the bytes as a lazily opened attachment.
 */
export class S3Connector implements Connector {
  readonly storeId: string;

  constructor(
    private readonly store: S3Store,
    private readonly client: S3Client,
  ) {
    this.storeId = store.id;
  }

  /** Object-level refs (no line numbers): enough to find, and later delete, what the subject owns. */
  async *locate(subject: Subject): AsyncIterable<readonly RecordRef[]> {
    for await (const { objects } of this.listPages(subject)) {
      yield objects.map((o) => ({ kind: 's3', bucket: this.store.bucket, key: o.Key as string }));
    }
  }

  async *export(subject: Subject): AsyncIterable<readonly ExportedRecord[]> {
    if (this.store.format === 'binary') {
      for await (const { prefix, objects } of this.listPages(subject)) {
        const page: ExportedRecord[] = [];
        // HeadObject (for the content type) 25 at a time: a listing page holds up to 1000 objects.
        for (let i = 0; i < objects.length; i += 25) {
          page.push(
            ...(await Promise.all(objects.slice(i, i + 25).map((o) => this.binaryRecord(prefix, o)))),
          );
        }
        yield page;
      }
      return;
    }
    let page: ExportedRecord[] = [];
    for await (const { objects } of this.listPages(subject)) {
      for (const object of objects) {
        for await (const record of this.jsonlRecords(object.Key as string)) {
          page.push(record);
          if (page.length >= JSONL_PAGE_SIZE) {
            yield page;
            page = [];
          }
        }
      }
    }
    if (page.length > 0) yield page;
  }

  private async *listPages(subject: Subject): AsyncIterable<{ prefix: string; objects: _Object[] }> {
    const identity = identityOfPrefix(this.store.prefix);
    const values = identity ? [...new Set(subject.identities[identity] ?? [])] : [];
    // Validate every value before any request, so a bad one never reaches S3.
    const prefixes = values.map((v) => subjectPrefix(this.store.prefix, v));
    for (const prefix of prefixes) {
      for await (const page of paginateListObjectsV2(
        { client: this.client },
        { Bucket: this.store.bucket, Prefix: prefix },
      )) {
        const objects = (page.Contents ?? []).filter((o) => o.Key && !o.Key.endsWith('/'));
        if (objects.length > 0) yield { prefix, objects };
      }
    }
  }

  private async *jsonlRecords(key: string): AsyncIterable<ExportedRecord> {
    const body = await this.open(key);
    const lines = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      yield { ref: { kind: 's3', bucket: this.store.bucket, key, line }, data: lineData(text) };
    }
  }

  private async binaryRecord(prefix: string, object: _Object): Promise<ExportedRecord> {
    const key = object.Key as string;
    const name = key.slice(prefix.length);
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.store.bucket, Key: key }));
    const size = object.Size ?? head.ContentLength ?? 0;
    return {
      ref: { kind: 's3', bucket: this.store.bucket, key },
      data: {
        name,
        size,
        lastModified: (object.LastModified ?? head.LastModified)?.toISOString(),
        contentType: head.ContentType ?? 'application/octet-stream',
      },
      attachment: { name, size, open: () => this.open(key) },
    };
  }

  private async open(key: string): Promise<Readable> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.store.bucket, Key: key }));
    const body = out.Body;
    if (body instanceof Readable) return body;
    if (body && typeof (body as { transformToWebStream?: unknown }).transformToWebStream === 'function') {
      return Readable.fromWeb(
        (body as { transformToWebStream(): ReadableStream }).transformToWebStream() as Parameters<
          typeof Readable.fromWeb
        >[0],
      );
    }
    return Readable.from([]);
  }
}
