import { parse } from 'csv-parse/sync';
import {
  CSV_BOM,
  CsvColumns,
  cellText,
  csvHeader,
  MAX_COLUMNS,
  OVERFLOW_COLUMN,
} from '../../functions/core/export/csv';
import {
  type ExportedData,
  ExportFileReader,
  ExportFileShapeError,
} from '../../functions/core/export/export-file';
import { renderIndexHtml } from '../../functions/core/export/index-page';
import {
  formatMoment,
  formatRupiah,
  RecordView,
  readableName,
} from '../../functions/core/export/record-view';

/** What a spreadsheet or a CSV library reads back from the header and rows of these records. */
function csvOf(records: readonly ExportedData[]): Record<string, string>[] {
  const columns = new CsvColumns();
  for (const r of records) columns.add(r);
  const text = CSV_BOM + csvHeader(columns.columns) + records.map((r) => columns.row(r)).join('');
  return parse(text, { bom: true, columns: true }) as Record<string, string>[];
}

const view = (over: Partial<ConstructorParameters<typeof RecordView>[0]> = {}) =>
  new RecordView({
    storeId: 'orders',
    locale: 'en',
    timeZone: 'Asia/Jakarta',
    fields: {
      recipientPhone: { label: { en: 'Recipient phone', id: 'Telepon penerima' } },
      amountIdr: { label: { en: 'Goods value', id: 'Nilai barang' }, format: 'idr' },
      'items.unitPriceIdr': { label: { en: 'Unit price', id: 'Harga satuan' }, format: 'idr' },
    },
    maskValues: ['[erased]'],
    limit: 200,
    ...over,
  });

describe('the CSV a spreadsheet opens', () => {
  it('starts with a byte-order mark and quotes commas, quotes and line breaks so a CSV library reads the values back', () => {
    const rows = csvOf([{ name: 'Budi, "Pak" Santoso', note: 'line one\r\nline two', city: 'Bandung' }]);
    expect(rows).toEqual([{ name: 'Budi, "Pak" Santoso', note: 'line one\r\nline two', city: 'Bandung' }]);
    expect(CSV_BOM).toBe('\uFEFF');
  });

  it('makes every text a spreadsheet would run as a formula inert with a leading single quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(cellText(`${start}HYPERLINK("http://evil.example")`)).toBe(
        `'${start}HYPERLINK("http://evil.example")`,
      );
    }
    const [row] = csvOf([{ phone: '+6281200000001', subject: '=cmd|" /C calc"!A0', total: -5 }]);
    expect(row).toEqual({ phone: "'+6281200000001", subject: `'=cmd|" /C calc"!A0`, total: '-5' });
  });

  it('flattens nested objects to dotted columns, keeps lists as JSON in one cell and leaves missing fields empty', () => {
    const rows = csvOf([
      { id: 'a', device: { os: 'Android 14', browser: 'Chrome' }, items: [{ sku: 'x', qty: 2 }] },
      { id: 'b', extra: true },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'device.os', 'device.browser', 'items', 'extra']);
    expect(JSON.parse(rows[0]?.items ?? '')).toEqual([{ sku: 'x', qty: 2 }]);
    expect(rows[1]).toEqual({ id: 'b', 'device.os': '', 'device.browser': '', items: '', extra: 'true' });
  });

  it('puts columns past the limit into one last column, so a strange record cannot make the header unbounded', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_COLUMNS + 3 }, (_, i) => [`f${i}`, i]));
    const [row] = csvOf([wide]);
    expect(Object.keys(row ?? {})).toHaveLength(MAX_COLUMNS + 1);
    expect(JSON.parse(row?.[OVERFLOW_COLUMN] ?? '')).toEqual({
      [`f${MAX_COLUMNS}`]: MAX_COLUMNS,
      [`f${MAX_COLUMNS + 1}`]: MAX_COLUMNS + 1,
      [`f${MAX_COLUMNS + 2}`]: MAX_COLUMNS + 2,
    });
  });
});

describe('reading a store file as it streams', () => {
  const file = Buffer.from(
    '{"storeId":"messages","records":[\n{"subject":"Bea masuk — PPN ✓"},\n{"subject":"Invoice"}\n]}\n',
  );

  it('gives every record once, whatever the chunk boundaries (even inside a multi-byte character)', () => {
    for (const size of [1, 2, 3, 7, 64]) {
      const reader = new ExportFileReader();
      const seen: ExportedData[] = [];
      for (let i = 0; i < file.length; i += size)
        reader.push(file.subarray(i, i + size), (r) => seen.push(r));
      reader.end((r) => seen.push(r));
      expect(seen).toEqual([{ subject: 'Bea masuk — PPN ✓' }, { subject: 'Invoice' }]);
    }
  });

  it('refuses a file that is not a store file', () => {
    const reader = new ExportFileReader();
    expect(() => reader.push(Buffer.from('[1,2,3]\n'), () => undefined)).toThrow(ExportFileShapeError);
  });
});

