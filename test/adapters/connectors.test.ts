import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnector } from '../../functions/connectors/dynamodb';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { InvalidIdentityError, S3Connector } from '../../functions/connectors/s3';
import { type DataMap, type DynamoDbStore, isDataStore, type S3Store } from '../../functions/core/data-map';
import type { ExportedRecord, Subject } from '../../functions/core/ports';
import { createTableInput, DEMO_TABLES } from '../../infra/definitions/tables';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

let emulators: Emulators;
let dynamodb: DynamoDBDocumentClient;
let s3: S3Client;
const dataMap: DataMap = loadDemoDataMap();

const store = <K extends 'dynamodb' | 's3'>(id: string, kind: K) => {
  const found = dataMap.stores.find((s) => s.id === id && s.kind === kind);
  if (!found) throw new Error(`no store ${id}`);
  return found as K extends 'dynamodb' ? DynamoDbStore : S3Store;
};

async function collect(pages: AsyncIterable<readonly ExportedRecord[]>): Promise<ExportedRecord[][]> {
  const out: ExportedRecord[][] = [];
  for await (const page of pages) out.push([...page]);
  return out;
}

async function put(table: string, items: Record<string, unknown>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await dynamodb.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

beforeAll(async () => {
  emulators = await startEmulators();
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const raw = new DynamoDBClient({ ...common, endpoint: emulators.endpoints.dynamodb });
  dynamodb = DynamoDBDocumentClient.from(raw);
  s3 = new S3Client({ ...common, endpoint: emulators.endpoints.s3, forcePathStyle: true });
  for (const s of dataMap.stores.filter(isDataStore)) {
    if (s.kind === 'dynamodb') {
      const def = DEMO_TABLES[s.id];
      if (!def) throw new Error(`no table definition for ${s.id}`);
      await raw.send(new CreateTableCommand(createTableInput(s.table, def)));
    } else {
      await s3.send(new CreateBucketCommand({ Bucket: s.bucket }));
    }
  }
});

afterAll(async () => {
  dynamodb?.destroy();
  s3?.destroy();
  await emulators?.stop();
});

describe('DynamoDB connector', () => {
  it('finds every order of a customer through the GSI, page after page, and none of another customer', async () => {
    // Prepare: 23 orders for one customer, 4 for another
    const orders = store('orders', 'dynamodb');
    const mk = (customerId: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        orderId: `ORD-${customerId}-${i}`,
        customerId,
        createdAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
        amountIdr: 1000 * i,
      }));
    await put(orders.table, [...mk('cus-pages', 23), ...mk('cus-other', 4)]);

    // Act: pages of 5 items
    const connector = new DynamoDbConnector(orders, dynamodb, { pageSize: 5 });
    const pages = await collect(connector.export({ identities: { customerId: ['cus-pages'] } }));

    // Assess
    expect(pages.length).toBeGreaterThanOrEqual(5);
    const records = pages.flat();
    expect(records).toHaveLength(23);
    expect(new Set(records.map((r) => r.data.customerId))).toEqual(new Set(['cus-pages']));
    // The ref carries the table's primary key (orderId), not the GSI key it was found by.
    expect(records[0]?.ref).toEqual({ kind: 'dynamodb', key: { orderId: 'ORD-cus-pages-0' } });
  });

  it('follows LastEvaluatedKey past the 1 MB page limit', async () => {
    const messages = store('messages', 'dynamodb');
    const body = 'x'.repeat(60_000);
    const items = Array.from({ length: 30 }, (_, i) => ({
      customerId: 'cus-big',
      messageId: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z#m${i}`,
      body,
    }));
    await put(messages.table, items);

    const pages = await collect(
      createConnector(messages, { dynamodb, s3 }).export({ identities: { customerId: ['cus-big'] } }),
    );

    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat()).toHaveLength(30);
  });

  it('finds nothing, without error, for a subject with no identity the store is keyed by', async () => {
    const pages = await collect(
      createConnector(store('messages', 'dynamodb'), { dynamodb, s3 }).export({
        identities: { email: ['a@example.test'] },
      }),
    );
    expect(pages).toEqual([]);
  });
});

