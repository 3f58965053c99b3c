import type { HistoryLine } from '../../functions/core/audit/trail';
import { type DataMap, type ProcessorStore, parseDataMap } from '../../functions/core/data-map';
import { renderIndexHtml } from '../../functions/core/export/index-page';
import { retentionLabel } from '../../functions/core/export/processing-labels';
import { buildProcessingRecord } from '../../functions/core/export/processing-record';
import type { ProcessorEvidence } from '../../functions/core/ledger-record';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const demo = loadDemoDataMap();
const REQUEST = '20260315-access-abcdefgh23';

const logisticsCall: ProcessorEvidence = {
  processorId: 'logistics',
  name: 'Kirim Cepat Logistics',
  type: 'access',
  idempotencyKey: `${REQUEST}:logistics:access`,
  deadline: '2026-03-18T10:00:00.000Z',
  notifiedAt: '2026-03-15T09:00:00.000Z',
  status: 'acknowledged',
  attempts: [
    { attempt: 1, at: '2026-03-15T09:00:00.000Z', durationMs: 12, httpStatus: 200, outcome: 'acknowledged' },
  ],
  ack: {
    at: '2026-03-15T09:00:01.000Z',
    via: 'response',
    status: 'completed',
    reference: 'KCL-1',
    records: 2,
  },
  taskToken: 'secret-task-token',
};

const history: HistoryLine[] = [
  {
    requestId: '20260315-access-abcdefghij',
    type: 'access',
    sequence: 1,
    kind: 'received',
    at: '2026-03-15T08:00:00.000Z',
    details: {},
    hash: 'a'.repeat(64),
  },
  {
    requestId: '20260315-access-abcdefghij',
    type: 'access',
    sequence: 2,
    kind: 'verified',
    at: '2026-03-15T08:05:00.000Z',
    details: {},
    hash: 'b'.repeat(64),
  },
];

/** The demo map with the payment gateway moved to Singapore, as a transfer abroad. */
function withPaymentsAbroad(): DataMap {
  const json = JSON.parse(JSON.stringify(demo)) as { stores: Record<string, unknown>[] };
  const stores = json.stores.map((s) =>
    s.id === 'payments'
      ? {
          ...s,
          country: 'SG',
          transferSafeguard: 'Standard contractual clauses in the 2026 processing agreement',
        }
      : s,
  );
  return parseDataMap({ ...json, stores });
}

describe('the processing record of an access package', () => {
  it('has the controller, every store with why, on what basis, how long, from where and to whom, the processors, transfers and history', () => {
    // Act
    const record = buildProcessingRecord({
      dataMap: demo,
      records: new Map([
        ['orders', 5],
        ['logistics', 2],
      ]),
      calls: [logisticsCall],
      history,
    });

    // Assess
    expect(Object.keys(record)).toEqual(['controller', 'stores', 'processors', 'transfers', 'history']);
    expect(record.controller).toEqual({ name: 'Impor.in', contact: 'admin@impor.in' });
    expect(record.stores.map((s) => s.storeId)).toEqual(demo.stores.map((s) => s.id));
    for (const store of record.stores) {
      expect(Object.keys(store)).toEqual([
        'storeId',
        'description',
        'categories',
        'purposes',
        'legalBasis',
        'retention',
        'source',
        'recipients',
        'records',
      ]);
      expect(store.purposes.length).toBeGreaterThan(0);
    }
    expect(record.stores.find((s) => s.storeId === 'orders')).toMatchObject({
      legalBasis: 'contract',
      retention: { period: 'P10Y' },
      source: 'given_by_person',
      recipients: ['logistics', 'payments', 'Tax authority (DJP), when the law requires'],
      records: 5,
    });
    expect(record.stores.find((s) => s.storeId === 'customers')?.records).toBe(0);
    expect(record.processors).toEqual([
      {
        id: 'logistics',
        name: 'Kirim Cepat Logistics',
        country: 'ID',
        purposes: ['service'],
        calls: [
          {
            type: 'access',
            notifiedAt: logisticsCall.notifiedAt,
            attempts: logisticsCall.attempts,
            ack: logisticsCall.ack,
          },
        ],
      },
      {
        id: 'payments',
        name: 'BayarKu Payment Gateway',
        country: 'ID',
        purposes: ['service', 'security'],
        calls: [],
      },
    ]);
    expect(record.transfers).toEqual([]);
    expect(record.history).toEqual(history);
    expect(JSON.stringify(record)).not.toContain('secret-task-token');
  });

  it('lists a processor outside Indonesia as a transfer with its safeguard', () => {
    const record = buildProcessingRecord({
      dataMap: withPaymentsAbroad(),
      records: new Map(),
      calls: [],
      history: [],
    });

    expect(record.transfers).toEqual([
      {
        processor: 'payments',
        country: 'SG',
        safeguard: 'Standard contractual clauses in the 2026 processing agreement',
      },
    ]);
  });
});

