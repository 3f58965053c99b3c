import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { setTestEnvironment } from '../support/http-support';

setTestEnvironment();
const packageExportTask =
  require('../../functions/tasks/package-export') as typeof import('../../functions/tasks/package-export');

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const requestId = '20260315-access-taskpartnr';
const ORDERS = Buffer.from('{"storeId":"orders","records":[\n{"orderId":"o-1"}\n]}\n');

let uploaded: Buffer | undefined;

beforeEach(() => {
  uploaded = undefined;
  // The person has no earlier requests.
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(GetCommand).resolves({
    Item: {
      requestId,
      type: 'access',
      status: 'in_progress',
      locale: 'en',
      subjectHash: 'd'.repeat(64),
      stores: { orders: { status: 'completed', records: 1 }, logistics: { status: 'escalated' } },
      processors: {
        logistics: {
          processorId: 'logistics',
          name: 'Kirim Cepat Logistics',
          type: 'access',
          idempotencyKey: `${requestId}:logistics:access`,
          deadline: '2026-03-18T10:00:00.000Z',
          notifiedAt: '2026-03-15T10:00:00.000Z',
          status: 'escalated',
          attempts: [
            {
              attempt: 1,
              at: '2026-03-15T10:00:00.000Z',
              durationMs: 9,
              httpStatus: 202,
              outcome: 'accepted',
            },
          ],
          escalation: { at: '2026-03-18T10:00:00.000Z', reason: 'deadline_passed' },
          taskToken: 'token-that-stays-in-the-ledger',
        },
      },
      history: [],
    },
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (input.Key === `exports/${requestId}/stores/orders.json`) return { Body: Readable.from([ORDERS]) };
    throw new NoSuchKey({ message: 'missing', $metadata: {} });
  });
  s3.on(PutObjectCommand).callsFake(async (input: { Body: unknown }) => {
    const body = input.Body;
    if (body instanceof Uint8Array) uploaded = Buffer.from(body);
    else if (body instanceof Readable) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      uploaded = Buffer.concat(chunks);
    } else throw new Error('unexpected upload body');
    return { ETag: '"etag"' };
  });
});
afterEach(() => {
  ddb.reset();
  s3.reset();
});

const ordersResult = {
  storeId: 'orders',
  records: 1,
  sha256: createHash('sha256').update(ORDERS).digest('hex'),
  key: `exports/${requestId}/stores/orders.json`,
  attachments: [],
};

describe('PackageExport with partners', () => {
  it('puts every processor of the data map into the processing record and shows the escalated partner as followed up', async () => {
    const out = await packageExportTask.handler({
      requestId,
      exports: [ordersResult, { storeId: 'logistics', escalated: true, reason: 'deadline_passed' }],
    });

    expect(out).toEqual({ key: `exports/${requestId}/export.zip`, records: 1 });
    const zip = await JSZip.loadAsync(uploaded ?? Buffer.alloc(0));
    const record = JSON.parse((await zip.file('processing-record.json')?.async('string')) ?? '{}');
    expect(
      record.processors.map((p: { id: string; name: string; country: string }) => [p.id, p.name, p.country]),
    ).toEqual([
      ['logistics', 'Kirim Cepat Logistics', 'ID'],
      ['payments', 'BayarKu Payment Gateway', 'ID'],
    ]);
    expect(record.processors[0].calls).toEqual([
      expect.objectContaining({
        type: 'access',
        escalation: { at: '2026-03-18T10:00:00.000Z', reason: 'deadline_passed' },
      }),
    ]);
    expect(record.processors[1].calls).toEqual([]);
    const html = (await zip.file('index.html')?.async('string')) ?? '';
    const logistics = html.slice(
      html.indexOf('id="recipient-logistics"'),
      html.indexOf('id="recipient-payments"'),
    );
    expect(logistics).toContain('Did not answer in time; our support team is following up.');
    // Each store says why and how long, and names its recipients as a person knows them.
    const orders = html.slice(html.indexOf('id="store-orders"'), html.indexOf('id="store-messages"'));
    expect(orders).toContain('Contract / <span lang="id">Kontrak</span>');
    expect(orders).toContain('10 years / <span lang="id">10 tahun</span>');
    expect(orders).toContain('<li>Kirim Cepat Logistics</li>');
    expect(orders).toContain('<li>BayarKu Payment Gateway</li>');
    // A store with nothing in this export is still described, with no file to link.
    const customers = html.slice(html.indexOf('id="store-customers"'), html.indexOf('id="store-orders"'));
    expect(customers).toContain('<strong>0</strong>');
    expect(customers).not.toContain('href=');
    const everything = await Promise.all(Object.values(zip.files).map((f) => f.async('string')));
    expect(everything.join('\n')).not.toContain('token-that-stays-in-the-ledger');
  });

  it('refuses an exports item that is neither a store file nor a partner outcome, before reading anything', async () => {
    await expect(
      packageExportTask.handler({ requestId, exports: [{ storeId: 'logistics', escalated: 'yes' }] }),
    ).rejects.toMatchObject({ name: 'ZodError' });
    expect(ddb.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
