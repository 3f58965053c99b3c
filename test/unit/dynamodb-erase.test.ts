import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbConnector } from '../../functions/connectors/dynamodb';
import type { DynamoDbStore } from '../../functions/core/data-map';
import type { RecordDecision } from '../../functions/core/erasure/decisions';
import type { RecordRef } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const dataMap = loadDemoDataMap();
const document = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'ap-southeast-3' }));
const ddbMock = mockClient(DynamoDBDocumentClient);
const orders = dataMap.stores.find((s) => s.id === 'orders') as DynamoDbStore;
const messages = dataMap.stores.find((s) => s.id === 'messages') as DynamoDbStore;
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 } };

const ref = (key: Record<string, string>): RecordRef => ({ kind: 'dynamodb', key });
const del = (key: Record<string, string>): RecordDecision => ({
  ref: ref(key),
  outcome: 'deleted',
  action: { kind: 'delete' },
});
const mask = (
  key: Record<string, string>,
  set: Record<string, string>,
  remove: string[] = [],
): RecordDecision => ({
  ref: ref(key),
  outcome: 'retained',
  action: { kind: 'update', set, remove },
});

async function* pages(...batches: RecordDecision[][]): AsyncIterable<readonly RecordDecision[]> {
  for (const batch of batches) yield batch;
}

beforeEach(() => {
  ddbMock.reset();
  ddbMock.on(ScanCommand).rejects(new Error('Scan is forbidden'));
  ddbMock.on(QueryCommand).rejects(new Error('erase must not read'));
});

describe('DynamoDB erase (mocked SDK)', () => {
  it('deletes in batches of at most 25 keys by the table’s primary key', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});
    const keys = Array.from({ length: 60 }, (_, i) => ({ customerId: 'c1', messageId: `m${i}` }));

    const receipt = await new DynamoDbConnector(messages, document, fast).erase(
      pages(keys.slice(0, 30).map(del), keys.slice(30).map(del)),
    );

    expect(receipt).toEqual({ storeId: 'messages', deleted: 60, updated: 0, kept: 0 });
    const calls = ddbMock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => c.args[0].input.RequestItems?.[messages.table]?.length)).toEqual([25, 25, 10]);
    const sent = calls.flatMap((c) => c.args[0].input.RequestItems?.[messages.table] ?? []);
    expect(sent.map((r) => r.DeleteRequest?.Key)).toEqual(keys);
    expect(ddbMock.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('retries unprocessed items until none are left', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => ({ orderId: `o${i}` }));
    const unprocessed = (n: number) => ({
      UnprocessedItems: { [orders.table]: keys.slice(0, n).map((Key) => ({ DeleteRequest: { Key } })) },
    });
    ddbMock
      .on(BatchWriteCommand)
      .resolvesOnce(unprocessed(3))
      .resolvesOnce(unprocessed(1))
      .resolvesOnce({ UnprocessedItems: {} });

    const receipt = await new DynamoDbConnector(orders, document, fast).erase(pages(keys.map(del)));

    const calls = ddbMock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => c.args[0].input.RequestItems?.[orders.table]?.length)).toEqual([5, 3, 1]);
    expect(receipt.deleted).toBe(5);
  });

  it('gives up with a retryable TransientError when items stay unprocessed', async () => {
    const key = { orderId: 'o1' };
    ddbMock
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { [orders.table]: [{ DeleteRequest: { Key: key } }] } });

    const erase = new DynamoDbConnector(orders, document, {
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    }).erase(pages([del(key)]));

    await expect(erase).rejects.toMatchObject({ name: 'TransientError' });
    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });

  it('masks and removes fields through placeholders, so reserved words like status and name work', async () => {
    ddbMock.on(UpdateCommand).resolves({});

    const receipt = await new DynamoDbConnector(orders, document).erase(
      pages([mask({ orderId: 'o1' }, { name: '[erased]', status: 'x' }, ['paymentCardLast4', 'comment'])]),
    );

    expect(receipt).toEqual({ storeId: 'orders', deleted: 0, updated: 1, kept: 0 });
    const input = ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: orders.table,
      Key: { orderId: 'o1' },
      ConditionExpression: 'attribute_exists(#key)',
    });
    expect(input?.ExpressionAttributeNames?.['#key']).toBe('orderId');
    const names = Object.values(input?.ExpressionAttributeNames ?? {});
    expect(names.sort()).toEqual(['comment', 'name', 'orderId', 'paymentCardLast4', 'status']);
    // No raw attribute name appears in the expression itself.
    for (const name of names) expect(input?.UpdateExpression).not.toMatch(new RegExp(`\\b${name}\\b`));
    expect(input?.UpdateExpression).toMatch(/^SET #\w+ = :\w+, #\w+ = :\w+ REMOVE #\w+, #\w+$/);
    expect(Object.values(input?.ExpressionAttributeValues ?? {}).sort()).toEqual(['[erased]', 'x']);
  });

  it('treats an item that vanished before its update as done, not as an error', async () => {
    ddbMock
      .on(UpdateCommand)
      .rejectsOnce(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      )
      .resolves({});

    const receipt = await new DynamoDbConnector(orders, document).erase(
      pages([mask({ orderId: 'gone' }, { recipientName: '[erased]' }), mask({ orderId: 'o2' }, { a: 'b' })]),
    );

    expect(receipt.updated).toBe(1);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('fails on any other update error', async () => {
    ddbMock.on(UpdateCommand).rejects(Object.assign(new Error('boom'), { name: 'ValidationException' }));

    await expect(
      new DynamoDbConnector(orders, document).erase(pages([mask({ orderId: 'o1' }, { a: 'b' })])),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('sends nothing for kept records', async () => {
    const keep: RecordDecision = { ref: ref({ orderId: 'o1' }), outcome: 'held', action: { kind: 'keep' } };

    const receipt = await new DynamoDbConnector(orders, document).erase(pages([keep, keep]));

    expect(receipt).toEqual({ storeId: 'orders', deleted: 0, updated: 0, kept: 2 });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('refuses a decision whose key lacks the primary key, before writing anything', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await expect(
      new DynamoDbConnector(messages, document).erase(pages([del({ customerId: 'c1' })])),
    ).rejects.toMatchObject({ name: 'PrimaryKeyError', message: expect.stringContaining('messageId') });
    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('writes by the primary key only, dropping extra attributes an older ref carried', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await new DynamoDbConnector(orders, document).erase(pages([del({ orderId: 'o1', customerId: 'c1' })]));

    const sent = ddbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[orders.table];
    expect(sent).toEqual([{ DeleteRequest: { Key: { orderId: 'o1' } } }]);
  });

  it('never names the same key twice in one batch', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await new DynamoDbConnector(orders, document).erase(
      pages([del({ orderId: 'o1' }), del({ orderId: 'o1' })]),
    );

    const sent = ddbMock.commandCalls(BatchWriteCommand)[0]?.args[0].input.RequestItems?.[orders.table];
    expect(sent).toHaveLength(1);
  });

  it('keeps at most the configured number of updates in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    ddbMock.on(UpdateCommand).callsFake(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight -= 1;
      return {};
    });
    const decisions = Array.from({ length: 40 }, (_, i) => mask({ orderId: `o${i}` }, { a: 'b' }));

    const receipt = await new DynamoDbConnector(orders, document, { writeConcurrency: 4 }).erase(
      pages(decisions),
    );

    expect(receipt.updated).toBe(40);
    expect(peak).toBe(4);
  });
});