describe('processing words in index.html', () => {
  it('says retention periods as words in English and Indonesian', () => {
    expect(retentionLabel('P10Y')).toEqual({ en: '10 years', id: '10 tahun' });
    expect(retentionLabel('P1Y6M')).toEqual({ en: '1 year 6 months', id: '1 tahun 6 bulan' });
    expect(retentionLabel('P1W')).toEqual({ en: '1 week', id: '1 minggu' });
    expect(retentionLabel('P90D')).toEqual({ en: '90 days', id: '90 hari' });
    expect(retentionLabel('as_long_as_necessary').id).toBe('Selama diperlukan untuk tujuan tersebut');
  });

  function page(overrides: { basedOn?: string; recipient?: string } = {}): string {
    const processors = demo.stores.filter((s): s is ProcessorStore => s.kind === 'processor');
    return renderIndexHtml({
      requestId: REQUEST,
      generatedAt: '2026-03-15T10:00:00.000Z',
      controller: { name: 'Impor.in', contact: 'admin@impor.in' },
      stores: [
        {
          storeId: 'orders',
          description: 'Import orders',
          categories: ['transaction'],
          records: 5,
          file: 'stores/orders.json',
          attachments: [],
          processing: {
            purposes: ['service', 'legal_compliance'],
            legalBasis: 'contract',
            retention: { period: 'P10Y', basedOn: overrides.basedOn ?? 'UU KUP Art. 28(11)' },
            source: 'given_by_person',
            recipients: ['Kirim Cepat Logistics', overrides.recipient ?? 'Tax authority (DJP)'],
          },
        },
      ],
      recipients: processors.map((p) => ({
        processorId: p.id,
        name: p.name,
        description: p.description,
        categories: p.categories,
        country: p.id === 'payments' ? 'SG' : p.country,
        ...(p.id === 'payments' ? { transferSafeguard: 'Standard contractual clauses' } : {}),
        answer: 'not_asked' as const,
        processing: {
          purposes: p.purposes,
          legalBasis: p.legalBasis,
          retention: p.retention,
          source: p.source,
          recipients: [],
        },
      })),
      transfers: [
        { name: 'BayarKu Payment Gateway', country: 'SG', safeguard: 'Standard contractual clauses' },
      ],
      history,
    });
  }

  it('shows each store’s purposes, legal basis, retention, source and recipients in both languages', () => {
    // Act
    const html = page();
    const orders = html.slice(
      html.indexOf('id="store-orders"'),
      html.indexOf('</section>', html.indexOf('id="store-orders"')),
    );

    // Assess
    expect(orders).toContain('Legal basis / <span lang="id">Dasar hukum</span>');
    expect(orders).toContain('Contract / <span lang="id">Kontrak</span>');
    expect(orders).toContain('10 years / <span lang="id">10 tahun</span> (UU KUP Art. 28(11))');
    expect(orders).toContain('Given by you / <span lang="id">Diberikan oleh Anda</span>');
    expect(orders).toContain(
      'Legal and regulatory compliance / <span lang="id">Kepatuhan hukum dan peraturan</span>',
    );
    expect(orders).toContain('<li>Kirim Cepat Logistics</li>');
    expect(orders).toContain('<li>Tax authority (DJP)</li>');
    expect(orders).not.toMatch(/legal_compliance|given_by_person|P10Y/);
  });

  it('names the controller with its privacy contact, the partner abroad with its safeguard, and the history in words', () => {
    const html = page();

    expect(html).toContain('<strong>Impor.in</strong>');
    expect(html).toContain('<a href="mailto:admin@impor.in">admin@impor.in</a>');
    expect(html).toContain(
      'Data sent outside Indonesia / <span lang="id">Data yang dikirim ke luar Indonesia</span>',
    );
    expect(html).toContain('<li>BayarKu Payment Gateway (SG): Standard contractual clauses</li>');
    const payments = html.slice(html.indexOf('id="recipient-payments"'));
    expect(payments).toContain('Outside Indonesia, protected by');
    expect(payments).toContain('Contract / <span lang="id">Kontrak</span>');
    expect(payments).toContain('As long as necessary for these purposes');
    expect(html).toContain('<th scope="col">When (UTC)');
    expect(html).toContain('Request received / <span lang="id">Permintaan diterima</span>');
    expect(html).toContain('Email address confirmed / <span lang="id">Alamat email dikonfirmasi</span>');
  });

  it('says plainly when no data goes abroad', () => {
    const html = renderIndexHtml({
      requestId: REQUEST,
      generatedAt: '2026-03-15T10:00:00.000Z',
      stores: [],
      transfers: [],
    });

    expect(html).toContain('None of your data is sent outside Indonesia.');
    expect(html).toContain('Tidak ada data Anda yang dikirim ke luar Indonesia.');
  });

  it('escapes what the data map says, so a retention basis or recipient cannot inject markup', () => {
    const html = page({ basedOn: '<img src=x onerror=alert(1)> law', recipient: '"Tax" <b>office</b>' });

    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>office</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; law');
    expect(html).toContain('&quot;Tax&quot; &lt;b&gt;office&lt;/b&gt;');
  });
});
