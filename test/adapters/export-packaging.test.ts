import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import JSZip from 'jszip';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { createZipWriter } from '../../functions/aws/zip-writer';
import { packageExport } from '../../functions/core/export/package';
import { type StoreExportResult, writeStoreExport } from '../../functions/core/export/store-export';
import type { ProcessorEvidence } from '../../functions/core/ledger-record';
import type { ExportedRecord } from '../../functions/core/ports';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, emulatorEnvironment, startEmulators } from '../../infra/local/emulators';

const REQUEST_ID = '20260315-access-abcdefgh23';
const BUCKET = 'dsr-exports';
const ORDER_COUNT = 20_000;

let emulators: Emulators;
let s3: S3Client;

beforeAll(async () => {
  emulators = await startEmulators();
  const env = emulatorEnvironment(emulators.endpoints);
  s3 = new S3Client({
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
});

/** Orders in pages of 500, generated lazily: the test itself never holds them all. */
async function* orders(count: number): AsyncIterable<readonly ExportedRecord[]> {
  for (let start = 0; start < count; start += 500) {
    const page: ExportedRecord[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      page.push({
        ref: { kind: 'dynamodb', key: { orderId: `o-${i}` } },
        data: { orderId: `o-${i}`, customerId: 'c-1', total: i * 1000, note: 'Pesanan — ü ✓' },
      });
    }
    yield page;
  }
}

const DOCUMENTS = [
  { name: 'invoice.pdf', bytes: Buffer.from('%PDF-1.4 fake invoice one') },
  { name: 'invoice.pdf', bytes: Buffer.from('%PDF-1.4 fake invoice two') },
  { name: '../../../etc/passwd', bytes: Buffer.alloc(300_000, 7) },
];

async function* documents(): AsyncIterable<readonly ExportedRecord[]> {
  yield DOCUMENTS.map((doc, i) => ({
    ref: { kind: 's3', bucket: 'demo-documents', key: `documents/c-1/${i}` },
    data: { documentId: `d-${i}`, uploadedAt: '2026-01-01T00:00:00Z' },
    attachment: {
      name: doc.name,
      size: doc.bytes.length,
      open: async () => ({ body: Readable.from([doc.bytes]) }),
    },
  }));
}

async function* nothing(): AsyncIterable<readonly ExportedRecord[]> {}

const DEMO = loadDemoDataMap();
/** The demo data map, with a description that needs escaping. */
const DATA_MAP = {
  ...DEMO,
  stores: DEMO.stores.map((st) => (st.id === 'orders' ? { ...st, description: 'Orders & payments' } : st)),
};
const STORE_IDS = ['orders', 'documents', 'messages'];

async function download(key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await (response.Body as NonNullable<typeof response.Body>).transformToByteArray());
}

describe('an access export, written per store and packaged as one zip', () => {
  let results: StoreExportResult[];
  let zip: JSZip;
  let packaged: { key: string; records: number; size: number };

  /** A file of the zip; a missing one fails the test with its name. */
  function entry(name: string): JSZip.JSZipObject {
    const file = zip.file(name);
    if (!file) throw new Error(`zip has no ${name}`);
    return file;
  }
  const text = (name: string) => entry(name).async('string');
  const bytesOf = (name: string) => entry(name).async('nodebuffer');

  beforeAll(async () => {
    const deps = { exports: new S3ObjectStore(s3, BUCKET), zip: createZipWriter };
    results = [
      await writeStoreExport(deps, {
        requestId: REQUEST_ID,
        storeId: 'orders',
        records: orders(ORDER_COUNT),
      }),
      await writeStoreExport(deps, { requestId: REQUEST_ID, storeId: 'documents', records: documents() }),
      await writeStoreExport(deps, { requestId: REQUEST_ID, storeId: 'messages', records: nothing() }),
    ];
    packaged = await packageExport(deps, {
      requestId: REQUEST_ID,
      exports: results,
      dataMap: DATA_MAP,
      generatedAt: new Date('2026-03-15T10:00:00Z'),
    });
    zip = await JSZip.loadAsync(await download(packaged.key));
  });

  it('counts in the manifest what was written for each store', async () => {
    const manifest = JSON.parse(await text('manifest.json'));
    expect(manifest.requestId).toBe(REQUEST_ID);
    expect(manifest.generatedAt).toBe('2026-03-15T10:00:00.000Z');
    expect(
      manifest.stores.map((s: { storeId: string; records: number; attachments: number }) => [
        s.storeId,
        s.records,
        s.attachments,
      ]),
    ).toEqual([
      ['orders', ORDER_COUNT, 0],
      ['documents', 3, 3],
      ['messages', 0, 0],
    ]);
    expect(packaged.records).toBe(ORDER_COUNT + 3);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: packaged.key }));
    expect(head.ContentLength).toBe(packaged.size);
  });

  it('records a sha256 that matches each store file in the zip', async () => {
    const manifest = JSON.parse(await text('manifest.json'));
    for (const store of manifest.stores as { storeId: string; sha256: string; file: string }[]) {
      const bytes = await bytesOf(store.file);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(store.sha256);
    }
  });

  it('holds store files that parse and contain every record', async () => {
    const ordersFile = JSON.parse(await text('stores/orders.json'));
    expect(ordersFile.storeId).toBe('orders');
    expect(ordersFile.records).toHaveLength(ORDER_COUNT);
    expect(ordersFile.records[ORDER_COUNT - 1]).toEqual({
      orderId: `o-${ORDER_COUNT - 1}`,
      customerId: 'c-1',
      total: (ORDER_COUNT - 1) * 1000,
      note: 'Pesanan — ü ✓',
    });
    const empty = JSON.parse(await text('stores/messages.json'));
    expect(empty).toEqual({ storeId: 'messages', records: [] });
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.json'))) {
      await expect(text(name).then(JSON.parse)).resolves.toBeDefined();
    }
  });

  it('links each document record to its own file with the original bytes, under a safe name', async () => {
    const docs = JSON.parse(await text('stores/documents.json'));
    const files = docs.records.map((r: { file: string }) => r.file);
    expect(files).toEqual([
      'documents/files/invoice.pdf',
      'documents/files/invoice-2.pdf',
      'documents/files/passwd',
    ]);
    for (const [i, file] of files.entries()) {
      const bytes = await bytesOf(`stores/${file}`);
      expect(bytes.equals(DOCUMENTS[i]?.bytes ?? Buffer.alloc(0))).toBe(true);
    }
    expect(Object.keys(zip.files).some((n) => n.includes('..'))).toBe(false);
  });

  it('keeps every object of the request under its own prefix', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !/^exports\/[0-9]{8}-access-[a-z2-7]{10}\/[A-Za-z0-9._/-]+$/.test(k))).toEqual(
      [],
    );
    expect(keys.filter((k) => k.includes('..'))).toEqual([]);
  });

  it('has an index.html that names each store, its kinds of data in EN/ID and its record count', async () => {
    const html = await text('index.html');
    for (const id of STORE_IDS) expect(html).toContain(`(${id})`);
    expect(html).toContain('Orders &amp; payments');
    expect(html).toContain('Transaction information');
    expect(html).toContain('Informasi transaksi');
    expect(html).toContain('Komunikasi');
    expect(html).toContain(`<strong>${ORDER_COUNT}</strong>`);
    expect(html).toContain('href="stores/documents/files/invoice-2.pdf"');
  });
});

