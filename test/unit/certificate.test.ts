import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isDataStore } from '../../functions/core/data-map';
import {
  buildCertificate,
  issueCertificate,
  renderCertificateHtml,
  retentionOf,
} from '../../functions/core/erasure/certificate';
import { erasureSummaryMail } from '../../functions/core/erasure/certificate-mail';
import { ErasureIncompleteError } from '../../functions/core/erasure/decisions';
import {
  type IssueCertificatePorts,
  issueRequestCertificate,
} from '../../functions/core/erasure/issue-certificate';
import type { ErasureSummary } from '../../functions/core/erasure/manifest';
import { erasureDecisionsKey } from '../../functions/core/export/keys';
import type { LedgerRecord, ProcessorEvidence } from '../../functions/core/ledger-record';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { memoryS3 } from '../support/erasure-fakes';

const dataMap = loadDemoDataMap();
const REQUEST = '20260315-delete-abcdefgh23';
const EMAIL = 'budi.erased@example.test';
const NAME = 'Budi Erased';
const PHONE = '+628110000001';
const TAX = dataMap.stores.filter(isDataStore).find((s) => s.id === 'orders')?.erasure.default;
const BASIS = TAX?.action === 'retain' ? TAX.legalBasis : 'missing';

const record: LedgerRecord = {
  requestId: REQUEST,
  type: 'delete',
  status: 'in_progress',
  jurisdiction: 'ID',
  locale: 'id',
  receivedAt: '2026-03-15T08:00:00.000Z',
  dueAt: '2026-03-18T08:00:00.000Z',
  updatedAt: '2026-03-15T09:00:00.000Z',
  subjectHash: 'a'.repeat(64),
  contact: { email: EMAIL, fullName: NAME, phone: PHONE },
  statusTokenHash: 'b'.repeat(64),
  identities: { email: [EMAIL], customerId: ['cus-1'] },
  stores: {
    customers: { status: 'completed', records: 1, verified: true },
    orders: { status: 'completed', records: 3, verified: true },
  },
  history: [
    { status: 'pending_verification', at: '2026-03-15T08:00:00.000Z' },
    { status: 'verified', at: '2026-03-15T08:05:00.000Z' },
    { status: 'scheduled', at: '2026-03-15T08:05:01.000Z' },
    { status: 'in_progress', at: '2026-03-16T08:05:01.000Z' },
  ],
};

const summary = (storeId: string, over: Partial<ErasureSummary>): ErasureSummary => ({
  version: 1,
  requestId: REQUEST,
  storeId,
  counts: { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 },
  identifierHashes: [],
  retention: [],
  holds: [],
  createdAt: '2026-03-16T08:05:02.000Z',
  ...over,
});

const summaries = new Map([
  ['customers', summary('customers', { counts: { found: 1, deleted: 1, masked: 0, retained: 0, held: 0 } })],
  [
    'orders',
    summary('orders', {
      counts: { found: 3, deleted: 0, masked: 0, retained: 2, held: 1 },
      retention: [{ legalBasis: BASIS, retainedUntil: '2036-03-16', records: 2 }],
      holds: [{ reason: 'open_order', records: 1 }],
    }),
  ],
]);
const issuedAt = new Date('2026-03-16T08:06:00.000Z');

