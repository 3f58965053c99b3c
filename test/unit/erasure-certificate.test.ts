import { loadDemoDataMap } from '../../functions/core/demo-data-map';
import { ErasureIncompleteError } from '../../functions/core/erasure';
import type { LedgerRecord } from '../../functions/core/ledger-record';
import { buildCertificate, renderCertificateHtml, retentionOf } from '../../functions/erasure/certificate';
import { erasureSummaryMail } from '../../functions/erasure/certificate-mail';
import type { ErasureSummary } from '../../functions/erasure/manifest';

const dataMap = loadDemoDataMap();
const REQUEST = '20260315-delete-abcdefgh23';
const EMAIL = 'budi.erased@example.test';
const NAME = 'Budi Erased';
const PHONE = '+628110000001';
const TAX = dataMap.stores.find((s) => s.id === 'orders')?.erasure.default;
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
    });

    expect(mail.subject).toBe(
      'We held no data about you at Impor.in / Kami tidak menyimpan data Anda di Impor.in',
    );
    expect(mail.text).toContain('nothing needed erasing');
    expect(mail.text).toContain('tidak ada yang perlu dihapus');
  });
});
