/**
 * Issue 18, finding 5: the access export never hands out credential
 * material; the data map names the fields a store's export leaves out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { dataStoreOf, parseDataMap } from '../../functions/core/data-map';
import { renderIndexHtml } from '../../functions/core/export/index-page';
import { writeStoreExport } from '../../functions/core/export/store-export';
import type { ExportedRecord } from '../../functions/core/ports';
import { memoryS3 } from '../support/erasure-fakes';

const MAP_FILE = path.join(__dirname, '../../config/impor-in.data-map.json');
const requestId = '20260101-access-abcdefghjk';

describe("a store's export", () => {
  it('leaves out the fields the data map excludes (the demo map: the password hash)', async () => {
    // Prepare
    const map = parseDataMap(JSON.parse(readFileSync(MAP_FILE, 'utf8')), MAP_FILE);
    const customers = dataStoreOf(map, 'customers');
    const s3 = memoryS3();
    async function* pages(): AsyncGenerator<readonly ExportedRecord[]> {
      yield [
        {
          ref: { kind: 'dynamodb', table: 'impor-customers', key: { customerId: 'c-1' } },
          data: {
            customerId: 'c-1',
            email: 'ayu@example.com',
            passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$abc',
          },
        } as ExportedRecord,
      ];
    }

    // Act
    const result = await writeStoreExport(
      { exports: s3.store('dsr-exports') },
      {
        requestId,
        storeId: 'customers',
        records: pages(),
        excludeFields: customers.export?.excludeFields ?? [],
      },
    );

    // Assess
    const text = s3.text(`dsr-exports/${result.key}`) ?? '';
    expect(customers.export?.excludeFields).toContain('passwordHash');
    expect(text).not.toContain('argon2id');
    expect(JSON.parse(text).records).toEqual([{ customerId: 'c-1', email: 'ayu@example.com' }]);
    expect(result.withheld).toEqual(['passwordHash']);
    s3.mock.restore();
  });

  it('leaves an excluded field out of a record that comes with a file too', async () => {
    // Prepare
    const s3 = memoryS3();
    async function* pages(): AsyncGenerator<readonly ExportedRecord[]> {
      yield [
        {
          ref: { kind: 's3', bucket: 'impor-documents', key: 'documents/c-1/invoice.pdf' },
          data: { name: 'invoice.pdf', uploadToken: 'secret-token' },
          attachment: {
            name: 'invoice.pdf',
            size: 3,
            open: async () => ({ body: Readable.from([Buffer.from('pdf')]) }),
          },
        },
      ];
    }

    // Act
    const result = await writeStoreExport(
      { exports: s3.store('dsr-exports') },
      { requestId, storeId: 'documents', records: pages(), excludeFields: ['uploadToken'] },
    );

    // Assess
    const text = s3.text(`dsr-exports/${result.key}`) ?? '';
    expect(text).not.toContain('secret-token');
    expect(JSON.parse(text).records).toEqual([{ name: 'invoice.pdf', file: 'documents/files/invoice.pdf' }]);
    expect(result.attachments).toEqual([expect.objectContaining({ name: 'invoice.pdf', size: 3 })]);
    s3.mock.restore();
  });

  it('refuses a data map that excludes nothing or an empty field name, naming the place', () => {
    const map = JSON.parse(readFileSync(MAP_FILE, 'utf8'));
    map.stores[0].export = { excludeFields: [''] };
    expect(() => parseDataMap(map, 'bad.json')).toThrow(/export\.excludeFields/);
  });

  it("says in the package's index which fields were withheld for security, in both languages", () => {
    const html = renderIndexHtml({
      requestId,
      generatedAt: '2026-01-01T00:00:00.000Z',
      stores: [
        {
          storeId: 'customers',
          description: 'Customer accounts',
          categories: ['registration'],
          records: 1,
          file: 'stores/customers.json',
          attachments: [],
          withheld: ['passwordHash'],
        },
      ],
    });
    expect(html).toContain('Not included, for security: passwordHash');
    expect(html).toContain('withheld for security');
    expect(html).toContain('Tidak disertakan demi keamanan: passwordHash');
  });
});
