import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbConnector, refKey } from '../../functions/connectors/dynamodb';
import { createConnector } from '../../functions/connectors/registry';
import { InvalidIdentityError, S3Connector, subjectPrefix } from '../../functions/connectors/s3';
import type { DynamoDbStore, S3Store } from '../../functions/core/data-map';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const dataMap = loadDemoDataMap();
const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-3' }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const orders = dataMap.stores.find((s) => s.id === 'orders') as DynamoDbStore;

afterEach(() => ddbMock.reset());

describe('DynamoDB connector (mocked SDK)', () => {
  it('queries the GSI once per page with LastEvaluatedKey and never scans', async () => {
    // Prepare
    ddbMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ orderId: 'o1', customerId: 'c1' }], LastEvaluatedKey: { orderId: 'o1' } })
      .resolvesOnce({ Items: [{ orderId: 'o2', customerId: 'c1' }] });
    ddbMock.on(ScanCommand).rejects(new Error('Scan is forbidden'));

    // Act
    const records = [];
    for await (const page of new DynamoDbConnector(orders, document).export({
      identities: { customerId: ['c1', 'c1'] },
    })) {
      records.push(...page);
    }

    // Assess
    expect(records.map((r) => r.data.orderId)).toEqual(['o1', 'o2']);
    expect(ddbMock.commandCalls(ScanCommand)).toHaveLength(0);
    const calls = ddbMock.commandCalls(QueryCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toMatchObject({
      TableName: orders.table,
      IndexName: 'byCustomer',
      ExpressionAttributeValues: { ':pk': 'c1' },
    });
    expect(calls[1]?.args[0].input.ExclusiveStartKey).toEqual({ orderId: 'o1' });
  });

  it('never scans for any store of the demo data map', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    for (const store of dataMap.stores.filter((s) => s.kind === 'dynamodb')) {
      for await (const _ of createConnector(store, { dynamodb: document, s3: new S3Client({}) }).locate({
        identities: { email: ['a@example.test'], customerId: ['c1'] },
      })) {
        // drain
      }
    }
    expect(ddbMock.commandCalls(ScanCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(QueryCommand).length).toBe(4);
  });

  it('keys a record ref by exactly the table’s primary key, not by the query key', () => {
    const messages = dataMap.stores.find((s) => s.id === 'messages') as DynamoDbStore;
    const item = { customerId: 'c1', orderId: 'o1', messageId: 'm1', amountIdr: 5, fullName: 'x' };
    expect(refKey(item, orders.primaryKey)).toEqual({ orderId: 'o1' });
    expect(refKey(item, messages.primaryKey)).toEqual({ customerId: 'c1', messageId: 'm1' });
  });

  it('refuses an item that lacks a primary key attribute, naming the attribute but no value', () => {
    expect(() => refKey({ customerId: 'c1', amountIdr: 5 }, orders.primaryKey, 'orders')).toThrow(
      expect.objectContaining({ name: 'PrimaryKeyError', message: expect.stringContaining('orderId') }),
    );
    const error = (() => {
      try {
        refKey({ customerId: 'c1@example.test' }, orders.primaryKey, 'orders');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain('c1@example.test');
  });

  it('puts only the primary key into the refs an export yields', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [{ orderId: 'o1', customerId: 'c1', paymentId: 'p1' }] });
    const refs = [];
    for await (const page of new DynamoDbConnector(orders, document).locate({
      identities: { customerId: ['c1'] },
    })) {
      refs.push(...page);
    }
    expect(refs).toEqual([{ kind: 'dynamodb', key: { orderId: 'o1' } }]);
  });
});

describe('S3 subject prefix', () => {
  it('substitutes a safe identity value into the template', () => {
    expect(subjectPrefix('documents/{customerId}/', 'cus-1')).toBe('documents/cus-1/');
    expect(subjectPrefix('mail/{email}/', 'a.b+c@example.test')).toBe('mail/a.b+c@example.test/');
  });

  it.each(['../x', 'a/b', 'a..b', '', '%2e%2e', 'a\nb', '.', '.hidden'])(
    'refuses %j so no key escapes the prefix',
    (bad) => {
      expect(() => subjectPrefix('documents/{customerId}/', bad)).toThrow(InvalidIdentityError);
    },
  );

  it('creates an S3 connector for S3 stores', () => {
    const store = dataMap.stores.find((s) => s.kind === 's3');
    if (!store) throw new Error('no s3 store');
    expect(createConnector(store, { dynamodb: document, s3: new S3Client({}) })).toBeInstanceOf(S3Connector);
  });
});

describe('S3 documents read for erasure decisions (mocked SDK)', () => {
  const s3Mock = mockClient(S3Client);
  afterEach(() => s3Mock.reset());
  const documents = dataMap.stores.find((s) => s.id === 'documents') as S3Store;
  const listing = {
    Contents: [
      { Key: 'documents/c1/invoice.pdf', Size: 1200, LastModified: new Date('2026-01-02T03:04:05Z') },
      { Key: 'documents/c1/permit.pdf', Size: 800, LastModified: new Date('2026-01-03T03:04:05Z') },
    ],
  };
  async function records(store: S3Store, options?: { attachments: false }) {
    const out = [];
    for await (const page of new S3Connector(store, new S3Client({ region: 'ap-southeast-3' })).export(
      { identities: { customerId: ['c1'] } },
      options,
    ))
      out.push(...page);
    return out;
  }

  it('decides on documents from the listing alone, with no request per document', async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).resolves(listing);

    // Act
    const listed = await records(documents, { attachments: false });

    // Assess
    expect(listed.map((r) => r.data)).toEqual([
      { name: 'invoice.pdf', size: 1200, lastModified: '2026-01-02T03:04:05.000Z' },
      { name: 'permit.pdf', size: 800, lastModified: '2026-01-03T03:04:05.000Z' },
    ]);
    expect(listed.every((r) => r.attachment === undefined)).toBe(true);
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("still reads each document's content type when one of the store's holds decides on it", async () => {
    // Prepare
    s3Mock.on(ListObjectsV2Command).resolves(listing);
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: 'application/pdf' });
    const held: S3Store = {
      ...documents,
      erasure: {
        ...documents.erasure,
        holds: [
          {
            reason: 'customs_audit',
            description: { en: 'Customs may audit permits.', id: 'Bea cukai dapat mengaudit izin.' },
            when: { field: 'contentType', in: ['application/pdf'] },
          },
        ],
      },
    };

    // Act
    const listed = await records(held, { attachments: false });

    // Assess
    expect(listed.map((r) => r.data.contentType)).toEqual(['application/pdf', 'application/pdf']);
    expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(2);
  });
});
