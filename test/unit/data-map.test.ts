import demoJson from '../../config/impor-in.data-map.json';
import {
  bindStores,
  DataMapError,
  dataStoreOf,
  isDataStore,
  isProcessor,
  parseDataMap,
  processorOf,
  UnknownStoreError,
} from '../../functions/core/data-map';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const dataMap = loadDemoDataMap();

type Json = Record<string, unknown>;
const stores = (demoJson as { stores: Json[] }).stores;
const logistics = stores.find((s) => s.id === 'logistics') as Json;

/** The demo data map with the logistics processor changed (or other stores added). */
function withLogistics(change: Json, extra: Json[] = []): unknown {
  return {
    ...demoJson,
    stores: [...stores.map((s) => (s.id === 'logistics' ? { ...s, ...change } : s)), ...extra],
  };
}

function problemsOf(input: unknown): string {
  try {
    parseDataMap(input);
  } catch (error) {
    if (error instanceof DataMapError) return error.message;
    throw error;
  }
  return '';
}

describe('processors in the data map', () => {
  it('lists the logistics company and the payment gateway as processors next to the data stores', () => {
    // Act
    const processors = dataMap.stores.filter(isProcessor);

    // Assess
    expect(processors.map((p) => [p.id, p.name, p.requestTypes])).toEqual([
      [
        'logistics',
        'Kirim Cepat Logistics',
        ['access', 'delete', 'opt_out', 'rectify', 'restrict', 'lift_restriction'],
      ],
      ['payments', 'BayarKu Payment Gateway', ['delete', 'opt_out', 'restrict', 'lift_restriction']],
    ]);
    expect(processors.every((p) => p.acknowledgeWithinSeconds === 3 * 24 * 3600)).toBe(true);
    expect(dataMap.stores.filter(isDataStore).map((s) => s.id)).toEqual([
      'customers',
      'orders',
      'messages',
      'marketing-preferences',
      'activity',
      'documents',
    ]);
  });

  it('gives a processor four attempts starting at 500 ms when the data map sets no retry', () => {
    expect(processorOf(dataMap, 'payments').retry).toEqual({ attempts: 4, baseDelayMs: 500 });
  });

  it('refuses a processor with an erasure policy, provides or marketing consent fields', () => {
    // Prepare
    const extras: Json[] = [
      { erasure: { default: { action: 'delete' } } },
      { provides: { customerId: 'customerId' } },
      { marketingConsentFields: ['emailOptIn'] },
    ];

    // Act / Assess
    for (const extra of extras) expect(problemsOf(withLogistics(extra))).toMatch(/stores\.6/);
  });

  it('refuses a processor sent an identity no store provides', () => {
    const map = withLogistics({ identifiers: ['phone'] }) as { stores: Json[] };
    // Without the customers store's phone, nothing provides one.
    map.stores = map.stores.map((s) =>
      s.id === 'customers' ? { ...s, provides: { customerId: 'customerId' } } : s,
    );
    expect(problemsOf(map)).toContain(
      'stores.6.identifiers.0: processor "logistics" is sent phone, but no store provides it',
    );
  });

  it('refuses a processor whose endpoint is not a URL, secret name has spaces or country is not a code', () => {
    // Act
    const problems = [
      problemsOf(withLogistics({ endpoint: 'not a url' })),
      problemsOf(withLogistics({ secretName: 'dsr partners' })),
      problemsOf(withLogistics({ country: 'Indonesia' })),
      problemsOf(withLogistics({ requestTypes: [] })),
      problemsOf(withLogistics({ requestTypes: ['export'] })),
      problemsOf(withLogistics({ acknowledgeWithinSeconds: 0 })),
      problemsOf(withLogistics({ retry: { attempts: 11, baseDelayMs: 500 } })),
    ];

    // Assess
    expect(problems[0]).toContain('stores.6.endpoint');
    expect(problems[1]).toContain('stores.6.secretName');
    expect(problems[2]).toContain('stores.6.country');
    expect(problems[3]).toContain('stores.6.requestTypes');
    expect(problems[4]).toContain('stores.6.requestTypes');
    expect(problems[5]).toContain('stores.6.acknowledgeWithinSeconds');
    expect(problems[6]).toContain('stores.6.retry.attempts');
  });

  it('refuses a processor whose id is already a data store', () => {
    expect(problemsOf(withLogistics({ id: 'orders' }))).toContain('duplicate store id "orders"');
  });

  it('finds data stores and processors by id, and refuses one asked for as the other', () => {
    // Act / Assess
    expect(dataStoreOf(dataMap, 'orders').kind).toBe('dynamodb');
    expect(processorOf(dataMap, 'logistics').endpoint).toBe(
      'https://api.kirimcepat.example/v1/privacy-requests',
    );
    expect(() => dataStoreOf(dataMap, 'logistics')).toThrow(UnknownStoreError);
    expect(() => processorOf(dataMap, 'orders')).toThrow(UnknownStoreError);
    expect(() => processorOf(dataMap, 'nowhere')).toThrow(UnknownStoreError);
  });

  it('points a processor at another endpoint through a store binding, as the local runtime does', () => {
    // Act
    const bound = bindStores(dataMap, {
      logistics: 'http://127.0.0.1:3100/partners/logistics/dsr',
      orders: 'orders-table-1',
    });

    // Assess
    expect(processorOf(bound, 'logistics').endpoint).toBe('http://127.0.0.1:3100/partners/logistics/dsr');
    expect(processorOf(bound, 'payments').endpoint).toBe(processorOf(dataMap, 'payments').endpoint);
    const orders = dataStoreOf(bound, 'orders');
    expect(orders.kind === 'dynamodb' && orders.table).toBe('orders-table-1');
  });

  it('refuses a processor binding that is not a URL', () => {
    expect(() => bindStores(dataMap, { logistics: 'impor-logistics' })).toThrow(DataMapError);
  });

  it('still validates a data map without processors', () => {
    // Prepare
    const dataOnly = { ...demoJson, stores: stores.filter((s) => s.kind !== 'processor') };

    // Act / Assess
    expect(parseDataMap(dataOnly).stores.some(isProcessor)).toBe(false);
  });
});