describe('S3 connector', () => {
  it('counts every non-empty JSON line across several objects of the subject, and only the subject', async () => {
    const activity = store('activity', 's3');
    const lines = (n: number, day: string) =>
      `${Array.from({ length: n }, (_, i) => JSON.stringify({ type: 'page_view', ts: `${day}T00:00:${i}Z` })).join('\n')}\n\n`;
    await s3.send(
      new PutObjectCommand({
        Bucket: activity.bucket,
        Key: 'activity/cus-s3/2025-01-01.jsonl',
        Body: lines(3, '2025-01-01'),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: activity.bucket,
        Key: 'activity/cus-s3/2025-01-02.jsonl',
        Body: lines(4, '2025-01-02'),
      }),
    );
    // A customer whose id starts with the other's must not leak in.
    await s3.send(
      new PutObjectCommand({
        Bucket: activity.bucket,
        Key: 'activity/cus-s3x/2025-01-01.jsonl',
        Body: lines(9, '2025-01-01'),
      }),
    );

    const connector = new S3Connector(activity, s3);
    const records = (await collect(connector.export({ identities: { customerId: ['cus-s3'] } }))).flat();

    expect(records).toHaveLength(7);
    expect(records[3]?.ref).toEqual({
      kind: 's3',
      bucket: activity.bucket,
      key: 'activity/cus-s3/2025-01-02.jsonl',
      line: 1,
    });
    expect(records[0]?.data.type).toBe('page_view');
  });

  it('still exports a line that is not valid JSON, as text', async () => {
    const activity = store('activity', 's3');
    await s3.send(
      new PutObjectCommand({
        Bucket: activity.bucket,
        Key: 'activity/cus-broken/2025-03-01.jsonl',
        Body: '{"type":"login"}\n{"type": trunc\n',
      }),
    );

    const records = (
      await collect(new S3Connector(activity, s3).export({ identities: { customerId: ['cus-broken'] } }))
    ).flat();

    expect(records.map((r) => r.data)).toEqual([{ type: 'login' }, { unparsedLine: '{"type": trunc' }]);
  });

  it('yields pages of at most 500 JSON Lines records', async () => {
    const activity = store('activity', 's3');
    const body = Array.from({ length: 1203 }, (_, i) => JSON.stringify({ i })).join('\n');
    await s3.send(
      new PutObjectCommand({
        Bucket: activity.bucket,
        Key: 'activity/cus-many/2025-02-01.jsonl',
        Body: body,
      }),
    );

    const pages = await collect(
      new S3Connector(activity, s3).export({ identities: { customerId: ['cus-many'] } }),
    );

    expect(pages.map((p) => p.length)).toEqual([500, 500, 203]);
  });

  it('streams the exact bytes of each document, its content type told by that one read', async () => {
    const documents = store('documents', 's3');
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
    await s3.send(
      new PutObjectCommand({
        Bucket: documents.bucket,
        Key: 'documents/cus-doc/invoice-1.pdf',
        Body: bytes,
        ContentType: 'application/pdf',
      }),
    );

    const [record] = (
      await collect(new S3Connector(documents, s3).export({ identities: { customerId: ['cus-doc'] } }))
    ).flat();

    expect(record?.data).toMatchObject({ name: 'invoice-1.pdf', size: bytes.length });
    const opened = await (record?.attachment?.open() ?? Promise.reject(new Error('no attachment')));
    if ('unreadable' in opened) throw new Error('the document should be readable');
    expect(opened.fields).toEqual({ contentType: 'application/pdf' });
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it.each(['../cus-doc', 'a/b', '..', '', 'cus doc', 'x'.repeat(201)])(
    'rejects the identity value %j before touching S3',
    async (bad) => {
      const subject: Subject = { identities: { customerId: [bad] } };
      await expect(
        collect(new S3Connector(store('documents', 's3'), s3).export(subject)),
      ).rejects.toBeInstanceOf(InvalidIdentityError);
    },
  );
});

describe('resolveSubject', () => {
  it('finds the customerId behind an email, whatever its case', async () => {
    await put(store('customers', 'dynamodb').table, [
      { customerId: 'cus-resolve', email: 'resolve.me@example.test', fullName: 'Budi Contoh' },
      { customerId: 'cus-not-me', email: 'someone.else@example.test', fullName: 'Siti Contoh' },
    ]);

    const subject = await resolveSubject(dataMap, { dynamodb, s3 }, '  Resolve.Me@Example.TEST ');

    expect(subject.identities).toEqual({ email: ['resolve.me@example.test'], customerId: ['cus-resolve'] });
  });

  it('knows only the email of an unknown person', async () => {
    const subject = await resolveSubject(dataMap, { dynamodb, s3 }, 'nobody@example.test');
    expect(subject.identities).toEqual({ email: ['nobody@example.test'] });
  });
});