describe('failures while exporting', () => {
  it('leaves no store file behind when reading the store fails midway through a multipart upload', async () => {
    const requestId = '20260315-access-failfailfa';
    async function* failing(): AsyncIterable<readonly ExportedRecord[]> {
      yield* orders(80_000); // past one 5 MiB part, so a multipart upload is under way
      throw new Error('store unavailable');
    }
    await expect(
      writeStoreExport(
        { exports: new S3ObjectStore(s3, BUCKET) },
        { requestId, storeId: 'orders', records: failing() },
      ),
    ).rejects.toThrow('store unavailable');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `exports/${requestId}/` }),
    );
    expect(listed.Contents ?? []).toHaveLength(0);
  });

  it('refuses to package a store file that changed since it was written, and stores no zip', async () => {
    const requestId = '20260315-access-changedabc';
    const deps = { exports: new S3ObjectStore(s3, BUCKET), zip: createZipWriter };
    const result = await writeStoreExport(deps, { requestId, storeId: 'orders', records: orders(10) });
    const tampered = { ...result, sha256: '0'.repeat(64) };
    await expect(
      packageExport(deps, { requestId, exports: [tampered], dataMap: DATA_MAP }),
    ).rejects.toMatchObject({ name: 'ExportIntegrityError' });
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `exports/${requestId}/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([
      `exports/${requestId}/stores/orders.columns.json`,
      `exports/${requestId}/stores/orders.json`,
    ]);
  });

  it('refuses a columns file that changed since the store file was written, and stores no zip', async () => {
    const requestId = '20260315-access-columnsabc';
    const deps = { exports: new S3ObjectStore(s3, BUCKET), zip: createZipWriter };
    const result = await writeStoreExport(deps, { requestId, storeId: 'orders', records: orders(10) });
    await deps.exports.put(
      `exports/${requestId}/stores/orders.columns.json`,
      JSON.stringify({ columns: ['orderId'], overflow: false }),
      { contentType: 'application/json' },
    );
    await expect(
      packageExport(deps, { requestId, exports: [result], dataMap: DATA_MAP }),
    ).rejects.toMatchObject({ name: 'ExportIntegrityError' });
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `exports/${requestId}/export.zip` }),
    );
    expect(listed.Contents ?? []).toHaveLength(0);
  });
});

describe('CSV columns learnt while a store file is written', () => {
  /** Records whose JSON reads back differently from the object: a Date, an undefined field, a Set, a Buffer, NaN. */
  async function* odd(): AsyncIterable<readonly ExportedRecord[]> {
    yield [
      {
        ref: { kind: 'dynamodb', key: { id: 'a' } },
        data: { id: 'a', at: new Date('2026-03-15T10:00:00Z'), gone: undefined, tags: new Set(['x']) },
      },
      {
        ref: { kind: 'dynamodb', key: { id: 'b' } },
        data: { id: 'b', blob: Buffer.from('hi'), score: Number.NaN, nested: { deep: { er: 1 }, empty: {} } },
      },
      { ref: { kind: 'dynamodb', key: { id: 'c' } }, data: { id: 'c', items: [{ sku: 's', qty: 1 }] } },
    ];
  }

  async function csvOfPackage(requestId: string, learnt: boolean): Promise<string> {
    const deps = { exports: new S3ObjectStore(s3, BUCKET), zip: createZipWriter };
    const written = await writeStoreExport(deps, { requestId, storeId: 'orders', records: odd() });
    expect(written.columnsSha256).toMatch(/^[0-9a-f]{64}$/);
    // A result without the columns' hash is one written before they were learnt: packaging learns them itself.
    const { columnsSha256: _, ...before } = written;
    const packaged = await packageExport(deps, {
      requestId,
      exports: [learnt ? written : before],
      dataMap: DATA_MAP,
    });
    const zip = await JSZip.loadAsync(await download(packaged.key));
    return (await zip.file('stores/orders.csv')?.async('string')) ?? '';
  }

  it('gives the same CSV as learning them from the file, even for records whose JSON reads back differently', async () => {
    const learnt = await csvOfPackage('20260315-access-learntabcd', true);
    const relearnt = await csvOfPackage('20260315-access-relearntab', false);
    expect(learnt).toBe(relearnt);
    expect(learnt.split('\r\n')[0]).toBe(
      '\uFEFFid,at,tags,blob.type,blob.data,score,nested.deep.er,nested.empty,items',
    );
  });
});

function logisticsCall(requestId: string, over: Partial<ProcessorEvidence>): ProcessorEvidence {
  return {
    processorId: 'logistics',
    name: 'Kirim Cepat Logistics',
    type: 'access',
    idempotencyKey: `${requestId}:logistics:access`,
    deadline: '2026-03-18T10:00:00.000Z',
    notifiedAt: '2026-03-15T09:00:00.000Z',
    status: 'acknowledged',
    attempts: [
      { attempt: 1, at: '2026-03-15T09:00:00.000Z', durationMs: 12, httpStatus: 503, outcome: 'retry' },
      {
        attempt: 2,
        at: '2026-03-15T09:00:01.000Z',
        durationMs: 15,
        httpStatus: 200,
        outcome: 'acknowledged',
      },
    ],
    ...over,
  };
}

async function* shipments(): AsyncIterable<readonly ExportedRecord[]> {
  yield [1, 2].map((i) => ({
    ref: { kind: 'processor' as const, processorId: 'logistics', reference: 'KCL-7F3A9C' },
    data: { shipmentId: `s-${i}`, recipient: 'Budi Example', address: 'Jl. Contoh 1' },
  }));
}

describe('an access export that reached partners', () => {
  const deps = () => ({ exports: new S3ObjectStore(s3, BUCKET), zip: createZipWriter });

  async function packaged(requestId: string, exports: unknown[], processorCalls: ProcessorEvidence[]) {
    const result = await packageExport(deps(), {
      requestId,
      exports,
      dataMap: DATA_MAP,
      processorCalls,
      generatedAt: new Date('2026-03-15T10:00:00Z'),
    });
    const zip = await JSZip.loadAsync(await download(result.key));
    const read = async (name: string) => {
      const file = zip.file(name);
      if (!file) throw new Error(`zip has no ${name}`);
      return file.async('string');
    };
    return { result, zip, read };
  }

  it('lists every processor as a recipient and the partner calls of this request in processing-record.json, and the records a partner sent as a store file', async () => {
    const requestId = '20260315-access-partnersaa';
    const orders_ = await writeStoreExport(deps(), { requestId, storeId: 'orders', records: orders(3) });
    const logistics = await writeStoreExport(deps(), {
      requestId,
      storeId: 'logistics',
      records: shipments(),
    });
    const call = logisticsCall(requestId, {
      ack: {
        at: '2026-03-15T09:00:01.000Z',
        via: 'response',
        status: 'completed',
        reference: 'KCL-7F3A9C',
        records: 2,
      },
    });

    const { result, read } = await packaged(requestId, [orders_, logistics], [call]);

    const record = JSON.parse(await read('processing-record.json'));
    expect(record.processors).toEqual([
      {
        id: 'logistics',
        name: 'Kirim Cepat Logistics',
        country: 'ID',
        purposes: ['service'],
        calls: [
          { type: 'access', notifiedAt: '2026-03-15T09:00:00.000Z', attempts: call.attempts, ack: call.ack },
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
    expect(record.history).toEqual([]);
    const records = Object.fromEntries(
      record.stores.map((st: { storeId: string; records: number }) => [st.storeId, st.records]),
    );
    expect(records).toMatchObject({ orders: 3, logistics: 2, customers: 0, payments: 0 });
    expect(JSON.parse(await read('stores/logistics.json')).records).toHaveLength(2);
    expect(result.records).toBe(5);
    const manifest = JSON.parse(await read('manifest.json'));
    expect(manifest.processors).toEqual([{ processorId: 'logistics', status: 'acknowledged' }]);
    expect(manifest.stores.map((s: { storeId: string }) => s.storeId)).toEqual(['orders', 'logistics']);
    expect(manifest.processingRecord.sha256).toBe(
      createHash('sha256')
        .update(await read('processing-record.json'))
        .digest('hex'),
    );
    // The manifest holds ids and counts: no processor names or references.
    expect(JSON.stringify(manifest)).not.toMatch(/Kirim Cepat|BayarKu|KCL-/);
  });

  it('shows in index.html who receives the data, in English and Indonesian, and what each partner did for this request', async () => {
    const requestId = '20260315-access-partnersbb';
    const logistics = await writeStoreExport(deps(), {
      requestId,
      storeId: 'logistics',
      records: shipments(),
    });
    const call = logisticsCall(requestId, {
      ack: {
        at: '2026-03-15T09:00:01.000Z',
        via: 'response',
        status: 'completed',
        reference: 'KCL-7F3A9C',
        records: 2,
      },
    });

    const { read } = await packaged(requestId, [logistics], [call]);

    const html = await read('index.html');
    expect(html).toContain('Who receives your data / <span lang="id">Siapa yang menerima data Anda</span>');
    const logisticsItem = html.slice(
      html.indexOf('id="recipient-logistics"'),
      html.indexOf('id="recipient-payments"'),
    );
    expect(logisticsItem).toContain('<strong>Kirim Cepat Logistics</strong> (ID)');
    expect(logisticsItem).toContain('sent the data it holds about you');
    expect(logisticsItem).toContain('href="stores/logistics.json"');
    const paymentsItem = html.slice(html.indexOf('id="recipient-payments"'));
    expect(paymentsItem).toContain('<strong>BayarKu Payment Gateway</strong>');
    expect(paymentsItem).toContain('this partner does not handle access requests');
    expect(paymentsItem).toContain('mitra ini tidak melayani permintaan akses');
    expect(html).toContain('<h2>Kirim Cepat Logistics <small>(logistics)</small></h2>');
  });

  it('says a partner that answered with no records holds no data about the subject', async () => {
    const requestId = '20260315-access-partnersff';
    async function* none(): AsyncIterable<readonly ExportedRecord[]> {}
    const logistics = await writeStoreExport(deps(), { requestId, storeId: 'logistics', records: none() });
    const call = logisticsCall(requestId, {
      ack: { at: '2026-03-15T09:00:01.000Z', via: 'response', status: 'not_found', reference: 'KCL-NONE01' },
    });

    const { read } = await packaged(requestId, [logistics], [call]);

    const html = await read('index.html');
    const logisticsItem = html.slice(
      html.indexOf('id="recipient-logistics"'),
      html.indexOf('id="recipient-payments"'),
    );
    expect(logisticsItem).toContain('Answered our request: it holds no data about you.');
    expect(logisticsItem).not.toContain('sent the data it holds about you');
  });

  it('shows a partner that did not answer in time as being followed up by our support team, with no file for it', async () => {
    const requestId = '20260315-access-partnerscc';
    const orders_ = await writeStoreExport(deps(), { requestId, storeId: 'orders', records: orders(1) });
    const call = logisticsCall(requestId, {
      status: 'escalated',
      attempts: [
        { attempt: 1, at: '2026-03-15T09:00:00.000Z', durationMs: 20, httpStatus: 202, outcome: 'accepted' },
      ],
      escalation: { at: '2026-03-18T10:00:00.000Z', reason: 'deadline_passed' },
    });

    const { zip, read } = await packaged(
      requestId,
      [orders_, { storeId: 'logistics', escalated: true, reason: 'deadline_passed' }],
      [call],
    );

    const html = await read('index.html');
    const logisticsItem = html.slice(
      html.indexOf('id="recipient-logistics"'),
      html.indexOf('id="recipient-payments"'),
    );
    expect(logisticsItem).toContain('Did not answer in time; our support team is following up.');
    expect(logisticsItem).toContain('Tidak menjawab tepat waktu; tim dukungan kami sedang menindaklanjuti.');
    expect(zip.file('stores/logistics.json')).toBeNull();
    const record = JSON.parse(await read('processing-record.json'));
    expect(record.processors[0].calls[0].escalation).toEqual({
      at: '2026-03-18T10:00:00.000Z',
      reason: 'deadline_passed',
    });
    expect(JSON.parse(await read('manifest.json')).processors).toEqual([
      { processorId: 'logistics', status: 'escalated' },
    ]);
  });

  it('includes the records of a partner whose callback beat the escalation, with their hash in the manifest', async () => {
    const requestId = '20260315-access-partnersdd';
    // The callback wrote the file; the workflow only learnt that the escalation lost the race.
    await writeStoreExport(deps(), { requestId, storeId: 'logistics', records: shipments() });
    const call = logisticsCall(requestId, {
      ack: {
        at: '2026-03-18T09:59:59.000Z',
        via: 'callback',
        status: 'completed',
        reference: 'KCL-7F3A9C',
        records: 2,
      },
    });

    const { zip, read } = await packaged(requestId, [{ storeId: 'logistics', escalated: false }], [call]);

    const manifest = JSON.parse(await read('manifest.json'));
    const file = await read('stores/logistics.json');
    const csv = await zip.file('stores/logistics.csv')?.async('nodebuffer');
    expect(manifest.stores).toEqual([
      {
        storeId: 'logistics',
        records: 2,
        sha256: createHash('sha256').update(file).digest('hex'),
        file: 'stores/logistics.json',
        csv: {
          file: 'stores/logistics.csv',
          sha256: createHash('sha256')
            .update(csv ?? '')
            .digest('hex'),
        },
        attachments: 0,
      },
    ]);
    expect(await read('index.html')).toContain('sent the data it holds about you');
  });

  it('refuses a partner outcome that is neither a store file nor an escalation, and stores no zip', async () => {
    const requestId = '20260315-access-partnersee';

    await expect(packaged(requestId, [{ storeId: 'logistics', escalated: 'yes' }], [])).rejects.toMatchObject(
      { name: 'ZodError' },
    );
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `exports/${requestId}/` }),
    );
    expect(listed.Contents ?? []).toHaveLength(0);
  });
});
