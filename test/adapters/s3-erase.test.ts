import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ForeignRecordError,
  listVersionPages,
  S3Connector,
  S3DeleteError,
} from '../../functions/connectors/s3';
import { dataMapSchemas, type S3Store } from '../../functions/core/data-map';
import {
  decideErasure,
  type RecordDecision,
  UnsupportedErasureError,
} from '../../functions/core/erasure/decisions';
import type { EraseReceipt, ExportedRecord, RecordRef, Subject } from '../../functions/core/ports';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';
import { PROCESSING_FIELDS } from '../support/data-map-fixtures';

const VERSIONED = 'erase-versioned';
const PLAIN = 'erase-plain';
const NOW = new Date('2026-01-15T00:00:00Z');
const RETENTION = 'Indonesian tax bookkeeping retention: records are kept for 10 years (UU KUP Art. 28)';

let emulators: Emulators;
let s3: S3Client;

/** A fixture S3 store of the data map, validated like the real one. */
function jsonlStore(bucket: string, erasure: unknown, format: 'jsonl' | 'binary' = 'jsonl'): S3Store {
  return dataMapSchemas().S3Store.parse({
    id: 'activity',
    kind: 's3',
    description: 'Activity events as JSON Lines',
    categories: ['activity'],
    ...PROCESSING_FIELDS,
    bucket,
    prefix: format === 'jsonl' ? 'activity/{customerId}/' : 'documents/{customerId}/',
    format,
    erasure,
  });
}

const deleteAll = (bucket: string) => jsonlStore(bucket, { default: { action: 'delete' } });
/** Deletes every line except disputed ones, which a legal hold keeps. */
const deleteUnlessDisputed = (bucket: string) =>
  jsonlStore(bucket, {
    default: { action: 'delete' },
    holds: [
      {
        reason: 'open_dispute',
        description: { en: 'A dispute is still open.', id: 'Sengketa masih berjalan.' },
        when: { field: 'type', in: ['dispute'] },
      },
    ],
  });
/** Keeps purchases for the tax office, with the IP masked and the email removed. */
const retainPurchases = (bucket: string) =>
  jsonlStore(bucket, {
    default: { action: 'retain', legalBasis: RETENTION, retentionDays: 3653 },
    fields: { ip: { action: 'mask' }, email: { action: 'delete' } },
  });

const subject = (customerId: string): Subject => ({ identities: { customerId: [customerId] } });

async function* pagesOf<T>(items: readonly T[], size = 2): AsyncIterable<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function exported(connector: S3Connector, customerId: string): Promise<ExportedRecord[]> {
  const out: ExportedRecord[] = [];
  for await (const page of connector.export(subject(customerId))) out.push(...page);
  return out;
}

async function located(connector: S3Connector, customerId: string): Promise<RecordRef[]> {
  const out: RecordRef[] = [];
  for await (const page of connector.locate(subject(customerId))) out.push(...page);
  return out;
}

/**
 * Decisions as EraseStore makes them: one per exported record (the store's
 * policy chosen per record by `policyOf`), then object-level ones for objects
 * that `locate` finds only as old versions or delete markers.
 */
async function decide(
  connector: S3Connector,
  customerId: string,
  policyOf: (record: ExportedRecord) => S3Store,
): Promise<RecordDecision[]> {
  const decisions: RecordDecision[] = [];
  const current = new Set<string>();
  for (const record of await exported(connector, customerId)) {
    decisions.push(decideErasure(policyOf(record), record, [customerId], NOW));
    if (record.ref.kind === 's3') current.add(record.ref.key);
  }
  const orphans = new Set<string>();
  for (const ref of await located(connector, customerId)) {
    if (ref.kind !== 's3' || current.has(ref.key) || orphans.has(ref.key)) continue;
    orphans.add(ref.key);
    const data = { ref: { kind: 's3' as const, bucket: ref.bucket, key: ref.key }, data: {} };
    decisions.push(decideErasure(policyOf({ ...data }), data, [customerId], NOW));
  }
  return decisions;
}

async function put(Bucket: string, Key: string, Body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType: 'application/x-ndjson' }));
}

async function text(Bucket: string, Key: string, VersionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return (await out.Body?.transformToString()) ?? '';
}

/** Every version and marker under a prefix, as `key@versionId` (marker flagged). */
async function allVersions(Bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of listVersionPages(s3, Bucket, prefix)) {
    for (const v of page) out.push(`${v.key}@${v.versionId}${v.deleteMarker ? ' (marker)' : ''}`);
  }
  return out.sort();
}

const line = (o: Record<string, unknown>) => JSON.stringify(o);

beforeAll(async () => {
  emulators = await startEmulators();
  s3 = new S3Client({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: VERSIONED }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
});

afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
});

