/**
 * The raw I/O floor of erasing one store: a bare script doing the same reads
 * and writes as the workflow's EraseStore (erasure and its proof) on the same
 * emulators, with no inventory manifest, ledger, audit or decisions — the
 * Query pages (or the S3 version listing), then as many deletes
 * (BatchWriteItem, DeleteObjects) and rewrites (UpdateItem of the data map's
 * masked and deleted fields, conditioned on the item existing, as erasure
 * writes them; GetObject + PutObject) as the real erasure reported, then the re-query.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { BatchWriteCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { subjectPrefix } from '../../functions/connectors/s3';
import {
  type DataStore,
  type DynamoDbStore,
  identityOfPrefix,
  type S3Store,
} from '../../functions/core/data-map';
import type { EraseReceipt, Subject } from '../../functions/core/ports';
import type { DemoClients } from '../../infra/local/demo-data';

/** Wall time of the floor's erase and its re-query for one store. */
export interface FloorTimes {
  readonly eraseMs: number;
  readonly verifyMs: number;
}

type Item = Record<string, unknown>;

/** Runs `work` over `items`, `limit` at a time (the connectors write 8 at a time). */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** The subject's items in a DynamoDB store, a Query page at a time (the same pages as the connector's). */
export async function* subjectItemPages(
  clients: DemoClients,
  store: DynamoDbStore,
  subject: Subject,
): AsyncGenerator<Item[]> {
  for (const value of new Set(subject.identities[store.locate.identity] ?? [])) {
    const pages = paginateQuery(
      { client: clients.dynamodb },
      {
        TableName: store.table,
        ...(store.locate.index ? { IndexName: store.locate.index } : {}),
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': store.locate.partitionKey },
        ExpressionAttributeValues: { ':pk': value },
      },
    );
    for await (const page of pages) yield page.Items ?? [];
  }
}

async function queryAll(clients: DemoClients, store: DynamoDbStore, subject: Subject): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of subjectItemPages(clients, store, subject)) items.push(...page);
  return items;
}

async function dynamoFloor(
  clients: DemoClients,
  store: DynamoDbStore,
  subject: Subject,
  writes: EraseReceipt,
): Promise<FloorTimes> {
  const { partitionKey, sortKey } = store.primaryKey;
  const keyOf = (item: Item) => ({
    [partitionKey]: item[partitionKey],
    ...(sortKey ? { [sortKey]: item[sortKey] } : {}),
  });
  const started = performance.now();
  const items = await queryAll(clients, store, subject);
  const doomed = items.slice(0, writes.deleted);
  const batches = Array.from({ length: Math.ceil(doomed.length / 25) }, (_, i) =>
    doomed.slice(i * 25, i * 25 + 25),
  );
  await pool(batches, 8, async (batch) => {
    let pending = { [store.table]: batch.map((item) => ({ DeleteRequest: { Key: keyOf(item) } })) };
    while ((pending[store.table]?.length ?? 0) > 0) {
      const out = await clients.dynamodb.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = (out.UnprocessedItems ?? {}) as typeof pending;
    }
  });
  // The rewrite erasure needs: the data map's masked fields set and deleted fields removed, only on an item that
  // still exists (an update must never recreate an erased item).
  const policies = Object.entries(store.erasure.fields);
  const masked = policies.filter(([, p]) => p.action === 'mask' || p.action === 'anonymise').map(([f]) => f);
  const removed = policies.filter(([, p]) => p.action === 'delete').map(([f]) => f);
  const names: Record<string, string> = { '#key': partitionKey };
  const values: Record<string, string> = {};
  masked.forEach((field, i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = '[erased]';
  });
  removed.forEach((field, i) => {
    names[`#r${i}`] = field;
  });
  const clauses = [
    ...(masked.length > 0 ? [`SET ${masked.map((_, i) => `#s${i} = :s${i}`).join(', ')}`] : []),
    ...(removed.length > 0 ? [`REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}`] : []),
  ];
  const rewritten = items.slice(writes.deleted, writes.deleted + writes.updated);
  await pool(rewritten, 8, async (item) => {
    await clients.dynamodb.send(
      new UpdateCommand({
        TableName: store.table,
        Key: keyOf(item),
        UpdateExpression: clauses.length > 0 ? clauses.join(' ') : 'SET #f = :v',
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: clauses.length > 0 ? names : { ...names, '#f': 'benchFloor' },
        ExpressionAttributeValues: clauses.length > 0 ? values : { ':v': 'masked' },
      }),
    );
  });
  const erased = performance.now();
  await queryAll(clients, store, subject);
  return { eraseMs: erased - started, verifyMs: performance.now() - erased };
}

interface Version {
  readonly key: string;
  readonly versionId: string;
  readonly current: boolean;
}

async function listVersions(clients: DemoClients, store: S3Store, subject: Subject): Promise<Version[]> {
  const identity = identityOfPrefix(store.prefix);
  const versions: Version[] = [];
  for (const value of new Set(identity ? (subject.identities[identity] ?? []) : [])) {
    const prefix = subjectPrefix(store.prefix, value);
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const out = await clients.s3.send(
        new ListObjectVersionsCommand({
          Bucket: store.bucket,
          Prefix: prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
        }),
      );
      for (const v of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) {
        if (v.Key && v.VersionId)
          versions.push({ key: v.Key, versionId: v.VersionId, current: v.IsLatest === true });
      }
      keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
      versionMarker = out.IsTruncated ? out.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }
  return versions;
}

async function s3Floor(
  clients: DemoClients,
  store: S3Store,
  subject: Subject,
  writes: EraseReceipt,
): Promise<FloorTimes> {
  const started = performance.now();
  const versions = await listVersions(clients, store, subject);
  let doomed: Version[] = [];
  if (writes.updated > 0) {
    // Rewrite each current object in place, then drop the older versions (which hold the unmasked data).
    await pool(
      versions.filter((v) => v.current),
      8,
      async (v) => {
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: v.key }));
        const body = (await out.Body?.transformToString('utf8')) ?? '';
        await clients.s3.send(new PutObjectCommand({ Bucket: store.bucket, Key: v.key, Body: body }));
      },
    );
    doomed = versions.filter((v) => !v.current);
  } else if (writes.deleted > 0) {
    doomed = versions;
  }
  for (let i = 0; i < doomed.length; i += 1000) {
    const batch = doomed.slice(i, i + 1000);
    await clients.s3.send(
      new DeleteObjectsCommand({
        Bucket: store.bucket,
        Delete: { Objects: batch.map((v) => ({ Key: v.key, VersionId: v.versionId })), Quiet: true },
      }),
    );
  }
  const erased = performance.now();
  await listVersions(clients, store, subject);
  return { eraseMs: erased - started, verifyMs: performance.now() - erased };
}

/** The floor of erasing and re-querying `subject` in `store`, doing the writes `writes` reports. */
export function eraseFloor(
  clients: DemoClients,
  store: DataStore,
  subject: Subject,
  writes: EraseReceipt,
): Promise<FloorTimes> {
  return store.kind === 'dynamodb'
    ? dynamoFloor(clients, store, subject, writes)
    : s3Floor(clients, store, subject, writes);
}
