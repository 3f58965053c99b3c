import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnector } from '../../functions/connectors/dynamodb';
import { type DataMap, type DynamoDbStore, MASK_VALUE } from '../../functions/core/data-map';
import { decideErasure, type RecordDecision } from '../../functions/core/erasure/decisions';
import type { EraseReceipt, ExportedRecord } from '../../functions/core/ports';
import { createTableInput, DEMO_TABLES } from '../../infra/definitions/tables';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';

let emulators: Emulators;
let dynamodb: DynamoDBDocumentClient;
const dataMap: DataMap = loadDemoDataMap();
const NOW = new Date('2026-11-27T00:00:00Z');

const dynamoStore = (id: string): DynamoDbStore => {
  const found = dataMap.stores.find((s) => s.id === id);
  if (found?.kind !== 'dynamodb') throw new Error(`no DynamoDB store ${id}`);
  return found;
};
const orders = dynamoStore('orders');
const messages = dynamoStore('messages');

type Item = Record<string, unknown>;

async function put(table: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await dynamodb.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

async function exportAll(store: DynamoDbStore, customerId: string): Promise<ExportedRecord[]> {
  const out: ExportedRecord[] = [];
  for await (const page of new DynamoDbConnector(store, dynamodb).export({
    identities: { customerId: [customerId] },
  }))
    out.push(...page);
  return out;
}

/** Decides and erases as EraseStore does: export → decideErasure → erase, page by page. */
async function erase(store: DynamoDbStore, customerId: string, email: string) {
  const connector = new DynamoDbConnector(store, dynamodb);
  const decided: RecordDecision[] = [];
  let pages = 0;
  async function* decisions(): AsyncIterable<readonly RecordDecision[]> {
    for await (const page of connector.export({ identities: { customerId: [customerId] } })) {
      pages += 1;
      const batch = page.map((r) => decideErasure(store, r, [email, customerId], NOW));
      decided.push(...batch);
      yield batch;
    }
  }
  const receipt: EraseReceipt = await connector.erase(decisions());
  return { receipt, decided, pages };
}

const pad = 'x'.repeat(20_000);
function order(customerId: string, i: number, status: string): Item {
  return {
    orderId: `ORD-${customerId}-${String(i).padStart(3, '0')}`,
    customerId,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    status,
    items: [{ hsCode: '8517.13.00', description: 'Smartphone', quantity: 1, unitPriceIdr: 2_000_000 }],
    amountIdr: 2_000_000,
    dutyIdr: 150_000,
    vatIdr: 236_500,
    paymentMethod: 'credit_card',
    paymentCardLast4: '4242',
    recipientName: 'Ani Contoh',
    recipientPhone: '+62811000000',
    shippingAddress: 'Jl. Contoh 1, Jakarta 10110',
    customerEmail: `${customerId}@example.test`,
    // Big items push the subject past DynamoDB's 1 MB Query page.
    notes: pad,
  };
}

beforeAll(async () => {
  emulators = await startEmulators();
  const raw = new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: emulators.endpoints.dynamodb,
  });
  dynamodb = DynamoDBDocumentClient.from(raw);
  for (const store of [orders, messages]) {
    const def = DEMO_TABLES[store.id];
    if (!def) throw new Error(`no table definition for ${store.id}`);
    await raw.send(new CreateTableCommand(createTableInput(store.table, def)));
  }
});

afterAll(async () => {
  dynamodb?.destroy();
  await emulators?.stop();
});

