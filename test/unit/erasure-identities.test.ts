/**
 * Issue 18, finding 4: only verified or resolved identities drive erasure.
 * The name and phone typed into the form are unverified free text: they are
 * compared only with the fields the data map declares as holding a name or a
 * phone (`contactFields`), never with every value of every kept record.
 */
import { createHash } from 'node:crypto';
import { type DynamoDbStore, dataMapSchemas } from '../../functions/core/data-map';
import { eraseStore } from '../../functions/core/erasure/erase';
import { verifyStoreErasure } from '../../functions/core/erasure/verify';
import { PROCESSING_FIELDS } from '../support/data-map-fixtures';
import { FakeConnector, type FakeRecord, memoryS3 } from '../support/erasure-fakes';

const REQUEST = '20260315-delete-abcdefgh23';
const KEY = createHash('sha256').update('erasure identities test key').digest();
const NOW = new Date('2026-03-15T10:00:00Z');
const subject = { identities: { email: ['budi@example.test'], customerId: ['cus-1'] } };
const BASIS = 'Indonesian tax bookkeeping retention: UU KUP Art. 28(11)';

const orders = dataMapSchemas().StoreConfig.parse({
  id: 'orders',
  kind: 'dynamodb',
  description: 'Orders',
  categories: ['transaction'],
  ...PROCESSING_FIELDS,
  table: 'orders-table',
  primaryKey: { partitionKey: 'orderId' },
  locate: { identity: 'customerId', partitionKey: 'customerId' },
  erasure: {
    default: { action: 'retain', legalBasis: BASIS, retentionDays: 3653 },
    fields: { recipientName: { action: 'mask' } },
  },
}) as DynamoDbStore;

/** A thread shared by two people: a name is masked only when it is the subject's. */
const thread = (contactFields?: object) =>
  dataMapSchemas().StoreConfig.parse({
    id: 'threads',
    kind: 'dynamodb',
    description: 'Shared threads',
    categories: ['communication'],
    ...PROCESSING_FIELDS,
    table: 'threads-table',
    primaryKey: { partitionKey: 'threadId' },
    locate: { identity: 'customerId', partitionKey: 'customerId' },
    ...(contactFields ? { contactFields } : {}),
    erasure: {
      default: { action: 'retain', legalBasis: BASIS, retentionDays: 30 },
      fields: {
        otherParty: { action: 'mask', onlyIfSubject: true },
        topic: { action: 'mask', onlyIfSubject: true },
      },
    },
  }) as DynamoDbStore;

const order = (n: number): FakeRecord => ({
  ref: { kind: 'dynamodb', key: { orderId: `ORD-${n}` } },
  data: { orderId: `ORD-${n}`, customerId: 'cus-1', status: 'delivered', recipientName: 'Budi' },
});
const message: FakeRecord = {
  ref: { kind: 'dynamodb', key: { threadId: 'T-1' } },
  data: { threadId: 'T-1', customerId: 'cus-1', otherParty: 'delivered', topic: 'delivered' },
};

let s3: ReturnType<typeof memoryS3>;
beforeEach(() => {
  s3 = memoryS3();
});
afterEach(() => s3.mock.restore());

describe('identities that drive erasure', () => {
  it('proves a delete whose typed name is "delivered" although kept orders have status "delivered"', async () => {
    // Prepare
    const connector = new FakeConnector('orders', [order(1), order(2)]);
    const contact = { email: 'budi@example.test', fullName: 'delivered', phone: '+62 811 0000 001' };

    // Act
    await eraseStore(s3.store('dsr-exports'), {
      requestId: REQUEST,
      store: orders,
      connector,
      subject,
      contact,
      hashingKey: KEY,
      now: NOW,
    });
    const proof = verifyStoreErasure(s3.store('dsr-exports'), {
      requestId: REQUEST,
      storeId: 'orders',
      connector,
      subject,
      hashingKey: KEY,
      settleDelaysMs: [],
    });

    // Assess
    await expect(proof).resolves.toMatchObject({ verified: true, remaining: 2 });
    expect(connector.records.get('dynamodb:[["orderId","ORD-1"]]')?.data).toMatchObject({
      status: 'delivered',
      recipientName: '[erased]',
    });
  });

  it('masks a shared field by the typed name only where the data map declares that field as a name', async () => {
    const contact = { email: 'budi@example.test', fullName: 'delivered' };
    const erase = async (store: DynamoDbStore) => {
      const connector = new FakeConnector('threads', [message]);
      await eraseStore(s3.store('dsr-exports'), {
        requestId: REQUEST,
        store,
        connector,
        subject,
        contact,
        hashingKey: KEY,
        now: NOW,
      });
      return connector.records.get('dynamodb:[["threadId","T-1"]]')?.data;
    };

    // Act
    const undeclared = await erase(thread());
    s3.mock.restore();
    s3 = memoryS3();
    const declared = await erase(thread({ fullName: ['otherParty'] }));

    // Assess
    expect(undeclared).toMatchObject({ otherParty: 'delivered', topic: 'delivered' });
    expect(declared).toMatchObject({ otherParty: '[erased]', topic: 'delivered' });
  });
});
