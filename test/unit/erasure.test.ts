import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type DynamoDbStore, dataMapSchemas, type S3Store } from '../../functions/core/data-map';
import { ErasureIncompleteError, UnsupportedErasureError } from '../../functions/core/erasure/decisions';
import { eraseStore, proveStoreErasure } from '../../functions/core/erasure/erase';
import { takeInventory } from '../../functions/core/erasure/inventory';
import { readDecisions, readSummary } from '../../functions/core/erasure/manifest';
import { verifyStoreErasure } from '../../functions/core/erasure/verify';
import { erasureDecisionsKey, erasureSummaryKey } from '../../functions/core/export/keys';
import { PROCESSING_FIELDS } from '../support/data-map-fixtures';
import { FakeConnector, type FakeRecord, memoryS3, snapshot } from '../support/erasure-fakes';

const REQUEST = '20260315-delete-abcdefgh23';
const BUCKET = 'dsr-exports';
const KEY = createHash('sha256').update('erasure unit test key').digest();
const NOW = new Date('2026-03-15T10:00:00Z');
const EMAIL = 'budi.erased@example.test';
const NAME = 'Budi Erased';
const PHONE = '+628110000001';
const ADDRESS = 'Jl. Contoh No. 1, Jakarta';
const subject = { identities: { email: [EMAIL], customerId: ['cus-1'] } };
const contact = { email: EMAIL, fullName: NAME, phone: PHONE };
const BASIS = 'Indonesian tax bookkeeping retention: UU KUP Art. 28(11)';

const orders = dataMapSchemas().StoreConfig.parse({
  id: 'orders',
  kind: 'dynamodb',
  description: 'Orders',
  categories: ['transaction'],
  ...PROCESSING_FIELDS,
  table: 'orders-table',
  primaryKey: { partitionKey: 'orderId' },
  locate: { identity: 'customerId', partitionKey: 'customerId', index: 'byCustomer' },
  erasure: {
    default: { action: 'retain', legalBasis: BASIS, retentionDays: 3653 },
    fields: {
      recipientName: { action: 'mask' },
      recipientPhone: { action: 'mask' },
      shippingAddress: { action: 'mask' },
      paymentCardLast4: { action: 'delete' },
    },
    holds: [
      {
        reason: 'open_order',
        description: { en: 'Open orders are kept.', id: 'Pesanan terbuka disimpan.' },
        when: { field: 'status', in: ['in_transit'] },
      },
    ],
  },
}) as DynamoDbStore;

const activity = dataMapSchemas().StoreConfig.parse({
  id: 'activity',
  kind: 's3',
  description: 'Activity',
  categories: ['activity'],
  ...PROCESSING_FIELDS,
  bucket: 'activity-bucket',
  prefix: 'activity/{customerId}/',
  format: 'jsonl',
  erasure: { default: { action: 'delete' } },
}) as S3Store;

function order(n: number, status = 'paid'): FakeRecord {
  return {
    ref: { kind: 'dynamodb', key: { orderId: `ORD-${n}` } },
    data: {
      orderId: `ORD-${n}`,
      customerId: 'cus-1',
      status,
      amountIdr: 1000 * n,
      recipientName: NAME,
      recipientPhone: PHONE,
      shippingAddress: `${ADDRESS} ${n}`,
      paymentCardLast4: '4242',
      note: 'call before delivery',
    },
  };
}

const someOrders = () => [order(1), order(2), order(3, 'in_transit'), order(4), order(5)];

let s3: ReturnType<typeof memoryS3>;
beforeEach(() => {
  s3 = memoryS3();
});
afterEach(() => {
  s3.mock.restore();
});

const deps = () => s3.store(BUCKET);
const args = (connector: FakeConnector, store: DynamoDbStore | S3Store = orders) => ({
  requestId: REQUEST,
  store,
  connector,
  subject,
  contact,
  hashingKey: KEY,
  now: NOW,
});
const verifyArgs = (connector: FakeConnector, storeId = 'orders') => ({
  requestId: REQUEST,
  storeId,
  connector,
  subject,
  hashingKey: KEY,
  settleDelaysMs: [],
});