describe('the demo processor entry', () => {
  it('is valid JSON the schema accepts as it stands', () => {
    expect(logistics.kind).toBe('processor');
    expect(problemsOf(demoJson)).toBe('');
  });
});

describe('what each store says for the processing record', () => {
  /** The demo data map with one field taken out of one store. */
  function without(storeId: string, field: string): unknown {
    return {
      ...demoJson,
      stores: stores.map((s) =>
        s.id === storeId ? Object.fromEntries(Object.entries(s).filter(([k]) => k !== field)) : s,
      ),
    };
  }

  it.each(['purposes', 'legalBasis', 'retention', 'source', 'recipients'])(
    'refuses a data store or a processor without %s, naming the store and the field',
    (field) => {
      expect(problemsOf(without('messages', field))).toContain(
        `stores.2.${field}: store "messages" has no ${field} (required)`,
      );
      expect(problemsOf(without('payments', field))).toContain(
        `stores.7.${field}: store "payments" has no ${field} (required)`,
      );
    },
  );

  it('refuses a purpose, legal basis or source outside the policy and UU PDP, and a retention it cannot read', () => {
    // Prepare
    const orders = stores.find((s) => s.id === 'orders') as Json;
    const withOrders = (change: Json) => ({
      ...demoJson,
      stores: stores.map((s) => (s.id === 'orders' ? { ...s, ...change } : s)),
    });

    // Act
    const problems = [
      problemsOf(withOrders({ purposes: [] })),
      problemsOf(withOrders({ purposes: ['resale'] })),
      problemsOf(withOrders({ legalBasis: 'because' })),
      problemsOf(withOrders({ source: 'scraped' })),
      problemsOf(withOrders({ retention: { period: '10 years', basedOn: 'UU KUP Art. 28(11)' } })),
      problemsOf(withOrders({ retention: { period: 'PT10H', basedOn: 'UU KUP Art. 28(11)' } })),
      problemsOf(withOrders({ retention: { period: 'P10Y' } })),
    ];

    // Assess
    expect(orders.legalBasis).toBe('contract');
    expect(problems[0]).toContain('stores.1.purposes: must name at least one purpose');
    expect(problems[1]).toContain('stores.1.purposes.0');
    expect(problems[2]).toContain('stores.1.legalBasis');
    expect(problems[3]).toContain('stores.1.source');
    expect(problems[4]).toContain('stores.1.retention.period: must be an ISO 8601 duration such as P10Y');
    expect(problems[5]).toContain('stores.1.retention.period');
    expect(problems[6]).toContain(
      'stores.1.retention.basedOn: store "orders" has no retention.basedOn (required)',
    );
  });

  it('accepts periods in years, months, weeks and days, and "as long as necessary"', () => {
    for (const period of ['P10Y', 'P1Y6M', 'P2W', 'P90D', 'as_long_as_necessary']) {
      expect(
        problemsOf(withLogistics({ retention: { period, basedOn: 'Processing agreement, clause 9' } })),
      ).toBe('');
    }
  });

  it('refuses a processor outside Indonesia without a transfer safeguard, and accepts it with one', () => {
    expect(problemsOf(withLogistics({ country: 'SG' }))).toContain(
      'stores.6.transferSafeguard: processor "logistics" is in SG, outside Indonesia',
    );
    expect(
      problemsOf(
        withLogistics({
          country: 'SG',
          transferSafeguard: 'Standard contractual clauses in the processing agreement',
        }),
      ),
    ).toBe('');
  });

  it('refuses a data map without the controller’s privacy contact', () => {
    const { contact: _dropped, ...noContact } = demoJson;
    expect(problemsOf(noContact)).toContain('contact');
    expect(problemsOf({ ...demoJson, contact: 'privacy desk' })).toContain(
      'contact: must be the email address for privacy questions',
    );
  });

  it('says for the demo that orders and documents are kept 10 years under the tax law, and names the privacy contact', () => {
    expect(dataMap.contact).toBe('admin@impor.in');
    for (const id of ['orders', 'documents']) {
      const store = dataStoreOf(dataMap, id);
      expect(store.retention.period).toBe('P10Y');
      expect(store.retention.basedOn).toContain('UU KUP');
      expect(store.erasure.default).toMatchObject({ action: 'retain', retentionDays: 3653 });
    }
    expect(dataStoreOf(dataMap, 'activity')).toMatchObject({
      source: 'generated_by_service',
      legalBasis: 'consent',
    });
  });
});