describe('certificate of erasure', () => {
  it('reports per store what was found, deleted, retained with its basis and end, and held with its reason', () => {
    const certificate = buildCertificate({ record, dataMap, summaries, issuedAt });

    expect(certificate).toMatchObject({
      requestId: REQUEST,
      subjectHash: 'a'.repeat(64),
      receivedAt: '2026-03-15T08:00:00.000Z',
      verifiedAt: '2026-03-15T08:05:00.000Z',
      erasureStartedAt: '2026-03-16T08:05:01.000Z',
      erasureCompletedAt: '2026-03-16T08:06:00.000Z',
      totals: { found: 4, deleted: 1, masked: 0, retained: 2, held: 1 },
    });
    const orders = certificate.stores.find((s) => s.storeId === 'orders');
    expect(orders?.retained.entries).toEqual([
      { legalBasis: BASIS, retainedUntil: '2036-03-16', records: 2 },
    ]);
    expect(orders?.held.holds[0]?.description.id).toMatch(/Pesanan yang masih dalam pengiriman/);
    expect(orders?.verification).toEqual({ method: 're-query', passed: true });
  });

  it('names the subject only by the keyed hash, in the JSON and in the page', () => {
    const certificate = buildCertificate({ record, dataMap, summaries, issuedAt });
    const documents = [JSON.stringify(certificate), renderCertificateHtml(certificate)];

    for (const text of documents) {
      for (const value of [EMAIL, NAME, PHONE, 'cus-1']) expect(text).not.toContain(value);
      expect(text).toContain('a'.repeat(64));
    }
    expect(documents[1]).toContain('Sertifikat penghapusan');
    expect(documents[1]).toContain('UU KUP');
  });

  it('is refused while a store has not passed its re-query', () => {
    const unverified = { ...record, stores: { ...record.stores, orders: { status: 'completed' as const } } };

    expect(() => buildCertificate({ record: unverified, dataMap, summaries, issuedAt })).toThrow(
      ErasureIncompleteError,
    );
  });

  it('lists a store that failed for good as not erased when the request completed with exceptions, in the page and the email', () => {
    const excepted: LedgerRecord = {
      ...record,
      stores: { ...record.stores, orders: { status: 'failed', reason: 'the table was not found' } },
      exceptions: {
        stores: [
          { storeId: 'orders', error: 'ResourceNotFoundException', reason: 'the table was not found' },
        ],
        decision: {
          action: 'complete',
          reason: 'deadline',
          actor: 'deadline',
          at: '2026-03-18T02:00:00.000Z',
        },
      },
    };

    const certificate = buildCertificate({ record: excepted, dataMap, summaries, issuedAt });

    expect(certificate.stores.map((s) => s.storeId)).toEqual(['customers']);
    expect(certificate.notErased).toEqual([
      expect.objectContaining({ storeId: 'orders', error: 'ResourceNotFoundException' }),
    ]);
    expect(renderCertificateHtml(certificate)).toMatch(/Not erased[\s\S]*ResourceNotFoundException/);
    const mail = erasureSummaryMail('en', certificate);
    expect(mail.text).toMatch(/Not erased[\s\S]*Orders/i);
  });

  it('keeps only pseudonymous identities with the retention entries, and nothing when nothing is retained', () => {
    const certificate = buildCertificate({ record, dataMap, summaries, issuedAt });

    expect(retentionOf(record, certificate)).toEqual({
      identities: { customerId: ['cus-1'] },
      entries: [{ storeId: 'orders', legalBasis: BASIS, retainedUntil: '2036-03-16', records: 2 }],
      until: '2036-03-16',
    });
    const onlyDeleted = buildCertificate({
      record: { ...record, stores: { customers: { status: 'completed', verified: true } } },
      dataMap,
      summaries,
      issuedAt,
    });
    expect(retentionOf(record, onlyDeleted)).toBeUndefined();
  });
});

describe('erasure summary email', () => {
  it('calls a masked record pseudonymised, never anonymised: it keeps its key and customer number', () => {
    const masked = new Map(summaries);
    masked.set(
      'customers',
      summary('customers', { counts: { found: 1, deleted: 0, masked: 1, retained: 0, held: 0 } }),
    );
    const certificate = buildCertificate({ record, dataMap, summaries: masked, issuedAt });
    for (const locale of ['en', 'id'] as const) {
      const mail = erasureSummaryMail(locale, certificate);
      expect(mail.text).toMatch(/Pseudonymised/);
      expect(mail.text).toMatch(/Dipseudonimkan/);
      expect(mail.text).not.toMatch(/nonymised|nonimkan/);
    }
    expect(renderCertificateHtml(certificate)).toContain('1 pseudonymised');
  });

  it('tells the subject in Indonesian and English what was deleted, what is kept by law until when, and what is held', () => {
    const mail = erasureSummaryMail('id', buildCertificate({ record, dataMap, summaries, issuedAt }));

    expect(mail.subject).toBe('Data Anda di Impor.in telah dihapus / Your Impor.in data has been erased');
    expect(mail.text.indexOf('Dihapus')).toBeLessThan(mail.text.indexOf('Deleted'));
    expect(mail.text).toContain('Customer accounts');
    expect(mail.text).toContain('Kept because the law requires it');
    expect(mail.text).toContain('Disimpan karena diwajibkan hukum');
    expect(mail.text).toContain(`${BASIS}; until 2036-03-16`);
    expect(mail.text).toContain('Pesanan yang masih dalam pengiriman');
    expect(mail.text).toContain('An order that is still in transit');
    expect(mail.html).toContain('UU KUP');
  });

  it('leaves out sections with nothing in them', () => {
    const mail = erasureSummaryMail(
      'en',
      buildCertificate({
        record: { ...record, stores: { customers: { status: 'completed', verified: true } } },
        dataMap,
        summaries,
        issuedAt,
      }),
    );

    expect(mail.text).toContain('Deleted');
    expect(mail.text).not.toContain('Kept because the law requires it');
    expect(mail.text).not.toContain('Not erased yet');
  });

  it('says plainly that it held no data about a person it knew nothing of', () => {
    const mail = erasureSummaryMail('en', {
      version: 1,
      type: 'certificate-of-erasure',
      organisation: 'Impor.in',
      requestId: '20260101-delete-abcdefghij',
      subjectHash: 'f'.repeat(64),
      receivedAt: issuedAt.toISOString(),
      erasureCompletedAt: issuedAt.toISOString(),
      issuedAt: issuedAt.toISOString(),
      totals: { found: 0, deleted: 0, masked: 0, retained: 0, held: 0 },
      stores: [],
      processors: [],
      notErased: [],
    });

    expect(mail.subject).toBe(
      'We held no data about you at Impor.in / Kami tidak menyimpan data Anda di Impor.in',
    );
    expect(mail.text).toContain('nothing needed erasing');
    expect(mail.text).toContain('tidak ada yang perlu dihapus');
  });
});