describe('S3 erasure', () => {
  it('deletes an object with all its versions and delete markers, and leaves another subject untouched', async () => {
    // Prepare: three versions of one day, an older day that is only a delete marker now, another customer
    const store = deleteAll(VERSIONED);
    const connector = new S3Connector(store, s3);
    for (const n of [1, 2, 3])
      await put(VERSIONED, 'activity/cus-gone/2025-01-01.jsonl', line({ n, type: 'click' }));
    await put(VERSIONED, 'activity/cus-gone/2024-12-31.jsonl', line({ type: 'login' }));
    await s3.send(new DeleteObjectCommand({ Bucket: VERSIONED, Key: 'activity/cus-gone/2024-12-31.jsonl' }));
    await put(VERSIONED, 'activity/cus-gone-too/2025-01-01.jsonl', line({ type: 'click' }));
    await put(VERSIONED, 'activity/cus-gone-too/2025-01-01.jsonl', line({ type: 'scroll' }));
    const otherBefore = await allVersions(VERSIONED, 'activity/cus-gone-too/');
    expect(await located(connector, 'cus-gone')).toHaveLength(5);

    // Act
    const decisions = await decide(connector, 'cus-gone', () => store);
    const receipt = await connector.erase(pagesOf(decisions));

    // Assess
    expect(await located(connector, 'cus-gone')).toEqual([]);
    expect(await allVersions(VERSIONED, 'activity/cus-gone/')).toEqual([]);
    expect(await allVersions(VERSIONED, 'activity/cus-gone-too/')).toEqual(otherBefore);
    expect(receipt).toEqual<EraseReceipt>({
      storeId: 'activity',
      deleted: 2,
      updated: 0,
      kept: 0,
      versionsDeleted: 5,
    });
  });

  it('rewrites a JSON Lines object with mixed decisions and leaves no old version holding the old text', async () => {
    // Prepare: an older version, then 5 lines: views (deleted), purchases (kept masked), a dispute (held)
    const key = 'activity/cus-mixed/2025-02-01.jsonl';
    await put(
      VERSIONED,
      key,
      `${line({ type: 'page_view', ip: '203.0.113.7', email: 'mixed@example.test' })}\n`,
    );
    const lines = [
      line({ type: 'page_view', ip: '203.0.113.7', path: '/cart' }),
      line({ type: 'purchase', ip: '203.0.113.7', email: 'mixed@example.test', orderId: 'ORD-1' }),
      '',
      line({ type: 'dispute', ip: '203.0.113.7', orderId: 'ORD-2' }),
      line({ type: 'page_view', ip: '203.0.113.8', path: '/' }),
      line({ type: 'purchase', ip: '203.0.113.8', orderId: 'ORD-3' }),
    ];
    await put(VERSIONED, key, `${lines.join('\r\n')}\r\n`);
    const connector = new S3Connector(deleteAll(VERSIONED), s3);
    // Purchases fall under the retention policy, everything else under delete-unless-disputed.
    const policyOf = (r: ExportedRecord) =>
      r.data.type === 'purchase' ? retainPurchases(VERSIONED) : deleteUnlessDisputed(VERSIONED);
    const decisions = await decide(connector, 'cus-mixed', policyOf);
    expect(decisions.map((d) => d.action.kind)).toEqual(['delete', 'update', 'keep', 'delete', 'update']);

    // Act
    const receipt = await connector.erase(pagesOf(decisions, 3));

    // Assess: masked lines masked, deleted lines empty (line numbers kept), held line byte-identical
    expect(await text(VERSIONED, key)).toBe(
      [
        '',
        line({ type: 'purchase', ip: '[erased]', orderId: 'ORD-1' }),
        '',
        lines[3],
        '',
        line({ type: 'purchase', ip: '[erased]', orderId: 'ORD-3' }),
        '',
      ].join('\n'),
    );
    expect(
      (await exported(connector, 'cus-mixed')).map((r) => [(r.ref as { line: number }).line, r.data.type]),
    ).toEqual([
      [2, 'purchase'],
      [4, 'dispute'],
      [6, 'purchase'],
    ]);
    const versions = await located(connector, 'cus-mixed');
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ key, noncurrent: false, deleteMarker: false });
    expect(receipt).toEqual<EraseReceipt>({
      storeId: 'activity',
      deleted: 2,
      updated: 2,
      kept: 1,
      versionsDeleted: 2,
    });
  });

  it('gives the same objects and the same content when erasure runs twice', async () => {
    // Prepare
    const key = 'activity/cus-twice/2025-03-01.jsonl';
    await put(
      VERSIONED,
      key,
      `${line({ type: 'purchase', ip: '198.51.100.1', email: 'twice@example.test' })}\n`,
    );
    await put(
      VERSIONED,
      key,
      [
        line({ type: 'purchase', ip: '198.51.100.1', email: 'twice@example.test' }),
        line({ type: 'page_view', ip: '198.51.100.1' }),
      ].join('\n'),
    );
    await put(VERSIONED, 'activity/cus-twice/2025-03-02.jsonl', line({ type: 'page_view' }));
    const connector = new S3Connector(deleteAll(VERSIONED), s3);
    const policyOf = (r: ExportedRecord) =>
      r.data.type === 'purchase' ? retainPurchases(VERSIONED) : deleteUnlessDisputed(VERSIONED);
    const decisions = await decide(connector, 'cus-twice', policyOf);

    // Act
    const first = await connector.erase(pagesOf(decisions));
    const afterFirst = {
      versions: await allVersions(VERSIONED, 'activity/cus-twice/'),
      body: await text(VERSIONED, key),
    };
    const second = await connector.erase(pagesOf(decisions));

    // Assess
    expect(await allVersions(VERSIONED, 'activity/cus-twice/')).toEqual(afterFirst.versions);
    expect(afterFirst.versions).toHaveLength(1);
    expect(await text(VERSIONED, key)).toBe(afterFirst.body);
    expect(afterFirst.body).toBe(`${line({ type: 'purchase', ip: '[erased]' })}\n\n`);
    expect(second).toEqual({ ...first, versionsDeleted: 0 });
  });

  it('leaves retained and held objects byte-identical, old versions included', async () => {
    // Prepare: purchases without the masked fields, a disputed day, and a retained document
    const key = 'activity/cus-keep/2025-04-01.jsonl';
    const body = `${line({ type: 'purchase', orderId: 'ORD-9' })}\r\n\r\n${line({ type: 'purchase', orderId: 'ORD-10' })}`;
    await put(VERSIONED, key, 'older');
    await put(VERSIONED, key, body);
    const disputed = 'activity/cus-keep/2025-04-02.jsonl';
    await put(VERSIONED, disputed, line({ type: 'dispute', ip: '192.0.2.1' }));
    const docs = jsonlStore(
      VERSIONED,
      { default: { action: 'retain', legalBasis: RETENTION, retentionDays: 3653 } },
      'binary',
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: VERSIONED,
        Key: 'documents/cus-keep/invoice.pdf',
        Body: Buffer.from([1, 2, 3]),
      }),
    );
    const before = [
      ...(await allVersions(VERSIONED, 'activity/cus-keep/')),
      ...(await allVersions(VERSIONED, 'documents/cus-keep/')),
    ];
    const connector = new S3Connector(deleteAll(VERSIONED), s3);
    const docConnector = new S3Connector(docs, s3);
    const policyOf = (r: ExportedRecord) =>
      r.data.type === 'purchase' ? retainPurchases(VERSIONED) : deleteUnlessDisputed(VERSIONED);

    // Act
    const receipt = await connector.erase(pagesOf(await decide(connector, 'cus-keep', policyOf)));
    const docReceipt = await docConnector.erase(pagesOf(await decide(docConnector, 'cus-keep', () => docs)));

    // Assess
    expect(await text(VERSIONED, key)).toBe(body);
    expect(await text(VERSIONED, disputed)).toBe(line({ type: 'dispute', ip: '192.0.2.1' }));
    expect(await allVersions(VERSIONED, 'activity/cus-keep/')).toEqual(
      before.filter((v) => v.startsWith('activity/')),
    );
    expect(await allVersions(VERSIONED, 'documents/cus-keep/')).toEqual(
      before.filter((v) => v.startsWith('documents/')),
    );
    expect(receipt).toEqual({ storeId: 'activity', deleted: 0, updated: 0, kept: 3, versionsDeleted: 0 });
    expect(docReceipt).toEqual({ storeId: 'activity', deleted: 0, updated: 0, kept: 1, versionsDeleted: 0 });
  });

  it.each<[string, RecordRef]>([
    ['another bucket', { kind: 's3', bucket: PLAIN, key: 'activity/cus-victim/a.jsonl', line: 1 }],
    ['another prefix', { kind: 's3', bucket: VERSIONED, key: 'exports/cus-victim/a.jsonl', line: 1 }],
    [
      'a path that climbs out',
      { kind: 's3', bucket: VERSIONED, key: 'activity/cus-x/../cus-victim/a.jsonl', line: 1 },
    ],
    ['the bare prefix', { kind: 's3', bucket: VERSIONED, key: 'activity/cus-victim/', line: 1 }],
    ['a DynamoDB key', { kind: 'dynamodb', key: { customerId: 'cus-victim' } }],
  ])('refuses a decision naming a record from %s, before writing anything', async (_, ref) => {
    const victim = 'activity/cus-victim/a.jsonl';
    await put(VERSIONED, victim, line({ type: 'click' }));
    const before = await allVersions(VERSIONED, 'activity/cus-victim/');
    const connector = new S3Connector(deleteAll(VERSIONED), s3);
    const own: RecordDecision = {
      ref: { kind: 's3', bucket: VERSIONED, key: victim, line: 1 },
      outcome: 'deleted',
      action: { kind: 'delete' },
    };

    await expect(
      connector.erase(pagesOf([{ ref, outcome: 'deleted', action: { kind: 'delete' } }, own])),
    ).rejects.toBeInstanceOf(ForeignRecordError);

    expect(await allVersions(VERSIONED, 'activity/cus-victim/')).toEqual(before);
  });

  it('refuses to mask a binary object', async () => {
    const docs = jsonlStore(VERSIONED, { default: { action: 'delete' } }, 'binary');
    const decision: RecordDecision = {
      ref: { kind: 's3', bucket: VERSIONED, key: 'documents/cus-bin/a.pdf' },
      outcome: 'masked',
      action: { kind: 'update', set: { name: '[erased]' }, remove: [] },
    };
    await expect(new S3Connector(docs, s3).erase(pagesOf([decision]))).rejects.toBeInstanceOf(
      UnsupportedErasureError,
    );
  });

  it('erases on an unversioned bucket too', async () => {
    // Prepare: one day all deleted, one mixed
    await put(PLAIN, 'activity/cus-plain/2025-05-01.jsonl', line({ type: 'page_view' }));
    await put(
      PLAIN,
      'activity/cus-plain/2025-05-02.jsonl',
      `${line({ type: 'page_view' })}\n${line({ type: 'purchase', ip: '192.0.2.9' })}\n`,
    );
    await put(PLAIN, 'activity/cus-plain-other/2025-05-01.jsonl', line({ type: 'page_view' }));
    const connector = new S3Connector(deleteAll(PLAIN), s3);
    const policyOf = (r: ExportedRecord) =>
      r.data.type === 'purchase' ? retainPurchases(PLAIN) : deleteUnlessDisputed(PLAIN);

    // Act
    const receipt = await connector.erase(pagesOf(await decide(connector, 'cus-plain', policyOf)));

    // Assess
    expect(await allVersions(PLAIN, 'activity/cus-plain')).toEqual([
      'activity/cus-plain-other/2025-05-01.jsonl@null',
      'activity/cus-plain/2025-05-02.jsonl@null',
    ]);
    expect(await text(PLAIN, 'activity/cus-plain/2025-05-02.jsonl')).toBe(
      `\n${line({ type: 'purchase', ip: '[erased]' })}\n`,
    );
    expect(receipt).toEqual({ storeId: 'activity', deleted: 2, updated: 1, kept: 0, versionsDeleted: 1 });
  });
});

