import { keyedHash } from '../../functions/core/crypto';
import {
  apiEvent,
  fakeLedger,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';

setTestEnvironment();
const { handler } =
  require('../../functions/http/cancel-request') as typeof import('../../functions/http/cancel-request');

const ddb = mockDocumentClient();
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-delete-abcdefghij';
const TOKEN = 'cancel-token-for-tests-0123456789';
let ledger: ReturnType<typeof fakeLedger>;

function plantDelete(status: string, token = TOKEN) {
  ledger.set(requestId, {
    requestId,
    type: 'delete',
    status,
    contact: { email: 'leaving@example.com' },
    history: [{ status, at: '2026-01-01T00:00:00.000Z' }],
    erasureSchedule: {
      graceEndsAt: new Date(Date.now() + 60_000).toISOString(),
      cancelTokenHash: keyedHash(key, 'cancel-token' as never, token),
    },
  });
}

const post = (body: string, contentType = 'application/json', id = requestId) =>
  handler(
    apiEvent({
      resource: '/requests/{requestId}/cancel',
      httpMethod: 'POST',
      pathParameters: { requestId: id },
      headers: { 'Content-Type': contentType, 'Accept-Language': 'en' },
      body,
    }),
    lambdaContext(),
  );

const get = (query: Record<string, string> | null, id = requestId) =>
  handler(
    apiEvent({
      resource: '/requests/{requestId}/cancel',
      httpMethod: 'GET',
      pathParameters: { requestId: id },
      queryStringParameters: query,
    }),
    lambdaContext(),
  );

beforeEach(() => {
  ledger = fakeLedger(ddb);
});
afterEach(() => {
  ddb.reset();
});

describe('GET /requests/{requestId}/cancel', () => {
  it('shows a confirmation page whose form posts the token, and cancels nothing by itself', async () => {
    plantDelete('scheduled');

    const res = await get({ token: TOKEN });

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/<form method="post" action="cancel">/);
    expect(res.body).toContain(`name="token" value="${TOKEN}"`);
    expect(ledger.get(requestId)?.status).toBe('scheduled');
    expect(res.headers?.['content-security-policy']).toContain("form-action 'self'");
  });

  it('answers a link without a proper token with a 400 page', async () => {
    expect((await get(null)).statusCode).toBe(400);
    expect((await get({ token: 'short' })).statusCode).toBe(400);
  });
});

describe('POST /requests/{requestId}/cancel', () => {
  it('cancels a delete in its grace period and records it in the history', async () => {
    plantDelete('scheduled');

    const res = await post(JSON.stringify({ token: TOKEN }));

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ requestId, status: 'cancelled' });
    expect(ledger.get(requestId)?.status).toBe('cancelled');
    expect(
      ((ledger.get(requestId)?.history as { status: string }[] | undefined) ?? []).map((h) => h.status),
    ).toEqual(['scheduled', 'cancelled']);
  });

  it('answers the confirmation page form with an HTML page', async () => {
    plantDelete('scheduled');
    const res = await post(`token=${encodeURIComponent(TOKEN)}`, 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/Deletion cancelled/);
    expect(ledger.get(requestId)?.status).toBe('cancelled');
  });

  it('answers a wrong token and an unknown request with the same 404, changing nothing', async () => {
    plantDelete('scheduled');

    const wrong = await post(JSON.stringify({ token: 'x'.repeat(40) }));
    const unknown = await post(
      JSON.stringify({ token: TOKEN }),
      'application/json',
      '20260101-delete-zzzzzzzzzz',
    );
    const malformedId = await post(JSON.stringify({ token: TOKEN }), 'application/json', 'not-an-id');

    expect([wrong.statusCode, unknown.statusCode, malformedId.statusCode]).toEqual([404, 404, 404]);
    expect(wrong.body).toBe(unknown.body);
    expect(malformedId.body).toBe(unknown.body);
    expect(ledger.get(requestId)?.status).toBe('scheduled');
  });

  it('answers 409 once erasure has started or finished', async () => {
    for (const status of ['in_progress', 'completed', 'failed']) {
      plantDelete(status);
      const res = await post(JSON.stringify({ token: TOKEN }));
      expect(res.statusCode).toBe(409);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'erasure_started' });
      expect(ledger.get(requestId)?.status).toBe(status);
    }
  });

  it('answers 409 when the workflow starts the erasure between the read and the cancel', async () => {
    plantDelete('scheduled');
    // The read sees `scheduled`; PlanStores moves the request on before the conditional write.
    const item = ledger.get(requestId) as Record<string, unknown>;
    let reads = 0;
    Object.defineProperty(item, 'status', {
      get: () => (reads++ === 0 ? 'scheduled' : 'in_progress'),
      set: () => undefined,
      configurable: true,
    });
    const res = await post(JSON.stringify({ token: TOKEN }));
    expect(res.statusCode).toBe(409);
  });

  it('succeeds again for a delete that is already cancelled', async () => {
    plantDelete('cancelled');
    const res = await post(JSON.stringify({ token: TOKEN }));
    expect(res.statusCode).toBe(200);
    expect(ledger.get(requestId)?.history).toHaveLength(1);
  });

  it('answers a missing or malformed token with 400, broken JSON with 400 and an oversized body with 413', async () => {
    plantDelete('scheduled');
    expect((await post(JSON.stringify({}))).statusCode).toBe(400);
    expect((await post(JSON.stringify({ token: TOKEN, extra: 1 }))).statusCode).toBe(400);
    expect((await post('{"token": ')).statusCode).toBe(400);
    expect((await post(JSON.stringify({ token: 'y'.repeat(20_000) }))).statusCode).toBe(413);
    expect(ledger.get(requestId)?.status).toBe('scheduled');
  });
});
