import { type DynamoDbStore, dataMapSchemas, MASK_VALUE, type S3Store } from '../../functions/core/data-map';
import { countOutcomes, decideErasure } from '../../functions/core/erasure/decisions';
import type { RecordRef } from '../../functions/core/ports';
import { PROCESSING_FIELDS } from '../support/data-map-fixtures';

const NOW = new Date('2026-03-15T10:00:00Z');
const ref: RecordRef = { kind: 'dynamodb', key: { orderId: 'ORD-1' } };
const SUBJECT = ['budi@example.test', 'cus-1'];
const BASIS = 'Indonesian tax bookkeeping retention: UU KUP Art. 28(11)';

function dynamo(erasure: unknown, overrides: Partial<DynamoDbStore> = {}): DynamoDbStore {
  return dataMapSchemas().StoreConfig.parse({
    id: 'orders',
    kind: 'dynamodb',
    description: 'Orders',
    categories: ['transaction'],
    ...PROCESSING_FIELDS,
    table: 'orders-table',
    primaryKey: { partitionKey: 'orderId' },
    locate: { identity: 'customerId', partitionKey: 'customerId', index: 'byCustomer' },
    erasure,
    ...overrides,
  }) as DynamoDbStore;
}

const openOrderHold = {
  reason: 'open_order',
  description: { en: 'Open orders are kept until settled.', id: 'Pesanan terbuka disimpan sampai lunas.' },
  when: { field: 'status', in: ['in_transit', 'unpaid'] },
};

const order = {
  orderId: 'ORD-1',
  customerId: 'cus-1',
  status: 'paid',
  amountIdr: 150000,
  recipientName: 'Budi Example',
  recipientPhone: '+628110000001',
  paymentCardLast4: '4242',
};