describe('DynamoDB erasure on the emulator', () => {
  it('deletes every message of the subject past the 1 MB page, and none of another subject’s', async () => {
    // Prepare: 70 messages of 20 kB (> 1 MB, > 25) for the subject, 5 for someone else
    const mk = (customerId: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        customerId,
        messageId: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z#m${i}`,
        body: pad,
      }));
    await put(messages.table, [...mk('cus-erase-msg', 70), ...mk('cus-keep-msg', 5)]);

    // Act
    const { receipt, pages } = await erase(messages, 'cus-erase-msg', 'erase.msg@example.test');

    // Assess
    expect(pages).toBeGreaterThan(1);
    expect(receipt).toEqual({ storeId: 'messages', deleted: 70, updated: 0, kept: 0 });
    expect(await exportAll(messages, 'cus-erase-msg')).toEqual([]);
    expect(await exportAll(messages, 'cus-keep-msg')).toHaveLength(5);
  });

  it('masks closed orders, keeping the tax record, leaves open orders and other customers untouched', async () => {
    // Prepare: 60 orders of 20 kB, every third one still in transit; 3 orders of another customer
    const statuses = ['delivered', 'paid', 'in_transit'];
    const mine = Array.from({ length: 60 }, (_, i) => order('cus-erase-ord', i, statuses[i % 3] as string));
    const theirs = Array.from({ length: 3 }, (_, i) => order('cus-other-ord', i, 'delivered'));
    await put(orders.table, [...mine, ...theirs]);

    // Act
    const { receipt, decided, pages } = await erase(orders, 'cus-erase-ord', 'cus-erase-ord@example.test');

    // Assess
    expect(pages).toBeGreaterThan(1);
    expect(decided.filter((d) => d.outcome === 'held')).toHaveLength(20);
    expect(decided.filter((d) => d.outcome === 'retained')).toHaveLength(40);
    expect(receipt).toEqual({ storeId: 'orders', deleted: 0, updated: 40, kept: 20 });
    const after = new Map((await exportAll(orders, 'cus-erase-ord')).map((r) => [r.data.orderId, r.data]));
    expect(after.size).toBe(60);
    for (const before of mine) {
      const now = after.get(before.orderId);
      if (before.status === 'in_transit') {
        expect(now).toEqual(before);
        continue;
      }
      expect(now).toEqual({
        ...before,
        recipientName: MASK_VALUE,
        recipientPhone: MASK_VALUE,
        shippingAddress: '10xxx',
        customerEmail: MASK_VALUE,
        paymentCardLast4: undefined,
      });
      expect(now).not.toHaveProperty('paymentCardLast4');
    }
    expect((await exportAll(orders, 'cus-other-ord')).map((r) => r.data)).toEqual(theirs);
  });

  it('ends in the same state when erasure runs twice, and an update of a vanished item is no error', async () => {
    // Prepare
    const mine = Array.from({ length: 30 }, (_, i) => order('cus-twice', i, 'delivered'));
    await put(orders.table, mine);
    await erase(orders, 'cus-twice', 'cus-twice@example.test');
    const first = await exportAll(orders, 'cus-twice');

    // Act: a retry after a crash decides again from the (already masked) records
    const again = await erase(orders, 'cus-twice', 'cus-twice@example.test');
    // ...and a stale manifest still names an item that is gone meanwhile
    const gone: RecordDecision = {
      ref: { kind: 'dynamodb', key: { orderId: 'ORD-never-there' } },
      outcome: 'retained',
      action: { kind: 'update', set: { recipientName: MASK_VALUE }, remove: [] },
    };
    const stale = await new DynamoDbConnector(orders, dynamodb).erase(
      (async function* () {
        yield [gone];
      })(),
    );

    // Assess
    expect(again.decided.map((d) => d.outcome)).toEqual(first.map(() => 'retained'));
    expect(await exportAll(orders, 'cus-twice')).toEqual(first);
    expect(stale.updated).toBe(0);
    const ghost = await dynamodb.send(
      new GetCommand({ TableName: orders.table, Key: { orderId: 'ORD-never-there' } }),
    );
    expect(ghost.Item).toBeUndefined();
  });

  it('deletes messages idempotently: a second run finds nothing and deletes nothing', async () => {
    await put(
      messages.table,
      Array.from({ length: 30 }, (_, i) => ({
        customerId: 'cus-msg-twice',
        messageId: `m${i}`,
        body: 'hai',
      })),
    );

    const first = await erase(messages, 'cus-msg-twice', 'msg.twice@example.test');
    const second = await erase(messages, 'cus-msg-twice', 'msg.twice@example.test');

    expect(first.receipt.deleted).toBe(30);
    expect(second.receipt).toEqual({ storeId: 'messages', deleted: 0, updated: 0, kept: 0 });
    expect(await exportAll(messages, 'cus-msg-twice')).toEqual([]);
  });

  it('masks every non-key field of a store whose policy is mask, keeping the item and its key', async () => {
    const masked: DynamoDbStore = {
      ...messages,
      erasure: { default: { action: 'mask' }, fields: {}, holds: [] },
    };
    await put(messages.table, [
      { customerId: 'cus-mask', messageId: 'm1', channel: 'email', body: 'Halo', status: 'read' },
    ]);

    const { receipt } = await erase(masked, 'cus-mask', 'mask@example.test');

    expect(receipt.updated).toBe(1);
    expect((await exportAll(messages, 'cus-mask')).map((r) => r.data)).toEqual([
      { customerId: 'cus-mask', messageId: 'm1', channel: MASK_VALUE, body: MASK_VALUE, status: MASK_VALUE },
    ]);
  });
});
