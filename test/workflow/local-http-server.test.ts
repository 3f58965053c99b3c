import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { HttpFunctionName } from '../../functions/deployment';
import { type HttpHandlers, type HttpServer, startHttpServer } from '../../infra/local/http-server';

describe('the local API server', () => {
  const events: APIGatewayProxyEvent[] = [];
  let server: HttpServer;
  const reply = async (event: APIGatewayProxyEvent) => {
    events.push(event);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true }),
    };
  };
  const handlers: HttpHandlers = {
    SubmitRequest: reply,
    VerifyRequest: reply,
    ResendVerification: reply,
    GetRequestStatus: reply,
    CancelRequest: reply,
    Unsubscribe: reply,
    ProcessorCallback: reply,
    Pages: reply,
    DownloadExport: async () => {
      throw new Error('secret detail about someone@example.com');
    },
  } satisfies Record<HttpFunctionName, unknown>;

  beforeAll(async () => {
    server = await startHttpServer({ handlers });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    events.length = 0;
  });

  it('hands the route handler an API Gateway REST event with path parameters, query and body', async () => {
    const res = await fetch(`${server.url}/requests/20260101-access-ABCDEFGHJK?lang=id&lang=en`, {
      headers: { authorization: 'Bearer t0ken' },
    });

    expect(res.status).toBe(200);
    const [event] = events;
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/requests/20260101-access-ABCDEFGHJK',
      resource: '/requests/{requestId}',
      pathParameters: { requestId: '20260101-access-ABCDEFGHJK' },
      queryStringParameters: { lang: 'en' },
      multiValueQueryStringParameters: { lang: ['id', 'en'] },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        stage: 'local',
        resourcePath: '/requests/{requestId}',
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(event?.headers.authorization).toBe('Bearer t0ken');
    expect(event?.multiValueHeaders.authorization).toEqual(['Bearer t0ken']);
  });

  it('passes a POST body through as a string', async () => {
    await fetch(`${server.url}/requests`, { method: 'POST', body: '{"type":"access"}' });
    expect(events[0]?.body).toBe('{"type":"access"}');
    expect(events[0]?.resource).toBe('/requests');
  });

  it('refuses a body over 1 MB with 413 without calling any handler', async () => {
    const res = await fetch(`${server.url}/requests`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('answers an unknown route or method with 404 JSON', async () => {
    const res = await fetch(`${server.url}/requests`, { method: 'GET' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it('shows a browser an unknown path as a bilingual 404 page, Indonesian first, and keeps JSON for API clients', async () => {
    // Act
    const browser = await fetch(`${server.url}/no/such/page`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    const anything = await fetch(`${server.url}/no/such/page`, { headers: { accept: '*/*' } });
    const api = await fetch(`${server.url}/no/such/page`, {
      headers: { accept: 'application/json, text/html;q=0.5' },
    });

    // Assess
    expect(browser.status).toBe(404);
    expect(browser.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(browser.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await browser.text();
    expect(page).toContain('<html lang="id">');
    expect(page.indexOf('Halaman ini tidak ada.')).toBeLessThan(page.indexOf('There is no such page.'));
    expect(page).toContain('<div lang="en">');
    for (const res of [anything, api]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('answers a handler crash with a bare 500 that reveals nothing', async () => {
    const res = await fetch(`${server.url}/requests/x/export?token=t`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('example.com');
    expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
  });
});