const LOGISTICS_REF = 'KCL-7F3A9C';
const PAYMENTS_REF = 'BYK-19QX2M';
const KEEPS = 'Bank Indonesia payment-system record keeping (PBI 22/23/2020): 10 years';

const told = (processorId: string, name: string, over: Partial<ProcessorEvidence>): ProcessorEvidence => ({
  processorId,
  name,
  type: 'delete',
  idempotencyKey: `${REQUEST}:${processorId}:delete`,
  deadline: '2026-03-19T08:05:01.000Z',
  notifiedAt: '2026-03-16T08:05:02.000Z',
  status: 'acknowledged',
  attempts: [
    { attempt: 1, at: '2026-03-16T08:05:02.000Z', durationMs: 40, httpStatus: 200, outcome: 'acknowledged' },
  ],
  ...over,
});

const logisticsAck = told('logistics', 'Kirim Cepat Logistics', {
  ack: { at: '2026-03-16T08:05:02.100Z', via: 'response', status: 'completed', reference: LOGISTICS_REF },
});
const paymentsRetained = told('payments', 'BayarKu Payment Gateway', {
  attempts: [
    { attempt: 1, at: '2026-03-16T08:05:02.000Z', durationMs: 30, httpStatus: 500, outcome: 'retry' },
    { attempt: 2, at: '2026-03-16T08:05:03.000Z', durationMs: 30, httpStatus: 202, outcome: 'accepted' },
  ],
  ack: {
    at: '2026-03-16T08:06:30.000Z',
    via: 'callback',
    status: 'retained',
    reference: PAYMENTS_REF,
    retained: [{ category: 'transaction', reason: KEEPS, until: '2036-03-16' }],
  },
});
const paymentsEscalated = told('payments', 'BayarKu Payment Gateway', {
  status: 'escalated',
  attempts: [
    { attempt: 1, at: '2026-03-16T08:05:02.000Z', durationMs: 30, httpStatus: 202, outcome: 'accepted' },
  ],
  escalation: { at: '2026-03-19T08:05:01.000Z', reason: 'deadline_passed' },
  taskToken: 'task-token-that-must-not-leak',
});

/** The delete with both processors told; processors are in the plan like stores, but have no erasure summary. */
const withProcessors = (payments: ProcessorEvidence): LedgerRecord => ({
  ...record,
  stores: {
    ...record.stores,
    logistics: { status: 'completed' },
    payments: { status: payments.status === 'escalated' ? 'escalated' : 'completed' },
  },
  processors: { payments, logistics: logisticsAck },
});

