/**
 * The whole local HTTP surface (issue 18, findings 8 and 11, and its fuzz
 * test): the real server from infra/local with its router, the local-only
 * pages and every route's real handler on the emulators. Bad input of any
 * kind gets a 4xx, never a 5xx; pages the local server writes itself carry the
 * same security headers as the product's; the executions listing is gone.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ROUTES } from '../../functions/deployment';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { LocalApi } from '../support/local-api';

jest.setTimeout(180_000);

let system: LocalSystem;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-surface-'));
  // Hundreds of hostile calls from one address: lift the per-IP budgets (they have their own tests).
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 3,
    rateLimits: { submitPerIp: 100_000, verifyPerIp: 100_000 },
  });
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaderNames: string[];
  readonly body: string;
}

/** One raw HTTP call: the path goes on the wire exactly as given (fetch would re-encode it). */
function call(method: string, rawPath: string, body?: string, headers: Record<string, string> = {}) {
  const { port } = new URL(system.urls.api);
  return new Promise<Answer>((resolve, reject) => {
    // A fresh connection per call: a kept-alive socket closing between calls is not the server's answer.
    const req = request({ host: '127.0.0.1', port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaderNames: res.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the local HTTP surface', () => {
  it.each([
    '/requests/%zz',
    '/requests/%',
    '/requests/%E0%A4%A',
    '/requests/%C0%AF/verify',
    '/requests/%ff/cancel',
  ])('answers GET %s (bad percent-encoding) with 400, not 500', async (rawPath) => {
    // Act
    const answer = await call('GET', rawPath);

    // Assess
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('no longer lists every request id at /local/executions; one execution is still shown by its id', async () => {
    // Prepare: a request exists.
    const local = new LocalApi(system);
    const res = await local.postJson('/requests', { type: 'access', email: 'surface@example.com' });
    const { requestId } = (await res.json()) as { requestId: string };

    // Act
    const listing = await call('GET', '/local/executions');
    const one = await call('GET', `/local/executions/${requestId}`);

    // Assess
    expect(listing.status).toBe(404);
    expect(listing.body).not.toContain(requestId);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ name: requestId });
  });

  it.each([
    ['an execution', '/local/executions/20260101-access-abcdefghjk'],
    ['a certificate page', '/local/certificates/20260101-delete-abcdefghjk'],
    ['an unknown path', '/no/such/page'],
    ['a bad percent-encoding', '/requests/%zz'],
  ])('sends the security headers on a page the local server writes itself: %s', async (_, rawPath) => {
    // Act
    const answer = await call('GET', rawPath);

    // Assess
    expect(answer.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.rawHeaderNames.filter((h) => h === 'content-type')).toHaveLength(1);
  });

  it('answers malformed paths, encodings, methods and bodies on every route and local page with less than 500', async () => {
    const templates = [...ROUTES.map((r) => r.path), '/local/executions/{name}', '/local/certificates/{id}'];
    const hex = fc.constantFrom(...'0123456789abcdefABCDEFzZ%'.split(''));
    const segment = fc.oneof(
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
      fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,30}$/),
      fc.tuple(hex, hex).map(([a, b]) => `%${a}${b}`),
      fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%00',
        '..',
        '.',
        '%2e%2e',
        '%2F',
        '20260101-access-abcdefghjk',
      ),
    );
    const pathOf = fc.oneof(
      fc
        .tuple(fc.constantFrom(...templates), fc.array(segment, { minLength: 1, maxLength: 3 }))
        .map(([template, values]) => {
          let i = 0;
          return template.replace(/\{\w+\}/g, () => values[i++ % values.length] ?? '');
        }),
      fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
      fc
        .tuple(fc.constantFrom(...templates), fc.string({ maxLength: 40 }).map(encodeURIComponent))
        .map(([template, query]) => `${template.replace(/\{\w+\}/g, 'x')}?${query}&token=%zz&${query}=%`),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND');
    const body = fc.option(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json({ maxDepth: 3 }),
        fc.constantFrom(
          '{"__proto__":{"x":1}}',
          '{"type":"access","email":"a@b.c","fullName":"\u202e"}',
          'a=1&a=%zz',
        ),
      ),
      { nil: undefined },
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
    );

    await fc.assert(
      fc.asyncProperty(method, pathOf, body, contentType, async (m, p, b, type) => {
        const answer = await call(m, p, m === 'GET' || m === 'HEAD' ? undefined : b, {
          'content-type': type,
        });
        if (answer.status >= 500) throw new Error(`${m} ${p} answered ${answer.status}: ${answer.body}`);
      }),
      { numRuns: 400 },
    );
  });
});