describe('erasure decisions', () => {
  it('keeps a record untouched when a hold matches, before any other policy', () => {
    const store = dynamo({ default: { action: 'delete' }, holds: [openOrderHold] });

    const decision = decideErasure(store, { ref, data: { ...order, status: 'in_transit' } }, SUBJECT, NOW);

    expect(decision).toEqual({ ref, outcome: 'held', action: { kind: 'keep' }, holdReason: 'open_order' });
  });

  it('erases a record whose status the hold does not name', () => {
    const store = dynamo({ default: { action: 'delete' }, holds: [openOrderHold] });

    expect(decideErasure(store, { ref, data: order }, SUBJECT, NOW).outcome).toBe('deleted');
  });

  it('holds every record of a store under a hold without a condition', () => {
    const { when: _when, ...storeWide } = openOrderHold;
    const store = dynamo({ default: { action: 'delete' }, holds: [{ ...storeWide, reason: 'litigation' }] });

    const decision = decideErasure(store, { ref, data: order }, SUBJECT, NOW);

    expect(decision.outcome).toBe('held');
    expect(decision.holdReason).toBe('litigation');
  });

  it('deletes the whole record under a default of delete', () => {
    const store = dynamo({ default: { action: 'delete' } });

    expect(decideErasure(store, { ref, data: order }, SUBJECT, NOW)).toEqual({
      ref,
      outcome: 'deleted',
      action: { kind: 'delete' },
    });
  });

  it('masks every non-key field under a default of mask, and never the keys', () => {
    const store = dynamo({ default: { action: 'mask' } });

    const decision = decideErasure(store, { ref, data: order }, SUBJECT, NOW);

    expect(decision.outcome).toBe('masked');
    expect(decision.action).toEqual({
      kind: 'update',
      set: {
        status: MASK_VALUE,
        amountIdr: MASK_VALUE,
        recipientName: MASK_VALUE,
        recipientPhone: MASK_VALUE,
        paymentCardLast4: MASK_VALUE,
      },
      remove: [],
    });
  });

  it('never masks the table key or the lookup key, even when the data map lists them', () => {
    const store = dynamo({
      default: { action: 'mask' },
      fields: { orderId: { action: 'mask' }, customerId: { action: 'delete' } },
    });

    const decision = decideErasure(store, { ref, data: order }, SUBJECT, NOW);

    if (decision.action.kind !== 'update') throw new Error('expected an update');
    expect(decision.action.set).not.toHaveProperty('orderId');
    expect(decision.action.set).not.toHaveProperty('customerId');
    expect(decision.action.remove).toEqual([]);
  });

  it('retains the record with its legal basis and a retention end of erasure date plus retentionDays', () => {
    const store = dynamo({
      default: { action: 'retain', legalBasis: BASIS, retentionDays: 3653 },
      fields: {
        recipientName: { action: 'mask' },
        recipientPhone: { action: 'mask', with: '[redacted]' },
        paymentCardLast4: { action: 'delete' },
      },
    });

    const decision = decideErasure(store, { ref, data: order }, SUBJECT, NOW);

    expect(decision).toEqual({
      ref,
      outcome: 'retained',
      action: {
        kind: 'update',
        set: { recipientName: MASK_VALUE, recipientPhone: '[redacted]' },
        remove: ['paymentCardLast4'],
      },
      legalBasis: BASIS,
      retainedUntil: '2036-03-15',
    });
  });

  it('retains a record with nothing to change as a plain keep', () => {
    const store = dynamo({ default: { action: 'retain', legalBasis: BASIS, retentionDays: 30 } });

    const decision = decideErasure(store, { ref, data: order }, SUBJECT, NOW);

    expect(decision.action).toEqual({ kind: 'keep' });
    expect(decision.retainedUntil).toBe('2026-04-14');
  });

  it("masks only the subject's own value in a record shared with another person", () => {
    const store = dynamo(
      {
        default: { action: 'retain', legalBasis: BASIS, retentionDays: 365 },
        fields: {
          from: { action: 'mask', onlyIfSubject: true },
          to: { action: 'mask', onlyIfSubject: true },
        },
      },
      { id: 'threads' },
    );
    const thread = {
      orderId: 'T-1',
      customerId: 'cus-1',
      from: ' Budi@Example.test ',
      to: 'sari@example.test',
    };

    const decision = decideErasure(store, { ref, data: thread }, SUBJECT, NOW);

    expect(decision.action).toEqual({ kind: 'update', set: { from: MASK_VALUE }, remove: [] });
  });

  it('decides the same again on a record an earlier pass already masked, so a retry changes nothing', () => {
    const store = dynamo({
      default: { action: 'retain', legalBasis: BASIS, retentionDays: 3653 },
      fields: { recipientName: { action: 'mask' }, paymentCardLast4: { action: 'delete' } },
    });
    const first = decideErasure(store, { ref, data: order }, SUBJECT, NOW);
    if (first.action.kind !== 'update') throw new Error('expected an update');
    const { paymentCardLast4: _removed, ...afterFirst } = { ...order, ...first.action.set };

    const second = decideErasure(store, { ref, data: afterFirst }, SUBJECT, NOW);

    expect(second.outcome).toBe(first.outcome);
    expect(second.retainedUntil).toBe(first.retainedUntil);
    const after = second.action.kind === 'update' ? { ...afterFirst, ...second.action.set } : afterFirst;
    expect(after).toEqual(afterFirst);
    expect(second.action.kind === 'update' ? second.action.remove : []).toEqual([]);
  });

  it('lets an S3 binary store only delete or retain whole objects', () => {
    const binary = {
      id: 'documents',
      kind: 's3',
      description: 'Documents',
      categories: ['transaction'],
      ...PROCESSING_FIELDS,
      bucket: 'docs-bucket',
      prefix: 'documents/{customerId}/',
      format: 'binary',
    };
    expect(() =>
      dataMapSchemas().StoreConfig.parse({ ...binary, erasure: { default: { action: 'mask' } } }),
    ).toThrow();
    const store = dataMapSchemas().StoreConfig.parse({
      ...binary,
      erasure: { default: { action: 'retain', legalBasis: BASIS, retentionDays: 10 } },
    }) as S3Store;
    const object: RecordRef = { kind: 's3', bucket: 'docs-bucket', key: 'documents/cus-1/a.pdf' };

    const decision = decideErasure(store, { ref: object, data: { name: 'a.pdf', size: 3 } }, SUBJECT, NOW);

    expect(decision.action).toEqual({ kind: 'keep' });
    expect(decision.outcome).toBe('retained');
  });

  it('counts every decision once, by outcome', () => {
    expect(
      countOutcomes([
        { outcome: 'deleted' },
        { outcome: 'held' },
        { outcome: 'deleted' },
        { outcome: 'masked' },
      ]),
    ).toEqual({ found: 4, deleted: 2, masked: 1, retained: 0, held: 1 });
  });
});

describe('erasure decisions once the retention has ended', () => {
  const retainOrders = {
    default: { action: 'retain', legalBasis: BASIS, retentionDays: 3653 },
    fields: { recipientName: { action: 'mask' } },
    holds: [openOrderHold],
  };
  const ended = { retentionEnded: true };

  it('deletes a record its store retains, instead of keeping it masked', () => {
    const store = dynamo(retainOrders);

    expect(decideErasure(store, { ref, data: order }, SUBJECT, NOW, ended)).toEqual({
      ref,
      outcome: 'deleted',
      action: { kind: 'delete' },
    });
  });

  it('still keeps a held record untouched', () => {
    const store = dynamo(retainOrders);

    const decision = decideErasure(store, { ref, data: { ...order, status: 'unpaid' } }, SUBJECT, NOW, ended);

    expect(decision).toEqual({ ref, outcome: 'held', action: { kind: 'keep' }, holdReason: 'open_order' });
  });

  it('leaves records of a masking store masked: only retention ends', () => {
    const store = dynamo({ default: { action: 'mask' } });

    expect(decideErasure(store, { ref, data: order }, SUBJECT, NOW, ended).outcome).toBe('masked');
  });
});
