/**
 * Records that cannot be read as stored are exported as far as they can be and
 * flagged, never dropped, and never stop the store's other records.
 */

import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { DynamoDbConnector } from '../../functions/connectors/dynamodb';
import { S3Connector } from '../../functions/connectors/s3';
import type { DynamoDbStore, S3Store } from '../../functions/core/data-map';
import { writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const dataMap = loadDemoDataMap();
const store = <T>(id: string) => dataMap.stores.find((s) => s.id === id) as T;
const s3Mock = mockClient(S3Client);
const ddbMock = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  s3Mock.reset();
  ddbMock.reset();
});

const denied = () =>
  new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
// The connector reads a Node stream as the SDK returns it in Node.
const body = (text: string) => Readable.from([Buffer.from(text)]) as never;

async function all(records: AsyncIterable<readonly ExportedRecord[]>): Promise<ExportedRecord[]> {
  const out: ExportedRecord[] = [];
  for await (const page of records) out.push(...page);
  return out;
}

describe('bad records in a store', () => {
  it('flags an activity object it may not read and still exports the next one', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'activity/c1/2026-01-01.jsonl' }, { Key: 'activity/c1/2026-01-02.jsonl' }],
    });
    s3Mock.on(GetObjectCommand, { Key: 'activity/c1/2026-01-01.jsonl' }).rejects(denied());
    s3Mock
      .on(GetObjectCommand, { Key: 'activity/c1/2026-01-02.jsonl' })
      .resolves({ Body: body('{"event":"login"}\n') });
    const connector = new S3Connector(store<S3Store>('activity'), new S3Client({ region: 'ap-southeast-3' }));

    const records = await all(connector.export({ identities: { customerId: ['c1'] } }));

    expect(records.map((r) => [r.data, r.problem])).toEqual([
      [{ object: '2026-01-01.jsonl', unreadable: true }, 'unreadable_object'],
      [{ event: 'login' }, undefined],
    ]);
  });

  it('flags a document it may not read, without a file, and still copies the next one', async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'documents/c1/invoice.pdf', Size: 1200 },
        { Key: 'documents/c1/permit.pdf', Size: 3 },
      ],
    });
    s3Mock.on(GetObjectCommand, { Key: 'documents/c1/invoice.pdf' }).rejects(denied());
    s3Mock
      .on(GetObjectCommand, { Key: 'documents/c1/permit.pdf' })
      .resolves({ Body: body('pdf'), ContentType: 'application/pdf' });
    const written = new Map<string, string>();
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of Readable.from([input.Body].flat() as Buffer[]))
        chunks.push(Buffer.from(chunk));
      written.set(input.Key, Buffer.concat(chunks).toString('utf8'));
      return { ETag: '"e"' };
    });
    const client = new S3Client({ region: 'ap-southeast-3' });
    const connector = new S3Connector(store<S3Store>('documents'), client);

    // Act
    const result = await writeStoreExport(
      { exports: new S3ObjectStore(client, 'dsr-exports') },
      {
        requestId: '20260101-access-abcdefghjk',
        storeId: 'documents',
        records: connector.export({ identities: { customerId: ['c1'] } }),
      },
    );

    // Assess
    expect(JSON.parse(written.get(result.key) ?? '{}').records).toEqual([
      { name: 'invoice.pdf', size: 1200, unreadable: true },
      { name: 'permit.pdf', size: 3, contentType: 'application/pdf', file: 'documents/files/permit.pdf' },
    ]);
    expect(result.problems).toEqual({ unreadable_object: 1 });
    expect(result.attachments.map((a) => [a.name, a.size])).toEqual([['permit.pdf', 3]]);
    // One read per document: its content type comes with its bytes.
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it('still fails the store on a throttling error, so the workflow retries it', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'activity/c1/2026-01-01.jsonl' }] });
    s3Mock
      .on(GetObjectCommand)
      .rejects(
        new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
      );
    const connector = new S3Connector(store<S3Store>('activity'), new S3Client({ region: 'ap-southeast-3' }));

    await expect(all(connector.export({ identities: { customerId: ['c1'] } }))).rejects.toMatchObject({
      name: 'SlowDown',
    });
  });

  it('exports an order without its key attribute, flagged, next to the good ones', async () => {
    ddbMock.on(QueryCommand).resolves({
      Items: [
        { orderId: 'o1', customerId: 'c1', amountIdr: 1000 },
        { customerId: 'c1', amountIdr: 2000 },
      ],
    });
    const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-3' }));
    const connector = new DynamoDbConnector(store<DynamoDbStore>('orders'), document);

    const records = await all(connector.export({ identities: { customerId: ['c1'] } }));

    expect(records.map((r) => [r.data.amountIdr, r.problem])).toEqual([
      [1000, undefined],
      [2000, 'missing_key'],
    ]);
  });
});
