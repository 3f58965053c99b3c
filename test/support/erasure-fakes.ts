/** In-memory stand-ins for the erasure unit tests: an S3 bucket (via aws-sdk-client-mock) and a connector. */
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectStore } from '../../functions/aws/object-store';
import type { RecordDecision } from '../../functions/core/erasure/decisions';
import { unitOf } from '../../functions/core/erasure/verify';
import type { Connector, EraseReceipt, ExportedRecord, RecordRef, Subject } from '../../functions/core/ports';

async function bytesOf(body: unknown): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  throw new Error('unsupported body in the fake S3');
}

/** A mocked S3Client keeping PutObject bodies in a Map and serving them back as streams. */
export function memoryS3() {
  const objects = new Map<string, Buffer>();
  const mock = mockClient(S3Client);
  mock.on(PutObjectCommand).callsFake(async (input: { Bucket: string; Key: string; Body: unknown }) => {
    objects.set(`${input.Bucket}/${input.Key}`, await bytesOf(input.Body));
    return { ETag: '"etag"' };
  });
  mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string; Range?: string }) => {
    const whole = objects.get(`${input.Bucket}/${input.Key}`);
    if (!whole) throw new NoSuchKey({ message: 'missing', $metadata: {} });
    // Only the `bytes=0-<last>` ranges the code under test asks for.
    const last = /^bytes=0-(\d+)$/.exec(input.Range ?? '')?.[1];
    const body = last === undefined ? whole : whole.subarray(0, Number(last) + 1);
    // What the SDK's stream mixin adds, enough for the code under test.
    const stream = Object.assign(Readable.from([body]), {
      transformToString: async () => body.toString('utf8'),
    });
    return { Body: stream };
  });
  const s3 = new S3Client({
    region: 'ap-southeast-3',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return {
    s3,
    mock,
    objects,
    text: (key: string) => objects.get(key)?.toString('utf8'),
    /** The `ObjectStore` port on one bucket of this fake. */
    store: (bucket: string) => new S3ObjectStore(s3, bucket),
  };
}

export interface FakeRecord {
  readonly ref: RecordRef;
  data: Record<string, unknown>;
}

/**
 * A connector over an in-memory list of records. `erase` applies decisions in
 * order and, when `failAfter` is set, throws after that many writes (a crash).
 * `noncurrent` lists S3 keys that still have old versions; `ignoreUpdates` makes
 * erase skip masks, like a broken connector would.
 */
export class FakeConnector implements Connector {
  readonly records = new Map<string, FakeRecord>();
  noncurrent = new Set<string>();
  failAfter: number | undefined;
  ignoreUpdates = false;
  writes = 0;
  private readonly bucket?: string;

  constructor(
    readonly storeId: string,
    records: readonly FakeRecord[],
    options: { bucket?: string } = {},
  ) {
    for (const record of records)
      this.records.set(unitOf(record.ref), { ref: record.ref, data: { ...record.data } });
    if (options.bucket) this.bucket = options.bucket;
  }

  add(record: FakeRecord): void {
    this.records.set(unitOf(record.ref), { ref: record.ref, data: { ...record.data } });
  }

  async *export(_subject: Subject): AsyncIterable<readonly ExportedRecord[]> {
    const all = [...this.records.values()].map((r) => ({ ref: r.ref, data: { ...r.data } }));
    for (let i = 0; i < all.length; i += 2) yield all.slice(i, i + 2);
  }

  async *locate(_subject: Subject): AsyncIterable<readonly RecordRef[]> {
    const refs: RecordRef[] = [];
    const objects = new Set<string>();
    for (const { ref } of this.records.values()) {
      if (ref.kind === 's3') {
        if (!objects.has(ref.key))
          refs.push({ kind: 's3', bucket: ref.bucket, key: ref.key, versionId: 'v2' });
        objects.add(ref.key);
      } else refs.push(ref);
    }
    for (const key of this.noncurrent) {
      refs.push({ kind: 's3', bucket: this.bucket ?? 'bucket', key, versionId: 'v1', noncurrent: true });
    }
    yield refs;
  }

  async erase(decisions: AsyncIterable<readonly RecordDecision[]>): Promise<EraseReceipt> {
    let deleted = 0;
    let updated = 0;
    let kept = 0;
    for await (const page of decisions) {
      for (const decision of page) {
        if (this.failAfter !== undefined && this.writes >= this.failAfter) {
          throw new Error('simulated crash in the middle of a store');
        }
        const unit = unitOf(decision.ref);
        const { action } = decision;
        if (action.kind === 'keep') {
          kept += 1;
          continue;
        }
        this.writes += 1;
        if (action.kind === 'delete') {
          if (decision.ref.kind === 's3' && decision.ref.line === undefined) {
            for (const [u, r] of this.records)
              if (r.ref.kind === 's3' && r.ref.key === decision.ref.key) this.records.delete(u);
          }
          this.records.delete(unit);
          if (decision.ref.kind === 's3') this.noncurrent.delete(decision.ref.key);
          deleted += 1;
          continue;
        }
        const record = this.records.get(unit);
        if (!record || this.ignoreUpdates) continue;
        Object.assign(record.data, action.set);
        for (const field of action.remove) delete record.data[field];
        if (decision.ref.kind === 's3') this.noncurrent.delete(decision.ref.key);
        updated += 1;
      }
    }
    return { storeId: this.storeId, deleted, updated, kept };
  }
}

/** A snapshot of a fake connector's records, for comparing end states. */
export function snapshot(connector: FakeConnector): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...connector.records].map(([unit, r]) => [unit, { ...r.data }]));
}
