import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { CATEGORY_LABELS, categoryLabel } from '../../functions/core/export/categories';
import { escapeHtml, renderIndexHtml } from '../../functions/core/export/index-page';
import {
  certificateHtmlKey,
  certificateJsonKey,
  erasureDecisionsKey,
  erasureSummaryKey,
  FileNameAllocator,
  sanitiseFileName,
  UnsafeExportKeyError,
} from '../../functions/core/export/keys';
import { packageExport } from '../../functions/core/export/package';
import { writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';

const s3Mock = mockClient(S3Client);
const deps = {
  exports: new S3ObjectStore(new S3Client({ region: 'ap-southeast-3' }), 'exports-bucket'),
  zip: createZipWriter,
};
const GOOD_REQUEST = '20260101-access-abcdefghij';

async function* pages(): AsyncIterable<readonly ExportedRecord[]> {
  yield [{ ref: { kind: 'dynamodb', key: { id: '1' } }, data: { id: '1' } }];
}

afterEach(() => {
  s3Mock.reset();
});

describe('export keys', () => {
  it.each([
    '../20260101-access-abcdefghij',
    '20260101-access-abcdefghi1',
    '20260101-export-abcdefghij',
    '20260101-access-abcdefghij/..',
    '',
  ])('refuses to write anything for the request id %p', async (requestId) => {
    // Act
    const attempt = writeStoreExport(deps, { requestId, storeId: 'orders', records: pages() });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(UnsafeExportKeyError);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it.each(['../orders', 'Orders', 'o', 'orders/x', 'orders.json', '1orders'])(
    'refuses to write anything for the store id %p',
    async (storeId) => {
      const attempt = writeStoreExport(deps, { requestId: GOOD_REQUEST, storeId, records: pages() });
      await expect(attempt).rejects.toBeInstanceOf(UnsafeExportKeyError);
      expect(s3Mock.calls()).toHaveLength(0);
    },
  );

  it('does not echo the rejected value in the error message', async () => {
    const attempt = writeStoreExport(deps, {
      requestId: 'person@example.com',
      storeId: 'orders',
      records: pages(),
    });
    await expect(attempt).rejects.toThrow(/^invalid request id for an export key$/);
  });

  it('refuses to package a request with a bad id or a store result with a path in it', async () => {
    await expect(
      packageExport(deps, { requestId: '../x', exports: [], dataMap: loadDemoDataMap() }),
    ).rejects.toBeInstanceOf(UnsafeExportKeyError);
    const forged = {
      storeId: 'orders',
      records: 1,
      sha256: 'a'.repeat(64),
      key: 'x',
      attachments: [{ name: '../../secret', key: 'x', size: 1 }],
    };
    await expect(
      packageExport(deps, { requestId: GOOD_REQUEST, exports: [forged], dataMap: loadDemoDataMap() }),
    ).rejects.toThrow();
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('erasure and certificate keys', () => {
  it('puts the erasure manifest and summary under erasure/<requestId>/ and certificates under certificates/<requestId>/', () => {
    const id = '20260315-delete-abcdefgh23';
    expect(erasureDecisionsKey(id, 'orders')).toBe(`erasure/${id}/orders.decisions.jsonl`);
    expect(erasureSummaryKey(id, 'marketing-preferences')).toBe(
      `erasure/${id}/marketing-preferences.summary.json`,
    );
    expect(certificateJsonKey(id)).toBe(`certificates/${id}/certificate.json`);
    expect(certificateHtmlKey(id)).toBe(`certificates/${id}/certificate.html`);
  });

  it.each([
    () => erasureDecisionsKey('../20260315-delete-abcdefgh23', 'orders'),
    () => erasureSummaryKey('20260315-delete-abcdefgh23', '../orders'),
    () => erasureDecisionsKey('20260315-delete-abcdefgh23', 'orders/x'),
    () => certificateJsonKey('person@example.com'),
    () => certificateHtmlKey('20260315-delete-abcdefgh23/..'),
  ])('refuses an unsafe id instead of building a key (case %#)', (build) => {
    expect(build).toThrow(UnsafeExportKeyError);
  });
});

describe('attachment file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\invoice 2024.pdf', 'invoice_2024.pdf'],
    ['.htaccess', 'htaccess'],
    ['..', 'file'],
    ['faktur-Mei#1.pdf', 'faktur-Mei_1.pdf'],
    ['invoice..pdf', 'invoice.pdf'],
  ])('turns %p into the safe name %p', (original, safe) => {
    expect(sanitiseFileName(original)).toBe(safe);
  });

  it('keeps long names bounded and their extension', () => {
    const name = sanitiseFileName(`${'a'.repeat(500)}.pdf`);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('gives colliding names distinct files, ignoring case', () => {
    const names = new FileNameAllocator();
    expect(
      ['invoice.pdf', 'invoice.pdf', 'Invoice.PDF', 'a/invoice.pdf'].map((n) => names.allocate(n)),
    ).toEqual(['invoice.pdf', 'invoice-2.pdf', 'Invoice-3.PDF', 'invoice-4.pdf']);
  });
});

describe('index.html', () => {
  it('names every category in English and Indonesian', () => {
    expect(categoryLabel('registration')).toBe('Registration information / Informasi pendaftaran');
    expect(Object.keys(CATEGORY_LABELS).sort()).toEqual(
      ['activity', 'communication', 'device', 'marketing', 'registration', 'transaction'].sort(),
    );
  });

  it('escapes store descriptions so they cannot inject markup', () => {
    const html = renderIndexHtml({
      requestId: GOOD_REQUEST,
      generatedAt: '2026-01-01T00:00:00.000Z',
      stores: [
        {
          storeId: 'orders',
          description: '<script>alert(1)</script> & "orders"',
          categories: ['transaction'],
          records: 2,
          file: 'stores/orders.json',
          attachments: [],
        },
      ],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml('<script>alert(1)</script> & "orders"'));
    expect(html).toContain('Transaction information');
    expect(html).toContain('Informasi transaksi');
  });
});