describe("a store's records on the page", () => {
  it('labels fields from the data map in both languages, and others by a readable form of their name', () => {
    const v = view();
    v.add({ recipientPhone: '+6281200000001', paymentCardLast4: '4242' });
    const html = v.html([]);
    expect(html).toContain('Recipient phone / <span lang="id">Telepon penerima</span>');
    expect(html).toContain('Payment card last4');
    expect(readableName('items.hsCode')).toBe('Hs code');
  });

  it('shows the package language first when the person asked in Indonesian', () => {
    const v = view({ locale: 'id' });
    v.add({ recipientPhone: '+6281200000001' });
    expect(v.html([])).toContain('Telepon penerima / <span lang="en">Recipient phone</span>');
  });

  it('shows amounts in rupiah, times in WIB, lists of objects as a sub-table and masked values as erased', () => {
    const v = view();
    v.add({
      amountIdr: 15_498_000,
      createdAt: '2026-03-15T10:00:00.000Z',
      items: [{ description: 'Laptop', unitPriceIdr: 7_749_000 }],
      recipientName: '[erased]',
    });
    const html = v.html([]);
    expect(formatRupiah(15_498_000)).toBe('Rp 15.498.000');
    expect(html).toContain('Rp 15.498.000');
    expect(html).toContain('Rp 7.749.000');
    expect(html).toContain('<time datetime="2026-03-15T10:00:00.000Z">15 Mar 2026, 17:00 WIB</time>');
    expect(html).toMatch(
      /<table class="sub"><thead><tr><th scope="col">Description<\/th><th scope="col">Unit price/,
    );
    expect(html).toContain('[erased] (erased / <span lang="id">dihapus</span>)');
    expect(formatMoment(new Date('2026-03-15T10:00:00Z'), { locale: 'id', timeZone: 'Asia/Jakarta' })).toBe(
      '15 Mar 2026, 17.00 WIB',
    );
  });

  it('says of a record the store holds (an order in transit) that it is kept for now, and why', () => {
    const v = view({
      holds: [
        {
          field: 'status',
          in: ['in_transit'],
          description: { en: 'Kept until it is delivered.', id: 'Disimpan sampai diterima.' },
        },
      ],
    });
    v.add({ orderId: 'ORD-OPEN', status: 'in_transit' });
    v.add({ orderId: 'ORD-DONE', status: 'delivered' });
    const html = v.html([]);
    expect(html).toContain(
      '<tr class="held"><th scope="row">Kept for now / <span lang="id">Disimpan untuk sementara</span></th><td>Kept until it is delivered. / <span lang="id">Disimpan sampai diterima.</span></td></tr>',
    );
    // Only the order in transit says so.
    expect(html.split('Kept for now')).toHaveLength(2);
    expect(html.indexOf('Kept for now')).toBeLessThan(html.indexOf('ORD-OPEN'));
  });

  it('escapes every value and every field name, so a record cannot add markup to the page', () => {
    const v = view();
    v.add({ '<b>name</b>': '<img src=x onerror=alert(1)>', note: '"><script>alert(1)</script>' });
    const html = v.html([]);
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('shows only the first records of a large store and says where all of them are', () => {
    const v = view({ limit: 3 });
    for (let i = 0; i < 10; i++) v.add({ orderId: `ORD-${i}` });
    const html = v.html(['stores/orders.json', 'stores/orders.csv']);
    expect(v.records).toBe(10);
    expect(html).toContain('This page shows the first 3 of 10 records.');
    expect(html).toContain('<a href="stores/orders.csv">stores/orders.csv</a>');
    expect(html).toContain('ORD-2');
    expect(html).not.toContain('ORD-3');
  });

  it('stops adding records once the page would grow past its byte budget', () => {
    const v = view({ maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) v.add({ note: 'x'.repeat(1_500) });
    const html = v.html([]);
    expect(Buffer.byteLength(html)).toBeLessThan(20_000);
    expect(html).toContain('of 50 records');
  });
});

describe('the page in the language of the request', () => {
  const page = (locale: 'en' | 'id') =>
    renderIndexHtml({
      requestId: '20260315-access-abcdefgh23',
      generatedAt: '2026-03-15T10:00:00.000Z',
      stores: [
        {
          storeId: 'orders',
          description: 'Orders',
          categories: ['transaction'],
          records: 1,
          file: 'stores/orders.json',
          csvFile: 'stores/orders.csv',
          attachments: [{ name: 'invoice.pdf', size: 2048, path: 'stores/documents/files/invoice.pdf' }],
        },
      ],
      about: {
        organisation: 'Impor.in',
        madeAt: '15 Mar 2026, 17.00 WIB',
        formUrl: 'https://dsr.impor.in.example/',
        linkDays: 7,
        zone: 'WIB',
      },
      locale,
    });

  it('puts Indonesian first, with English beside it, for a request made in Indonesian', () => {
    const html = page('id');
    expect(html).toContain('<html lang="id">');
    expect(html).toContain(
      '<h1>Salinan data pribadi Anda / <span lang="en">A copy of your personal data</span></h1>',
    );
    expect(html.indexOf('Ini salinan data pribadi Anda')).toBeLessThan(html.indexOf('This is a copy of'));
    expect(html).toContain(
      '<p lang="en"><strong>This is a copy of the personal data Impor.in holds about you',
    );
  });

  it('opens with what it is, when it was made, for which request, what to do next and how long the link lives', () => {
    const html = page('en');
    const about = html.slice(
      html.indexOf('id="about"'),
      html.indexOf('</section>', html.indexOf('id="about"')),
    );
    expect(about).toContain(
      'made on\n        15 Mar 2026, 17.00 WIB for your request <code>20260315-access-abcdefgh23</code>',
    );
    expect(about).toContain('correct your data, delete it, or stop marketing to you');
    expect(about).toContain('<a href="https://dsr.impor.in.example/">https://dsr.impor.in.example/</a>');
    expect(about).toContain('works for 7 days');
    expect(html).toContain('<li><a href="stores/documents/files/invoice.pdf">invoice.pdf</a> (2.0 KB)</li>');
    expect(html).toContain('<a href="stores/orders.csv">stores/orders.csv</a>');
  });
});
