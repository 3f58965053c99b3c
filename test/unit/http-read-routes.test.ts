import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetRateLimiter } from '../../functions/aws/rate-limit';
import { keyedHash } from '../../functions/core/crypto';
import { verifiedBrowserProof } from '../../functions/core/requests/verified-browser';
import { HTTP_FUNCTIONS } from '../../functions/deployment';
import {
  apiEvent,
  fakeLedger,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';

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
const OTHER_ID = '20260101-access-klmnopqrst';
const OTHER_EXPORT_TOKEN = 'other-export-token-for-tests-987654';
let ledger: ReturnType<typeof fakeLedger>;

// The rate limiter's clock: 2026-01-01T00:00:00Z starts a 10-minute window.
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let now = T0;

function plant(overrides: Record<string, unknown> = {}, id = requestId, exportToken = EXPORT_TOKEN) {
  ledger.set(id, {
    requestId: id,
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
      key: `exports/${id}/export.zip`,
      tokenHash: keyedHash(key, 'export-token', exportToken),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      downloads: 0,
    },
    history: [{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z', note: 'x' }],
    ...overrides,
  });
}

beforeEach(() => {
  now = T0;
  resetRateLimiter(() => new Date(now));
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

const getExport = (token?: string, id = requestId, sourceIp = '203.0.113.7') =>
  download.handler(
    apiEvent({
      resource: '/requests/{requestId}/export',
      pathParameters: { requestId: id },
      queryStringParameters: token ? { token } : null,
      requestContext: { identity: { sourceIp } } as APIGatewayProxyEvent['requestContext'],
    }),
    lambdaContext(),
  );

const downloadsOf = (id: string) =>
  (ledger.get(id)?.exportInfo as { downloads: number } | undefined)?.downloads;

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

  it("refuses one request's export token on another request, exactly like a wrong token", async () => {
    // Prepare: two finished requests, each with its own emailed token.
    plant();
    plant({}, OTHER_ID, OTHER_EXPORT_TOKEN);
    // Act: the other request's (valid) token against this request, and a plain wrong token.
    const crossed = await getExport(OTHER_EXPORT_TOKEN);
    const wrong = await getExport('wrong-token-wrong-token-wrong-token');
    // Assess
    expect(crossed.statusCode).toBe(403);
    expect(crossed.body).toBe(wrong.body);
    expect(crossed.headers?.location).toBeUndefined();
    expect(downloadsOf(requestId)).toBe(0);
    expect(downloadsOf(OTHER_ID)).toBe(0);
  });

  it('refuses a tampered export token', async () => {
    plant();
    const last = EXPORT_TOKEN.at(-1) === 'x' ? 'y' : 'x';
    for (const tampered of [
      `${EXPORT_TOKEN.slice(0, -1)}${last}`,
      `${EXPORT_TOKEN}0`,
      EXPORT_TOKEN.slice(0, -1),
      EXPORT_TOKEN.toUpperCase(),
    ]) {
      const res = await getExport(tampered);
      expect({ tampered, status: res.statusCode, location: res.headers?.location }).toEqual({
        tampered,
        status: 403,
        location: undefined,
      });
    }
    expect(downloadsOf(requestId)).toBe(0);
  });

  it("redirects to a pre-signed URL that expires within 5 minutes and names only this request's export", async () => {
    plant();
    plant({}, OTHER_ID, OTHER_EXPORT_TOKEN);
    const res = await getExport(EXPORT_TOKEN);
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers?.location as string);
    const expires = Number(location.searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(0);
    expect(expires).toBeLessThanOrEqual(300);
    // Virtual-hosted style: the bucket is in the host, the key is the whole path.
    expect(location.hostname.startsWith('dsr-exports.')).toBe(true);
    expect(decodeURIComponent(location.pathname)).toBe(`/exports/${requestId}/export.zip`);
    expect(res.headers?.location).not.toContain(OTHER_ID);
    expect(downloadsOf(OTHER_ID)).toBe(0);
  });
});

describe('GET /requests/{requestId}/export from the status page (no token)', () => {
  const token = 's'.repeat(43);
  const fromBrowser = (cookie: string | undefined, id = requestId) =>
    download.handler(
      apiEvent({
        resource: '/requests/{requestId}/export',
        pathParameters: { requestId: id },
        headers: cookie ? { cookie } : {},
      }),
      lambdaContext(),
    );

  it('redirects the browser that entered the code to the zip, and refuses every other browser alike', async () => {
    // Prepare
    plant({ statusTokenHash: keyedHash(key, 'status-token', token) });
    plant({ statusTokenHash: keyedHash(key, 'status-token', token) }, OTHER_ID, OTHER_EXPORT_TOKEN);
    const proof = verifiedBrowserProof(key, requestId, token);

    // Act
    const verified = await fromBrowser(
      `dsr_status=${requestId}.${token}; dsr_verified=${requestId}.${proof}`,
    );
    const refused = await Promise.all([
      fromBrowser(undefined),
      fromBrowser(`dsr_status=${requestId}.${token}`),
      fromBrowser(`dsr_verified=${requestId}.${proof}`),
      fromBrowser(`dsr_status=${requestId}.${'t'.repeat(43)}; dsr_verified=${requestId}.${proof}`),
      // One request's proof does not open another request, even with the same status token.
      fromBrowser(`dsr_status=${OTHER_ID}.${token}; dsr_verified=${OTHER_ID}.${proof}`, OTHER_ID),
    ]);

    // Assess
    expect(verified.statusCode).toBe(302);
    expect(new URL(verified.headers?.location as string).pathname).toContain(
      `exports/${requestId}/export.zip`,
    );
    expect(refused.map((r) => [r.statusCode, r.headers?.location])).toEqual(
      refused.map(() => [403, undefined]),
    );
  });
});

describe('GET /requests/{requestId}/certificate (the certificate of erasure, from the status page)', () => {
  const token = 's'.repeat(43);
  const deleteId = '20260101-delete-abcdefghij';
  const htmlKey = `certificates/${deleteId}/certificate.html`;
  const fromBrowser = (cookie: string | undefined, id = deleteId) =>
    download.handler(
      apiEvent({
        resource: '/requests/{requestId}/certificate',
        pathParameters: { requestId: id },
        headers: cookie ? { cookie } : {},
      }),
      lambdaContext(),
    );
  const cookiesFor = (id: string) =>
    `dsr_status=${id}.${token}; dsr_verified=${id}.${verifiedBrowserProof(key, id, token)}`;

  it('shows the browser that entered the code its certificate, and refuses every other browser alike', async () => {
    // Prepare: a completed delete with its certificate in the audit bucket, and another without one yet
    const certificate = {
      jsonKey: htmlKey.replace('.html', '.json'),
      htmlKey,
      issuedAt: '2026-01-02T00:00:00Z',
    };
    plant({ type: 'delete', statusTokenHash: keyedHash(key, 'status-token', token), certificate }, deleteId);
    plant({ type: 'delete', statusTokenHash: keyedHash(key, 'status-token', token) }, OTHER_ID);
    s3.on(GetObjectCommand, { Bucket: 'dsr-audit', Key: htmlKey }).resolves({
      Body: Readable.from([Buffer.from('<!doctype html><title>Certificate of erasure</title>')]) as never,
    });

    // Act
    const verified = await fromBrowser(cookiesFor(deleteId));
    const refused = await Promise.all([
      fromBrowser(undefined),
      fromBrowser(`dsr_status=${deleteId}.${token}`),
      fromBrowser(`dsr_status=${deleteId}.${'t'.repeat(43)}; dsr_verified=${deleteId}.${'0'.repeat(64)}`),
      // The right browser for a request with no certificate yet: the same refusal.
      fromBrowser(cookiesFor(OTHER_ID), OTHER_ID),
    ]);

    // Assess
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('Certificate of erasure');
    expect(verified.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(verified.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect(refused.map((r) => [r.statusCode, r.body.includes('Certificate of erasure')])).toEqual(
      refused.map(() => [403, false]),
    );
    // Only the certificate's page was read, from the audit bucket.
    expect(
      s3.commandCalls(GetObjectCommand).map((c) => [c.args[0].input.Bucket, c.args[0].input.Key]),
    ).toEqual([['dsr-audit', htmlKey]]);
  });
});

describe('GET /requests/{requestId}/export rate limit per client IP', () => {
  /** 30 guesses from one address: wrong tokens, malformed ones and unknown ids all count. */
  async function useUpBudget(sourceIp = '203.0.113.7') {
    for (let i = 0; i < 30; i++) {
      const res =
        i % 3 === 0
          ? await getExport(`guess-${String(i).padStart(30, '0')}`, requestId, sourceIp)
          : i % 3 === 1
            ? await getExport(undefined, requestId, sourceIp)
            : await getExport(EXPORT_TOKEN, `20260101-access-probe${String(i).padStart(5, 'a')}`, sourceIp);
      expect(res.statusCode).toBe(403);
    }
  }

  it('declares the rate-limit counters in its access list, so the stack grants and configures them', () => {
    expect(HTTP_FUNCTIONS.DownloadExport.access).toContain('limits:write');
  });

  it('answers the 31st attempt in 10 minutes with 429 and Retry-After, even with the right token', async () => {
    // Prepare
    plant();
    await useUpBudget();
    now = T0 + 120_000;
    // Act
    const res = await getExport(EXPORT_TOKEN);
    // Assess
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('480');
    expect(JSON.parse(res.body).error).toBe('rate_limited');
    expect(res.headers?.location).toBeUndefined();
    expect(downloadsOf(requestId)).toBe(0);
  });

  it('lets the same client download once the window has passed', async () => {
    plant();
    await useUpBudget();
    now = T0 + 600_000;
    expect((await getExport(EXPORT_TOKEN)).statusCode).toBe(302);
  });

  it("does not hold one client back for another one's guesses", async () => {
    plant();
    await useUpBudget('198.51.100.20');
    expect((await getExport(EXPORT_TOKEN)).statusCode).toBe(302);
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

  it('sends a browser that opened the stage without its trailing slash (…/prod) to …/prod/', async () => {
    const at = (path: string) =>
      get('/', { requestContext: { path, identity: { sourceIp: '203.0.113.7' } } as never });
    const redirected = await at('/prod');
    expect(redirected.statusCode).toBe(301);
    expect(redirected.headers?.location).toBe('/prod/');
    expect((await at('/prod/')).statusCode).toBe(200);
    // A custom domain's root, and never a redirect off the site.
    expect((await at('/')).statusCode).toBe(200);
    expect((await at('//evil.example')).statusCode).toBe(200);
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

describe('GET /requests/{requestId}/status (the page a person comes back to)', () => {
  const { statusLinkToken } =
    require('../../functions/core/crypto') as typeof import('../../functions/core/crypto');
  const page = (query: Record<string, string> | null, headers: Record<string, string> = {}, id = requestId) =>
    status.handler(
      apiEvent({
        resource: '/requests/{requestId}/status',
        pathParameters: { requestId: id },
        queryStringParameters: query,
        headers,
      }),
      lambdaContext(),
    );

  it('opens with the emailed read-only link, in Indonesian by default, with the due hour in WIB', async () => {
    plant({ status: 'in_progress', jurisdiction: 'ID' });
    const res = await page({ token: statusLinkToken(key, requestId) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="id">');
    expect(res.body).toContain('Saat ini: sedang diproses');
    // 2026-01-04T00:00Z is 07.00 in Jakarta.
    expect(res.body).toMatch(/Kami akan menjawab paling lambat Minggu, 04 Januari 2026 pukul 07\.00 WIB/);
    expect(res.body).toContain('Informasi transaksi');
    expect(res.body).not.toContain('someone@example.com');
    expect(res.body).not.toMatch(/<form/);
  });

  it('opens with the status token this browser kept, in English when asked, saying what happened in plain words', async () => {
    plant();
    const res = await page({ lang: 'en' }, { Cookie: `dsr_status=${requestId}.${'s'.repeat(43)}` });
    // The planted token is not of the cookie's shape: the real one is 43 base64url characters.
    expect(res.statusCode).toBe(404);
    plant({ statusTokenHash: keyedHash(key, 'status-token', 's'.repeat(43)) });
    const ok = await page({ lang: 'en' }, { Cookie: `dsr_status=${requestId}.${'s'.repeat(43)}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<html lang="en">');
    expect(ok.body).toContain('Your copy is ready. We emailed you a download link');
    expect(ok.multiValueHeaders?.['set-cookie']).toEqual([expect.stringMatching(/^dsr_lang=en; Path=\/;/)]);
  });

  it('links the download only for the browser that entered the code, never for the emailed status link', async () => {
    // Prepare: the cookies the code form sets (status token, and the proof issued when the code was right)
    const token = 's'.repeat(43);
    plant({ statusTokenHash: keyedHash(key, 'status-token', token) });
    const proof = verifiedBrowserProof(key, requestId, token);
    const cookies = `dsr_status=${requestId}.${token}; dsr_verified=${requestId}.${proof}`;

    // Act
    const verified = await page({ lang: 'en' }, { Cookie: cookies });
    const emailLink = await page({ lang: 'en', token: statusLinkToken(key, requestId) });
    const submitterOnly = await page({ lang: 'en' }, { Cookie: `dsr_status=${requestId}.${token}` });
    const forgedProof = await page(
      { lang: 'en' },
      { Cookie: `dsr_status=${requestId}.${token}; dsr_verified=${requestId}.${'0'.repeat(64)}` },
    );

    // Assess
    expect(verified.body).toContain('<a id="download" href="export">Download your data (a zip file)</a>');
    for (const res of [emailLink, submitterOnly, forgedProof]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('id="download"');
      expect(res.body).toContain('We emailed you a download link');
    }
  });

  it('answers a wrong link, another request’s link and no credential alike with a 404 page', async () => {
    plant();
    const wrong = await page({ token: 'x'.repeat(43) });
    const other = await page({ token: statusLinkToken(key, OTHER_ID) });
    const none = await page(null);
    for (const res of [wrong, other, none]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).toContain('Status tidak tersedia');
    }
  });
});

describe('pages in both languages', () => {
  const get = (resource: string, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
    pages.handler(apiEvent({ resource, ...extra }), lambdaContext());

  it('picks ?lang=, then the remembered choice, then Accept-Language, then Indonesian, with a switch to the other', async () => {
    const plain = await get('/');
    const asked = await get('/', { queryStringParameters: { lang: 'en' } });
    const remembered = await get('/', { headers: { cookie: 'dsr_lang=en', 'accept-language': 'id' } });
    const browser = await get('/', { headers: { 'accept-language': 'fr;q=1, en;q=0.8, id;q=0.5' } });
    expect(plain.body).toContain('<html lang="id">');
    expect(plain.body).toContain('<a href="./?lang=en" lang="en" hreflang="en">English</a>');
    expect(asked.body).toContain('<html lang="en">');
    expect(asked.body).toContain('<a href="./?lang=id" lang="id" hreflang="id">Bahasa Indonesia</a>');
    expect(asked.multiValueHeaders?.['set-cookie']).toContainEqual(expect.stringMatching(/^dsr_lang=en;/));
    expect(remembered.body).toContain('<html lang="en">');
    expect(browser.body).toContain('<html lang="en">');
  });

  it('keeps the emailed token in the language switch of a link page', async () => {
    const res = await get('/requests/{requestId}/verify', {
      pathParameters: { requestId },
      queryStringParameters: { token: 'link-token-for-tests-0123456789' },
    });
    expect(res.body).toContain('href="verify?token=link-token-for-tests-0123456789&#38;lang=en"');
  });

  it('asks for the new address code only when the browser submitted a correction of the email address', async () => {
    const token = 'T'.repeat(43);
    const rectifyId = '20260101-rectify-abcdefghij';
    const codePage = (cookie?: string) =>
      get('/requests/{requestId}/code', {
        pathParameters: { requestId: rectifyId },
        ...(cookie ? { headers: { cookie } } : {}),
      });
    const nameOnly = await codePage(`dsr_status=${rectifyId}.${token}`);
    const newAddress = await codePage(`dsr_status=${rectifyId}.${token}.new-address`);
    const otherRequest = await codePage(`dsr_status=20260101-rectify-zzzzzzzzzz.${token}.new-address`);
    expect(nameOnly.body).toContain('id="code"');
    expect(nameOnly.body).not.toContain('id="newAddressCode"');
    expect(newAddress.body).toContain('id="newAddressCode"');
    expect(otherRequest.body).not.toContain('id="newAddressCode"');
  });

  it('serves its own stylesheet, and no page needs inline style or another site', async () => {
    const css = await get('/assets/site.css');
    expect(css.headers?.['content-type']).toBe('text/css; charset=utf-8');
    const form = await get('/');
    expect(form.headers?.['content-security-policy']).toContain("style-src 'self'");
    expect(form.body).toContain('<link rel="stylesheet" href="./assets/site.css">');
    expect(form.body).not.toMatch(/style=|https?:\/\//);
    const code = await get('/requests/{requestId}/code', { pathParameters: { requestId } });
    expect(code.body).toContain('<link rel="stylesheet" href="../../assets/site.css">');
  });
});
