/**
 * The raw I/O floor of an access export: a bare script doing the reads and
 * writes of the workflow's ExportStore (per store) and PackageExport on the
 * same emulators, with no workflow, ledger, CSV, page or zip — per DynamoDB
 * store the same Query pages, per S3 store the same listing and GetObject of
 * each object, each store's records uploaded as one file (a multipart upload
 * with the same part size), each document copied (GetObject + PutObject, 8 in
 * flight), then one upload of every store file and document read back in turn.
 */
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { subjectPrefix } from '../../functions/connectors/s3';
import {
  type DataStore,
  type DynamoDbStore,
  identityOfPrefix,
  type S3Store,
} from '../../functions/core/data-map';
import type { Subject } from '../../functions/core/ports';
import type { DemoClients } from '../../infra/local/demo-data';
import { subjectItemPages } from './erase-floor';

/** Wall time of the floor's two steps. */
export interface ExportFloorTimes {
  /** Reading every store and writing its file (and copying its documents), stores 4 at once. */
  readonly storesMs: number;
  /** Each store's own floor time (they overlap, `concurrency` at once). */
  readonly storeMs: Readonly<Record<string, number>>;
  /** Reading every file back into one upload. */
  readonly packageMs: number;
  readonly totalMs: number;
}

/** The same part size and queue as the exports bucket's adapter (functions/aws/object-store.ts). */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

async function upload(clients: DemoClients, bucket: string, key: string, body: Readable): Promise<void> {
  const pass = new PassThrough();
  const sending = new Upload({
    client: clients.s3,
    params: { Bucket: bucket, Key: key, Body: pass },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
  }).done();
  await Promise.all([pipeline(body, pass), sending]);
}

async function* dynamoLines(
  clients: DemoClients,
  store: DynamoDbStore,
  subject: Subject,
): AsyncGenerator<string> {
  for await (const items of subjectItemPages(clients, store, subject)) {
    if (items.length > 0) yield `${items.map((item) => JSON.stringify(item)).join('\n')}\n`;
  }
}

async function* keysOf(clients: DemoClients, store: S3Store, subject: Subject): AsyncGenerator<string[]> {
  const identity = identityOfPrefix(store.prefix);
  for (const value of new Set(identity ? (subject.identities[identity] ?? []) : [])) {
    const prefix = subjectPrefix(store.prefix, value);
    for await (const page of paginateListObjectsV2(
      { client: clients.s3 },
      { Bucket: store.bucket, Prefix: prefix },
    )) {
      yield (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
    }
  }
}

async function open(clients: DemoClients, bucket: string, key: string): Promise<Readable> {
  const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body as Readable;
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** One store: its records into one file; a binary store's objects copied one by one (8 in flight). */
async function storeFloor(
  clients: DemoClients,
  store: DataStore,
  subject: Subject,
  bucket: string,
  prefix: string,
): Promise<string[]> {
  const fileKey = `${prefix}stores/${store.id}.json`;
  if (store.kind === 'dynamodb') {
    await upload(clients, bucket, fileKey, Readable.from(dynamoLines(clients, store, subject)));
    return [fileKey];
  }
  const s3Store: S3Store = store;
  const copied: string[] = [];
  async function* lines(): AsyncGenerator<Buffer | string> {
    for await (const keys of keysOf(clients, s3Store, subject)) {
      if (s3Store.format === 'binary') {
        await pool(keys, 8, async (key) => {
          const copy = `${prefix}stores/${s3Store.id}/files/${key.slice(key.lastIndexOf('/') + 1)}`;
          const body = await open(clients, s3Store.bucket, key);
          const bytes = Buffer.from(
            await (body as unknown as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
          );
          await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: copy, Body: bytes }));
          copied.push(copy);
        });
        yield `${keys.map((key) => JSON.stringify({ key })).join('\n')}\n`;
      } else {
        for (const key of keys)
          for await (const chunk of await open(clients, s3Store.bucket, key)) yield chunk as Buffer;
      }
    }
  }
  await upload(clients, bucket, fileKey, Readable.from(lines()));
  return [fileKey, ...copied];
}

/**
 * Times the floor of exporting `subject` from `stores` (`concurrency` stores at
 * once, like the workflow's Map) into `bucket` under `floor/<requestId>/`, then
 * of reading every file written back into one upload.
 */
export async function exportFloor(
  clients: DemoClients,
  stores: readonly DataStore[],
  subject: Subject,
  bucket: string,
  requestId: string,
  concurrency: number,
): Promise<ExportFloorTimes> {
  const prefix = `floor/${requestId}/`;
  const started = performance.now();
  const written: string[][] = [];
  const storeMs: Record<string, number> = {};
  await pool(stores, concurrency, async (store) => {
    const storeStarted = performance.now();
    written.push(await storeFloor(clients, store, subject, bucket, prefix));
    storeMs[store.id] = performance.now() - storeStarted;
  });
  const stored = performance.now();
  async function* everything(): AsyncGenerator<Buffer> {
    for (const key of written.flat())
      for await (const chunk of await open(clients, bucket, key)) yield chunk as Buffer;
  }
  await upload(clients, bucket, `${prefix}package.bin`, Readable.from(everything()));
  const done = performance.now();
  return { storesMs: stored - started, storeMs, packageMs: done - stored, totalMs: done - started };
}