describe('S3 erasure against S3 answers the emulator never gives', () => {
  const key = 'activity/cus-many-versions/2025-06-01.jsonl';
  const decision: RecordDecision = {
    ref: { kind: 's3', bucket: VERSIONED, key, line: 1 },
    outcome: 'deleted',
    action: { kind: 'delete' },
  };
  const versionsOf = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({
      Key: key,
      VersionId: `v${from + i}`,
      IsLatest: from + i === 0,
    }));

  it('deletes 1500 versions in calls of at most 1000, following ListObjectVersions markers', async () => {
    const client = new S3Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const mock = mockClient(client);
    mock
      .on(ListObjectVersionsCommand)
      .resolvesOnce({
        Versions: versionsOf(0, 900),
        IsTruncated: true,
        NextKeyMarker: key,
        NextVersionIdMarker: 'v899',
      })
      .resolvesOnce({ Versions: versionsOf(900, 1500), IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({});

    const receipt = await new S3Connector(deleteAll(VERSIONED), client).erase(pagesOf([decision]));

    const lists = mock.commandCalls(ListObjectVersionsCommand).map((c) => c.args[0].input);
    expect(lists[1]).toMatchObject({ Prefix: key, KeyMarker: key, VersionIdMarker: 'v899' });
    const batches = mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects ?? []);
    expect(batches.map((b) => b.length)).toEqual([1000, 500]);
    expect(new Set(batches.flat().map((o) => o.VersionId)).size).toBe(1500);
    expect(receipt.versionsDeleted).toBe(1500);
    mock.restore();
  });

  it('fails, without naming the key, when S3 refuses to delete a version', async () => {
    const client = new S3Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const mock = mockClient(client);
    mock.on(ListObjectVersionsCommand).resolves({ Versions: versionsOf(0, 2), IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: key, VersionId: 'v1', Code: 'AccessDenied' }] });

    const erased = new S3Connector(deleteAll(VERSIONED), client).erase(pagesOf([decision]));

    await expect(erased).rejects.toBeInstanceOf(S3DeleteError);
    await expect(erased).rejects.toThrow(/AccessDenied/);
    await expect(erased).rejects.not.toThrow(/cus-many-versions/);
    mock.restore();
  });
});