describe('erasing one store', () => {
  it('deletes, masks and holds as the data map says and counts what it decided', async () => {
    const connector = new FakeConnector('orders', someOrders());

    const result = await eraseStore(deps(), args(connector));

    expect(result.counts).toEqual({ found: 5, deleted: 0, masked: 0, retained: 4, held: 1 });
    const kept = connector.records.get('dynamodb:[["orderId","ORD-1"]]')?.data;
    expect(kept).toMatchObject({ recipientName: '[erased]', recipientPhone: '[erased]', amountIdr: 1000 });
    expect(kept).not.toHaveProperty('paymentCardLast4');
    expect(connector.records.get('dynamodb:[["orderId","ORD-3"]]')?.data.recipientName).toBe(NAME);
    const summary = await readSummary(deps(), REQUEST, 'orders');
    expect(summary?.retention).toEqual([{ legalBasis: BASIS, retainedUntil: '2036-03-15', records: 4 }]);
    expect(summary?.holds).toEqual([{ reason: 'open_order', records: 1 }]);
  });

  it('writes no email, name, phone or address of the subject to the manifest or summary', async () => {
    await eraseStore(deps(), args(new FakeConnector('orders', someOrders())));

    const written = s3.text(`${BUCKET}/${erasureDecisionsKey(REQUEST, 'orders')}`) ?? '';
    expect(written.length).toBeGreaterThan(100);
    for (const value of [EMAIL, NAME, PHONE, ADDRESS]) expect(written).not.toContain(value);
  });

  it('ends in the same state with the same counts when a crash in the middle is followed by a retry', async () => {
    const clean = new FakeConnector('orders', someOrders());
    const cleanResult = await eraseStore(deps(), { ...args(clean), requestId: '20260315-delete-cleanrun22' });
    const crashing = new FakeConnector('orders', someOrders());
    crashing.failAfter = 2;

    await expect(eraseStore(deps(), args(crashing))).rejects.toThrow('simulated crash');
    crashing.failAfter = undefined;
    const retried = await eraseStore(deps(), args(crashing));

    expect(retried.counts).toEqual(cleanResult.counts);
    expect(snapshot(crashing)).toEqual(snapshot(clean));
  });

  it('reuses the first inventory on a retry, so records that appear later are not counted', async () => {
    const connector = new FakeConnector('orders', someOrders());
    const first = await takeInventory(deps(), args(connector));
    connector.add(order(9));
    const puts = s3.mock.commandCalls(PutObjectCommand).length;

    const again = await takeInventory(deps(), args(connector));

    expect(again).toEqual(first);
    expect(s3.mock.commandCalls(PutObjectCommand).length).toBe(puts);
  });

  it('writes one object per store, whose first line is the summary a reader gets with one ranged read', async () => {
    // Act
    const summary = await takeInventory(deps(), args(new FakeConnector('orders', someOrders())));

    // Assess: one PutObject, no separate summary object
    const written = s3.mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(written).toEqual([erasureDecisionsKey(REQUEST, 'orders')]);
    expect(s3.text(`${BUCKET}/${erasureSummaryKey(REQUEST, 'orders')}`)).toBeUndefined();
    s3.mock.resetHistory();
    await expect(readSummary(deps(), REQUEST, 'orders')).resolves.toEqual(summary);
    const reads = s3.mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(reads).toEqual([
      expect.objectContaining({ Key: erasureDecisionsKey(REQUEST, 'orders'), Range: expect.any(String) }),
    ]);
    const pages = [];
    for await (const page of readDecisions(deps(), REQUEST, 'orders')) pages.push(...page);
    expect(pages.map((d) => d.outcome)).toEqual(['retained', 'retained', 'held', 'retained', 'retained']);
  });

  it('takes the inventory again when an attempt crashed before its one PutObject', async () => {
    // Prepare
    const connector = new FakeConnector('orders', someOrders());
    const crashing = deps();
    jest.spyOn(crashing, 'put').mockRejectedValueOnce(new Error('simulated crash'));
    await expect(takeInventory(crashing, args(connector))).rejects.toThrow('simulated crash');
    connector.add(order(9));

    // Act
    const again = await takeInventory(deps(), args(connector));

    // Assess: nothing was erased yet, so deciding again on the store as it is now is right
    expect(again.counts.found).toBe(6);
    expect(s3.text(`${BUCKET}/${erasureDecisionsKey(REQUEST, 'orders')}`)?.split('\n')).toHaveLength(8);
  });

  it('reads a summary line longer than the first ranged read', async () => {
    // Prepare: a store whose masks overwrote some 2,000 distinct values (a 130 KiB summary line)
    const connector = new FakeConnector('orders', someOrders());
    await takeInventory(deps(), args(connector));
    const key = `${BUCKET}/${erasureDecisionsKey(REQUEST, 'orders')}`;
    const [line = '', ...decisions] = (s3.text(key) ?? '').split('\n');
    const summary = JSON.parse(line);
    const hashes = Array.from({ length: 2000 }, (_, n) =>
      createHash('sha256').update(`value ${n}`).digest('hex'),
    );
    const long = { ...summary, identifierHashes: [...summary.identifierHashes, ...hashes].sort() };
    s3.objects.set(key, Buffer.from([JSON.stringify(long), ...decisions].join('\n')));

    // Act
    const read = await readSummary(deps(), REQUEST, 'orders');

    // Assess
    expect(JSON.stringify(long).length).toBeGreaterThan(64 * 1024);
    expect(read).toEqual(long);
  });

  /** Rewrites the store's one object the way a manifest too large for memory is written: decisions, then the summary apart. */
  const asStreamed = (storeId: string, withSummary: boolean) => {
    const key = `${BUCKET}/${erasureDecisionsKey(REQUEST, storeId)}`;
    const [summaryLine, ...decisions] = (s3.text(key) ?? '').split('\n');
    s3.objects.set(key, Buffer.from(decisions.join('\n')));
    if (withSummary)
      s3.objects.set(`${BUCKET}/${erasureSummaryKey(REQUEST, storeId)}`, Buffer.from(summaryLine ?? ''));
  };

  it('reads and reuses a streamed manifest whose summary went up after it', async () => {
    // Prepare
    const connector = new FakeConnector('orders', someOrders());
    const first = await takeInventory(deps(), args(connector));
    asStreamed('orders', true);
    connector.add(order(9));

    // Act
    const again = await takeInventory(deps(), args(connector));

    // Assess
    expect(again).toEqual(first);
    await expect(readSummary(deps(), REQUEST, 'orders')).resolves.toEqual(first);
    const pages = [];
    for await (const page of readDecisions(deps(), REQUEST, 'orders')) pages.push(...page);
    expect(pages).toHaveLength(5);
  });

  it('takes the inventory again when a streamed manifest went up but its summary did not', async () => {
    const connector = new FakeConnector('orders', someOrders());
    await takeInventory(deps(), args(connector));
    asStreamed('orders', false);
    connector.add(order(9));

    await expect(readSummary(deps(), REQUEST, 'orders')).resolves.toBeUndefined();
    const again = await takeInventory(deps(), args(connector));

    expect(again.counts.found).toBe(6);
  });

  it('proves against the decisions it holds, after erasing in the same call, without reading them back', async () => {
    // Prepare
    const connector = new FakeConnector('orders', someOrders());
    const erased = await eraseStore(deps(), args(connector));
    const reads = s3.mock.commandCalls(GetObjectCommand).length;
    connector.add(order(7));

    // Act
    const proof = proveStoreErasure(deps(), { ...args(connector), settleDelaysMs: [] }, erased.inventory);

    // Assess: a real re-query, which finds the record erasure never decided on
    await expect(proof).rejects.toThrow(/store orders: .*1 record\(s\) or object\(s\) remain/);
    expect(s3.mock.commandCalls(GetObjectCommand).length).toBe(reads);
  });

  it('refuses a store whose connector cannot erase', async () => {
    const connector = new FakeConnector('orders', someOrders());
    Object.defineProperty(connector, 'erase', { value: undefined });

    await expect(eraseStore(deps(), args(connector))).rejects.toBeInstanceOf(UnsupportedErasureError);
  });

  it('hands nothing to the connector when every record is kept as it is (a store only retained), and says so', async () => {
    // Prepare: orders with nothing to mask, one of them held
    const plain = (n: number, status = 'paid'): FakeRecord => ({
      ref: { kind: 'dynamodb', key: { orderId: `ORD-${n}` } },
      data: { orderId: `ORD-${n}`, customerId: 'cus-1', status, amountIdr: 1000 * n },
    });
    const connector = new FakeConnector('orders', [plain(1), plain(2), plain(3, 'in_transit')]);
    const erase = jest.spyOn(connector, 'erase');

    // Act
    const result = await eraseStore(deps(), args(connector));

    // Assess
    expect(result.counts).toEqual({ found: 3, deleted: 0, masked: 0, retained: 2, held: 1 });
    expect(result.receipt).toEqual({ storeId: 'orders', deleted: 0, updated: 0, kept: 3 });
    expect(erase).not.toHaveBeenCalled();
    expect((await readSummary(deps(), REQUEST, 'orders'))?.changes).toBe(0);
    await expect(verifyStoreErasure(deps(), verifyArgs(connector))).resolves.toMatchObject({ remaining: 3 });
  });

  it('deletes S3 objects that survive only as old versions, so nothing stays recoverable', async () => {
    const line = (key: string, n: number): FakeRecord => ({
      ref: { kind: 's3', bucket: 'activity-bucket', key, line: n },
      data: { page: '/', ip: '10.0.0.1' },
    });
    const connector = new FakeConnector(
      'activity',
      [line('activity/cus-1/2026-03-01.jsonl', 1), line('activity/cus-1/2026-03-01.jsonl', 2)],
      { bucket: 'activity-bucket' },
    );
    connector.noncurrent.add('activity/cus-1/2026-02-01.jsonl');

    const result = await eraseStore(deps(), args(connector, activity));

    expect(result.counts).toEqual({ found: 3, deleted: 3, masked: 0, retained: 0, held: 0 });
    expect(connector.noncurrent.size).toBe(0);
    await expect(verifyStoreErasure(deps(), verifyArgs(connector, 'activity'))).resolves.toMatchObject({
      remaining: 0,
    });
  });
});

