import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { keyedHash } from '../../functions/core/crypto';
import { lambdaContext } from '../support/lambda-context';
import { apiEvent, fakeLedger, mockDocumentClient, setTestEnvironment, TEST_KEY_HEX } from './http-support';

setTestEnvironment();
const status =
  require('../../functions/http/get-request-status') as typeof import('../../functions/http/get-request-status');
const download =
  require('../../functions/http/download-export') as typeof import('../../functions/http/download-export');
const pages = require('../../functions/http/pages') as typeof import('../../functions/http/pages');

const ddb = mockDocumentClient();
const s3 = mockClient(S3Client);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-access-abcdefghij';
const STATUS_TOKEN = 'status-token-for-tests-0123456789';
const EXPORT_TOKEN = 'export-token-for-tests-0123456789';
let ledger: ReturnType<typeof fakeLedger>;

function plant(overrides: Record<string, unknown> = {}) {
  ledger.set(requestId, {
    requestId,
    type: 'access',
    status: 'completed',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-01-01T00:00:00.000Z',
    dueAt: '2026-01-04T00:00:00.000Z',
    updatedAt: '2026-01-01T00:05:00.000Z',
    subjectHash: 'h',
    contact: { email: 'someone@example.com', fullName: 'Test Person' },
    statusTokenHash: keyedHash(key, 'status-token', STATUS_TOKEN),
    stores: { orders: { status: 'completed', records: 3 }, customers: { status: 'in_progress' } },
    exportInfo: {
      key: `exports/${requestId}/export.zip`,
      tokenHash: keyedHash(key, 'export-token', EXPORT_TOKEN),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      downloads: 0,
    },
    history: [{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z', note: 'x' }],
    ...overrides,
  });
}

beforeEach(() => {
  ledger = fakeLedger(ddb);
});
afterEach(() => {
  ddb.reset();
  s3.reset();
});

const getStatus = (headers: Record<string, string>, id = requestId) =>
  status.handler(
    apiEvent({ resource: '/requests/{requestId}', pathParameters: { requestId: id }, headers }),
    lambdaContext(),
  );

describe('GET /requests/{requestId}', () => {
  it('shows the holder of the status token per-store progress and never contact data', async () => {
    plant();
    const res = await getStatus({ Authorization: `Bearer ${STATUS_TOKEN}` });
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ requestId, type: 'access', status: 'completed', jurisdiction: 'ID' });
    expect(body.stores).toEqual([
      { storeId: 'customers', status: 'in_progress' },
      { storeId: 'orders', status: 'completed', records: 3 },
    ]);
    expect(body.history).toEqual([{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }]);
    expect(res.body).not.toContain('example.com');
    expect(res.body).not.toContain('Test Person');
  });

  it('tells the holder of a delete in its grace period when erasure starts, but never the cancel token hash', async () => {
    plant({
      type: 'delete',
      status: 'scheduled',
      erasureSchedule: { graceEndsAt: '2026-01-02T00:00:00.000Z', cancelTokenHash: 'cancel-hash-value' },
    });
    const res = await getStatus({ Authorization: `Bearer ${STATUS_TOKEN}` });
    expect(JSON.parse(res.body)).toMatchObject({
      status: 'scheduled',
      erasureStartsAt: '2026-01-02T00:00:00.000Z',
    });
    expect(res.body).not.toContain('cancel-hash-value');
  });

  it('asks for the token with 401 when it is missing', async () => {
    plant();
    expect((await getStatus({})).statusCode).toBe(401);
  });

  it('answers a wrong token and an unknown id with the same 404', async () => {
    plant();
    const wrong = await getStatus({ Authorization: 'Bearer not-the-token-at-all-000000' });
    const unknown = await getStatus(
      { Authorization: `Bearer ${STATUS_TOKEN}` },
      '20260101-access-zzzzzzzzzz',
    );
    expect(wrong.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(wrong.body).toBe(unknown.body);
  });
});

const getExport = (token?: string) =>
  download.handler(
    apiEvent({
      resource: '/requests/{requestId}/export',
      pathParameters: { requestId },
      queryStringParameters: token ? { token } : null,
    }),
    lambdaContext(),
  );

describe('GET /requests/{requestId}/export', () => {
  it('redirects the emailed link to a short-lived pre-signed URL and counts the download', async () => {
    plant();
    const res = await getExport(EXPORT_TOKEN);
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers?.location as string);
    expect(location.pathname).toContain(`exports/${requestId}/export.zip`);
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    expect(location.searchParams.get('response-content-disposition')).toContain(
      `impor-in-data-${requestId}.zip`,
    );
    expect(res.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(ledger.get(requestId)?.exportInfo).toMatchObject({ downloads: 1 });
  });

  it('refuses a wrong token with 403', async () => {
    plant();
    const res = await getExport('wrong-token-wrong-token-wrong-token');
    expect(res.statusCode).toBe(403);
    expect(res.headers?.location).toBeUndefined();
  });

  it('tells the person an expired link has expired with 410', async () => {
    plant({
      exportInfo: {
        key: 'k',
        tokenHash: keyedHash(key, 'export-token', EXPORT_TOKEN),
        expiresAt: new Date(Date.now() - 1000).toISOString(),
        downloads: 0,
      },
    });
    const res = await getExport(EXPORT_TOKEN);
    expect(res.statusCode).toBe(410);
  });
});

describe('pages', () => {
  const get = (resource: string, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
    pages.handler(apiEvent({ resource, ...extra }), lambdaContext());

  it('reports health', async () => {
    const res = await get('/health');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('serves the request form with a CSP that allows exactly its inline script', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="email"');
    const script = /<script>([\s\S]*)<\/script>/.exec(res.body)?.[1] ?? '';
    const hash = require('node:crypto').createHash('sha256').update(script).digest('base64');
    expect(res.headers?.['content-security-policy']).toContain(`'sha256-${hash}'`);
  });

  it('shows a confirmation button for the emailed link and never verifies on GET', async () => {
    const res = await get('/requests/{requestId}/verify', {
      pathParameters: { requestId },
      queryStringParameters: { token: 'link-token-for-tests-0123456789' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('method="post"');
    expect(res.body).toContain('value="link-token-for-tests-0123456789"');
    expect(ddb.calls()).toHaveLength(0);
  });
});