describe('partners in the certificate of erasure', () => {
  it('lists each partner told with its answer, reference and time, in data-map order, and never as a store', () => {
    const certificate = buildCertificate({
      record: withProcessors(paymentsRetained),
      dataMap,
      summaries,
      issuedAt,
    });

    expect(certificate.stores.map((s) => s.storeId)).toEqual(['customers', 'orders']);
    expect(certificate.processors).toEqual([
      {
        processorId: 'logistics',
        name: 'Kirim Cepat Logistics',
        notifiedAt: '2026-03-16T08:05:02.000Z',
        deadline: '2026-03-19T08:05:01.000Z',
        attempts: 1,
        status: 'acknowledged',
        ack: {
          at: '2026-03-16T08:05:02.100Z',
          via: 'response',
          status: 'completed',
          reference: LOGISTICS_REF,
        },
      },
      {
        processorId: 'payments',
        name: 'BayarKu Payment Gateway',
        notifiedAt: '2026-03-16T08:05:02.000Z',
        deadline: '2026-03-19T08:05:01.000Z',
        attempts: 2,
        status: 'acknowledged',
        ack: {
          at: '2026-03-16T08:06:30.000Z',
          via: 'callback',
          status: 'retained',
          reference: PAYMENTS_REF,
          retained: [{ category: 'transaction', reason: KEEPS, until: '2036-03-16' }],
        },
      },
    ]);
  });

  it('shows a partner that did not answer by its deadline as escalated with the reason, without its task token', () => {
    const certificate = buildCertificate({
      record: withProcessors(paymentsEscalated),
      dataMap,
      summaries,
      issuedAt,
    });

    expect(certificate.processors.find((p) => p.processorId === 'payments')).toEqual({
      processorId: 'payments',
      name: 'BayarKu Payment Gateway',
      notifiedAt: '2026-03-16T08:05:02.000Z',
      deadline: '2026-03-19T08:05:01.000Z',
      attempts: 1,
      status: 'escalated',
      escalation: { at: '2026-03-19T08:05:01.000Z', reason: 'deadline_passed' },
    });
    expect(JSON.stringify(certificate)).not.toContain('task-token-that-must-not-leak');
  });

  it('counts a partner that answered it could not comply as escalated, and tells the subject support is following up', () => {
    const refused = told('payments', 'BayarKu Payment Gateway', {
      status: 'escalated',
      ack: { at: '2026-03-16T08:06:00.000Z', via: 'callback', status: 'failed', reference: PAYMENTS_REF },
      escalation: { at: '2026-03-16T08:06:01.000Z', reason: 'processor_rejected' },
    });
    const certificate = buildCertificate({ record: withProcessors(refused), dataMap, summaries, issuedAt });

    expect(certificate.processors.find((p) => p.processorId === 'payments')?.status).toBe('escalated');
    const text = erasureSummaryMail('en', certificate).text;
    expect(text).not.toContain('- BayarKu Payment Gateway: ');
    expect(text.slice(text.indexOf('Being followed up by our support team'))).toContain(
      '- BayarKu Payment Gateway',
    );
  });

  it('has a bilingual "Partners told" section naming each partner, its reference and, for an escalated one, that support is following up', () => {
    const html = renderCertificateHtml(
      buildCertificate({ record: withProcessors(paymentsEscalated), dataMap, summaries, issuedAt }),
    );

    expect(html).toContain('Partners told / <span lang="id">Mitra yang diberi tahu</span>');
    const logistics = html.slice(
      html.indexOf('id="partner-logistics"'),
      html.indexOf('id="partner-payments"'),
    );
    expect(logistics).toContain('Kirim Cepat Logistics');
    expect(logistics).toContain(`<code>${LOGISTICS_REF}</code>`);
    expect(logistics).toContain('completed: erased what it held');
    const payments = html.slice(html.indexOf('id="partner-payments"'));
    expect(payments).toContain('BayarKu Payment Gateway');
    expect(payments).toContain('our support team is following up');
    expect(payments).toContain('tim dukungan kami menindaklanjuti');
    expect(payments).toContain('no answer by its deadline');
    expect(payments).toContain('2026-03-19 08:05:01 UTC');
  });

  it('has no partner section when no partner was told', () => {
    const html = renderCertificateHtml(buildCertificate({ record, dataMap, summaries, issuedAt }));

    expect(html).not.toContain('Partners told');
  });
});