describe('proving an erasure by re-query', () => {
  it('passes when only the kept records remain, masked, and says how many remain', async () => {
    const connector = new FakeConnector('orders', someOrders());
    await eraseStore(deps(), args(connector));

    const result = await verifyStoreErasure(deps(), verifyArgs(connector));

    expect(result).toEqual({ storeId: 'orders', remaining: 5, verified: true });
  });

  it('fails when a record of the subject appears that erasure did not decide on', async () => {
    const connector = new FakeConnector('orders', someOrders());
    await eraseStore(deps(), args(connector));
    connector.add(order(7));

    const attempt = verifyStoreErasure(deps(), verifyArgs(connector));

    await expect(attempt).rejects.toBeInstanceOf(ErasureIncompleteError);
    await expect(attempt).rejects.toThrow(/store orders: .*1 record\(s\) or object\(s\) remain/);
  });

  it('fails when a masked field still holds the value it had, without naming the value', async () => {
    const connector = new FakeConnector('orders', someOrders());
    connector.ignoreUpdates = true;
    await eraseStore(deps(), args(connector));

    const attempt = verifyStoreErasure(deps(), verifyArgs(connector));

    await expect(attempt).rejects.toThrow(/4 kept record\(s\) still hold fields/);
    const message = await attempt.catch((e: Error) => e.message);
    for (const value of [EMAIL, NAME, PHONE, ADDRESS]) expect(message).not.toContain(value);
  });

  it("fails when a kept record holds the subject's phone in a field the data map does not mask", async () => {
    const connector = new FakeConnector('orders', someOrders());
    await eraseStore(deps(), args(connector));
    const kept = connector.records.get('dynamodb:[["orderId","ORD-2"]]');
    if (!kept) throw new Error('order 2 is gone');
    kept.data.note = '+62 811-0000-001';

    await expect(verifyStoreErasure(deps(), verifyArgs(connector))).rejects.toThrow(
      /1 kept record\(s\) still contain an identifier/,
    );
  });

  it("fails, in the same call as the erasure, when a kept record holds the subject's phone written another way", async () => {
    const connector = new FakeConnector('orders', someOrders());
    const erased = await eraseStore(deps(), args(connector));
    const kept = connector.records.get('dynamodb:[["orderId","ORD-2"]]');
    if (!kept) throw new Error('order 2 is gone');
    kept.data.note = '+62 811-0000-001';

    const proof = proveStoreErasure(deps(), { ...args(connector), settleDelaysMs: [] }, erased.inventory);

    await expect(proof).rejects.toThrow(/1 kept record\(s\) still contain an identifier/);
  });

  it('leaves a held record alone: it is kept untouched on purpose', async () => {
    const connector = new FakeConnector('orders', [order(3, 'in_transit')]);
    await eraseStore(deps(), args(connector));

    await expect(verifyStoreErasure(deps(), verifyArgs(connector))).resolves.toMatchObject({ remaining: 1 });
  });

  it('fails when an old version of an erased S3 object is still there', async () => {
    const key = 'activity/cus-1/2026-03-01.jsonl';
    const connector = new FakeConnector(
      'activity',
      [{ ref: { kind: 's3', bucket: 'activity-bucket', key, line: 1 }, data: { page: '/' } }],
      { bucket: 'activity-bucket' },
    );
    await eraseStore(deps(), args(connector, activity));
    connector.noncurrent.add(key);

    await expect(verifyStoreErasure(deps(), verifyArgs(connector, 'activity'))).rejects.toThrow(
      /1 old version\(s\) or delete marker\(s\) remain/,
    );
  });

  it('passes when a read that lagged behind the erasure catches up before the last look', async () => {
    const connector = new FakeConnector('orders', someOrders());
    await eraseStore(deps(), args(connector));
    const current = connector.export.bind(connector);
    let looks = 0;
    connector.export = async function* (subject) {
      looks += 1;
      // The first look still sees a deleted record, as a DynamoDB index can just after a write.
      if (looks === 1) yield [order(8)];
      yield* current(subject);
    };

    const result = await verifyStoreErasure(deps(), { ...verifyArgs(connector), settleDelaysMs: [1, 1] });

    expect(result.remaining).toBe(5);
    expect(looks).toBe(2);
  });

  it('fails when the store was never inventoried', async () => {
    await expect(
      verifyStoreErasure(deps(), verifyArgs(new FakeConnector('orders', someOrders()))),
    ).rejects.toBeInstanceOf(ErasureIncompleteError);
  });
});
