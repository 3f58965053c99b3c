import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type DataStore, dataStoreOf, MASK_VALUE, parseDataMap } from '../../functions/core/data-map';
import { generalised } from '../../functions/core/erasure/decisions';
import type { LedgerRecord, StoreProgress } from '../../functions/core/ledger-record';
import type { Connector, ExportedRecord, Mail, RequestLedger } from '../../functions/core/ports';
import { PhoneNumber, SubmitRequestBody } from '../../functions/core/request-bodies';
import { changeStore, confirmChange, fieldsToChange } from '../../functions/core/requests/change';

const dataMap = parseDataMap(
  JSON.parse(readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8')),
);
const at = '2026-12-01T00:02:00.000Z';
const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function record(overrides: Partial<LedgerRecord>): LedgerRecord {
  return {
    requestId: '20261201-restrict-abcdefghij',
    type: 'restrict',
    status: 'in_progress',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-12-01T00:00:00.000Z',
    dueAt: '2026-12-04T00:00:00.000Z',
    updatedAt: at,
    subjectHash: 'a'.repeat(64),
    statusTokenHash: 'b'.repeat(64),
    contact: { email: 'someone@example.com' },
    identities: { email: ['someone@example.com'], customerId: ['cus-1'] },
    history: [{ status: 'in_progress', at }],
    ...overrides,
  };
}

/** A ledger holding one record, keeping store progress as the real one does. */
function fakeLedger(entry: LedgerRecord, failAdvances = 0) {
  const progress: Record<string, StoreProgress> = {};
  let claimed = false;
  let status = entry.status;
  let failures = failAdvances;
  const current = () => ({ ...entry, status, stores: { ...progress } });
  const ledger = {
    require: async () => current(),
    get: async () => current(),
    // Completion, as the table does it; the first `failAdvances` writes fail as a throttled DynamoDB would.
    advance: async () => {
      if (failures-- > 0) throw Object.assign(new Error('throttled'), { name: 'TransientError' });
      const already = status === 'completed';
      status = 'completed';
      return { status, already };
    },
    minimise: async () => undefined,
    status: () => status,
    setStoreProgress: async (_: string, storeId: string, p: StoreProgress) => {
      progress[storeId] = p;
    },
    claimOutcomeMail: async () => {
      if (claimed) return false;
      claimed = true;
      return true;
    },
    releaseOutcomeMail: async () => {
      claimed = false;
    },
  };
  return { ledger: ledger as unknown as RequestLedger & typeof ledger, progress };
}

/** A store of one record; `writes` false makes `update` answer without writing (a store that lies). */
function fakeConnector(store: DataStore, data: Record<string, unknown>, writes = true): Connector {
  return {
    storeId: store.id,
    locate: async function* () {},
    export: async function* () {
      yield [
        { ref: { kind: 'dynamodb', key: { customerId: 'cus-1' } }, data: { ...data } } as ExportedRecord,
      ];
    },
    update: async (_, fields) => {
      if (writes) Object.assign(data, fields);
      return { storeId: store.id, updated: 1 };
    },
  };
}

describe('which fields a change writes, from the data map', () => {
  it('restricts with the flag, time and request id, and lifts with the flag off', () => {
    const customers = dataStoreOf(dataMap, 'customers');
    expect(fieldsToChange(customers, record({}), at)).toEqual({
      processingRestricted: true,
      restrictedAt: at,
      restrictionRequestId: '20261201-restrict-abcdefghij',
    });
    expect(fieldsToChange(customers, record({ type: 'lift_restriction' }), at)).toMatchObject({
      processingRestricted: false,
    });
    expect(fieldsToChange(dataStoreOf(dataMap, 'orders'), record({}), at)).toBeUndefined();
  });

  it('withdraws only the purposes named, marketing through its consent fields', () => {
    const prefs = dataStoreOf(dataMap, 'marketing-preferences');
    const analytics = fieldsToChange(
      prefs,
      record({ type: 'withdraw_consent', purposes: ['analytics'] }),
      at,
    );
    expect(analytics).toEqual({
      analyticsCookies: false,
      analyticsConsentWithdrawnAt: at,
      analyticsConsentWithdrawnRequestId: '20261201-restrict-abcdefghij',
    });
    const marketing = fieldsToChange(
      prefs,
      record({ type: 'withdraw_consent', purposes: ['marketing'] }),
      at,
    );
    expect(marketing).toMatchObject({ emailOptIn: false, smsOptIn: false, advertisingCookies: false });
    expect(marketing).not.toHaveProperty('analyticsCookies');
  });

  it('maps each corrected attribute onto the fields the store declares, and nothing onto a store that keeps its records', () => {
    const rectify = record({
      type: 'rectify',
      contact: {
        email: 'someone@example.com',
        corrections: { address: 'Jl. Baru 1', companyName: 'PT Baru' },
      },
    });
    expect(fieldsToChange(dataStoreOf(dataMap, 'customers'), rectify, at)).toEqual({
      businessAddress: 'Jl. Baru 1',
      businessName: 'PT Baru',
    });
    expect(fieldsToChange(dataStoreOf(dataMap, 'orders'), rectify, at)).toBeUndefined();
  });
});

describe('ChangeStore', () => {
  it('fails as not proven, with the store marked failed, when the re-query finds the old values', async () => {
    const store = dataStoreOf(dataMap, 'customers');
    const { ledger, progress } = fakeLedger(record({}));
    const connector = fakeConnector(store, { processingRestricted: false }, false);
    await expect(
      changeStore({ ledger, connectorFor: () => connector, log }, dataMap, {
        requestId: '20261201-restrict-abcdefghij',
        storeId: 'customers',
      }),
    ).rejects.toMatchObject({ name: 'ChangeNotProven' });
    expect(progress.customers?.status).toBe('failed');
  });

  it('refuses a store whose connector cannot change records, so support hears of it', async () => {
    const store = dataStoreOf(dataMap, 'customers');
    const { ledger } = fakeLedger(record({}));
    const { update: _, ...readOnly } = fakeConnector(store, {});
    await expect(
      changeStore({ ledger, connectorFor: () => readOnly, log }, dataMap, {
        requestId: '20261201-restrict-abcdefghij',
        storeId: 'customers',
      }),
    ).rejects.toMatchObject({ name: 'ChangeUnsupported' });
  });

  it('counts the records a correction keeps as they were', async () => {
    const store = dataStoreOf(dataMap, 'orders');
    const rectify = record({
      type: 'rectify',
      contact: { email: 'someone@example.com', corrections: { phone: '+6281234567890' } },
    });
    const { ledger, progress } = fakeLedger(rectify);
    const result = await changeStore({ ledger, connectorFor: () => fakeConnector(store, {}), log }, dataMap, {
      requestId: rectify.requestId,
      storeId: 'orders',
    });
    expect(result).toEqual({ storeId: 'orders', updated: 0, kept: 1, skipped: false });
    expect(progress.orders).toEqual({ status: 'completed', records: 0, kept: 1 });
  });
});

describe('ConfirmChange', () => {
  it('emails once, however often the task runs', async () => {
    const { ledger } = fakeLedger(record({}));
    const sent: Mail[] = [];
    const ports = { ledger, mailer: { send: async (m: Mail) => void sent.push(m) }, log };
    await confirmChange(ports, dataMap, '20261201-restrict-abcdefghij');
    await confirmChange(ports, dataMap, '20261201-restrict-abcdefghij');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe('Processing of your data is restricted / Pemrosesan data Anda dibatasi');
  });
  it('completes the request on a retry after its completion write failed, without a second email', async () => {
    const { ledger } = fakeLedger(record({}), 1);
    const sent: Mail[] = [];
    const ports = { ledger, mailer: { send: async (m: Mail) => void sent.push(m) }, log };
    await expect(confirmChange(ports, dataMap, '20261201-restrict-abcdefghij')).rejects.toMatchObject({
      name: 'TransientError',
    });
    await confirmChange(ports, dataMap, '20261201-restrict-abcdefghij');
    expect(sent).toHaveLength(1);
    expect(ledger.status()).toBe('completed');
  });
});

describe('corrected values', () => {
  it.each([
    ['0812-3456-7890', '+6281234567890'],
    ['62 812 3456 7890', '+6281234567890'],
    ['+1 (415) 555-0100', '+14155550100'],
  ])('normalises the phone %s to E.164', (raw, e164) => {
    expect(PhoneNumber.parse(raw)).toBe(e164);
  });

  it('refuses a name longer than 200 characters and a line break in an address', () => {
    const base = { type: 'rectify', email: 'someone@example.com' };
    expect(SubmitRequestBody.safeParse({ ...base, corrections: { fullName: 'a'.repeat(201) } }).success).toBe(
      false,
    );
    expect(SubmitRequestBody.safeParse({ ...base, corrections: { address: 'Jl. A\nJl. B' } }).success).toBe(
      false,
    );
  });
});

describe('anonymising a field by generalising it', () => {
  it.each([
    ['Jl. Contoh 1, Jakarta 10110', 'postcode_region', '10xxx'],
    ['10xxx', 'postcode_region', '10xxx'],
    ['Jl. Tanpa Kode Pos', 'postcode_region', MASK_VALUE],
    ['2025-03-14T09:30:00.000Z', 'month', '2025-03'],
    ['2025-03', 'month', '2025-03'],
    ['2025-03-14', 'year', '2025'],
    ['not a date', 'year', MASK_VALUE],
  ] as const)('turns %s into %s as %s, and the result into itself', (value, to, expected) => {
    expect(generalised(value, to)).toBe(expected);
    expect(generalised(generalised(value, to), to)).toBe(expected);
  });

  it('refuses anonymise as what happens to a whole record', () => {
    const map = JSON.parse(readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'));
    map.stores[0].erasure.default = { action: 'anonymise', generalise: 'month' };
    expect(() => parseDataMap(map)).toThrow(/stores\.0\.erasure\.default\.action/);
  });
});