describe('partners in the erasure summary email', () => {
  it('says which partners confirmed, what a partner keeps by law and why, by name only', () => {
    const mail = erasureSummaryMail(
      'en',
      buildCertificate({ record: withProcessors(paymentsRetained), dataMap, summaries, issuedAt }),
    );

    expect(mail.text).toContain('Confirmed by our partners');
    expect(mail.text).toContain('- Kirim Cepat Logistics: erased your data\n');
    expect(mail.text).toContain(
      `- BayarKu Payment Gateway: erased your data except records the law requires it to keep; keeps Transaction information: ${KEEPS} (until 2036-03-16)`,
    );
    expect(mail.text).toContain('Dikonfirmasi oleh mitra kami');
    expect(mail.text).not.toContain('Being followed up by our support team');
    for (const part of [mail.text, mail.html, mail.subject]) {
      for (const hidden of [LOGISTICS_REF, PAYMENTS_REF, EMAIL, 'cus-1']) {
        expect(part).not.toContain(hidden);
      }
    }
  });

  it('tells the subject that a partner which did not confirm in time is being followed up by our support team', () => {
    const mail = erasureSummaryMail(
      'id',
      buildCertificate({ record: withProcessors(paymentsEscalated), dataMap, summaries, issuedAt }),
    );

    const followedUp = mail.text.slice(mail.text.indexOf('Being followed up by our support team'));
    expect(followedUp).toContain('- BayarKu Payment Gateway');
    expect(followedUp.split('\n\n')[0]).not.toContain('Kirim Cepat Logistics');
    expect(mail.text).toContain('Sedang ditindaklanjuti oleh tim dukungan kami\n');
    expect(mail.text).toMatch(
      /Dikonfirmasi oleh mitra kami\n.*\n- Kirim Cepat Logistics: telah menghapus data Anda/,
    );
    expect(mail.html).toContain('<li>BayarKu Payment Gateway</li>');
  });
});

describe('issuing a certificate for a delete that reached partners', () => {
  it('reads erasure summaries only for data stores and writes the partners into the stored certificate', async () => {
    const bucket = memoryS3();
    for (const [storeId, s] of summaries) {
      bucket.objects.set(
        `exports/${erasureDecisionsKey(REQUEST, storeId)}`,
        Buffer.from(`${JSON.stringify(s)}\n`),
      );
    }

    const { jsonKey } = await issueCertificate(
      { exports: bucket.store('exports'), audit: bucket.store('audit') },
      { record: withProcessors(paymentsEscalated), dataMap, issuedAt },
    );

    // The summaries are the first lines of the stores' manifests, read by range.
    const read = bucket.mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(read.map((input) => input.Key).sort()).toEqual([
      erasureDecisionsKey(REQUEST, 'customers'),
      erasureDecisionsKey(REQUEST, 'orders'),
    ]);
    expect(read.every((input) => input.Range !== undefined)).toBe(true);
    const stored = JSON.parse(bucket.text(`audit/${jsonKey}`) ?? '{}');
    expect(stored.processors.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['Kirim Cepat Logistics', 'acknowledged'],
      ['BayarKu Payment Gateway', 'escalated'],
    ]);
    bucket.mock.restore();
  });
});

describe('IssueCertificate retried after its email went out', () => {
  it('mails the summary once: the retry re-issues the same certificate and sends nothing more', async () => {
    // Prepare: a delete whose cancel-link email already claimed the outcome mail
    const bucket = memoryS3();
    for (const [storeId, s] of summaries) {
      bucket.objects.set(
        `exports/${erasureDecisionsKey(REQUEST, storeId)}`,
        Buffer.from(`${JSON.stringify(s)}\n`),
      );
    }
    let current: LedgerRecord = { ...record, outcomeMailAt: '2026-03-15T08:05:01.000Z' };
    const claims = new Map<string, string>();
    const sent: string[] = [];
    let auditFails = true;
    const ports: IssueCertificatePorts = {
      exports: bucket.store('exports'),
      audit: bucket.store('audit'),
      dataMap,
      clock: () => issuedAt,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      mailer: { send: async (mail) => void sent.push(mail.subject) },
      ledger: {
        require: async () => current,
        setCertificate: async (_id, certificate) => {
          current = { ...current, certificate };
        },
        claimOutcomeMail: async (_id, at, mail = 'outcome') => {
          if (mail === 'outcome' && current.outcomeMailAt) return false;
          if (claims.has(mail)) return false;
          claims.set(mail, at);
          return true;
        },
        releaseOutcomeMail: async (_id, _at, mail = 'outcome') => void claims.delete(mail),
      },
      auditTrail: {
        append: async (_requestId: string, event: unknown) => {
          // The audit write after the email fails once, so the task is retried.
          if (auditFails && JSON.stringify(event).includes('erasure-certificate')) {
            auditFails = false;
            throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
          }
        },
      } as unknown as IssueCertificatePorts['auditTrail'],
    };

    // Act
    await expect(issueRequestCertificate(ports, { requestId: REQUEST })).rejects.toThrow('throttled');
    await issueRequestCertificate(ports, { requestId: REQUEST });

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('Data Anda di Impor.in telah dihapus');
    bucket.mock.restore();
  });
});
