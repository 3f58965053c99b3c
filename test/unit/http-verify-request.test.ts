import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetRateLimiter } from '../../functions/aws/rate-limit';
import { keyedHash } from '../../functions/core/crypto';
import { verifiedBrowserProof } from '../../functions/core/requests/verified-browser';
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
  require('../../functions/http/verify-request') as typeof import('../../functions/http/verify-request');

const ddb = mockDocumentClient();
const sfn = mockClient(SFNClient);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const requestId = '20260101-access-abcdefghij';
const CODE = '246810';
const LINK_TOKEN = 'link-token-for-tests-0123456789';
const STATUS_TOKEN = 'status-token-for-tests-0123456789abcdefghij';
let ledger: ReturnType<typeof fakeLedger>;

function plantRequest(expiresAt = new Date(Date.now() + 600_000).toISOString(), id = requestId) {
  ledger.set(id, {
    requestId: id,
    type: 'access',
    status: 'pending_verification',
    subjectHash: keyedHash(key, 'subject', 'someone@example.com'),
    statusTokenHash: keyedHash(key, 'status-token', STATUS_TOKEN),
    contact: { email: 'someone@example.com' },
    history: [{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }],
    verification: {
      codeHash: keyedHash(key, 'verification-code', CODE),
      linkTokenHash: keyedHash(key, 'verification-link', LINK_TOKEN),
      attempts: 0,
      taskToken: 'task-token-1',
      expiresAt,
      sentAt: '2026-01-01T00:00:00.000Z',
    },
  });
}

// The limiter's clock: 2026-01-01T00:00:00Z starts a 10-minute window.
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let now = T0;
/** The anti-forgery token the code page's form and cookie carry. */
const CSRF = 'c'.repeat(43);

/** A verify call; code attempts carry the request's status token as the form sends it (`statusToken: null`: none). */
const verify = (
  body: string,
  contentType = 'application/json',
  id = requestId,
  sourceIp = '203.0.113.7',
  statusToken: string | null = STATUS_TOKEN,
) =>
  handler(
    apiEvent({
      resource: '/requests/{requestId}/verify',
      httpMethod: 'POST',
      pathParameters: { requestId: id },
      headers: {
        'Content-Type': contentType,
        'Accept-Language': 'en',
        ...(statusToken === null ? {} : { Authorization: `Bearer ${statusToken}` }),
        // The code page's form post carries its anti-forgery token in the body and in this cookie.
        ...(contentType.startsWith('application/x-www') ? { Cookie: `dsr_csrf=${CSRF}` } : {}),
      },
      body,
      requestContext: { identity: { sourceIp } } as APIGatewayProxyEvent['requestContext'],
    }),
    lambdaContext(),
  );

beforeEach(() => {
  now = T0;
  resetRateLimiter(() => new Date(now));
  ledger = fakeLedger(ddb);
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});
afterEach(() => {
  ddb.reset();
  sfn.reset();
});

describe('POST /requests/{requestId}/verify', () => {
  it('verifies the right code and resumes the workflow with the verification time', async () => {
    plantRequest();
    const res = await verify(JSON.stringify({ code: CODE }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ requestId, status: 'verified' });
    expect(ledger.get(requestId)?.status).toBe('verified');
    const call = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(call?.taskToken).toBe('task-token-1');
    expect(JSON.parse(call?.output ?? '{}')).toEqual({ verifiedAt: expect.any(String) });
  });

  it('counts wrong codes, rejects on the 5th and answers the 6th with 409', async () => {
    plantRequest();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await verify(JSON.stringify({ code: '000000' })));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 409]);
    expect(answers.slice(0, 4).map((r) => JSON.parse(r.body).attemptsLeft)).toEqual([4, 3, 2, 1]);
    expect(JSON.parse(answers[4]?.body ?? '{}')).toMatchObject({ error: 'rejected', attemptsLeft: 0 });
    expect(ledger.get(requestId)?.status).toBe('rejected');
    const failures = sfn.commandCalls(SendTaskFailureCommand);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.args[0].input).toMatchObject({
      taskToken: 'task-token-1',
      error: 'VerificationRejected',
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('refuses the right code once the request was rejected', async () => {
    plantRequest();
    for (let i = 0; i < 5; i++) await verify(JSON.stringify({ code: '000000' }));
    const res = await verify(JSON.stringify({ code: CODE }));
    expect(res.statusCode).toBe(409);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('tells the person an expired code has expired', async () => {
    plantRequest(new Date(Date.now() - 1000).toISOString());
    const res = await verify(JSON.stringify({ code: CODE }));
    expect(res.statusCode).toBe(410);
    expect(JSON.parse(res.body).message).toMatch(/expired/);
  });

  it('answers 404 for a request that does not exist', async () => {
    const res = await verify(
      JSON.stringify({ code: CODE }),
      'application/json',
      '20260101-access-zzzzzzzzzz',
    );
    expect(res.statusCode).toBe(404);
  });

  it('rejects a code that is not 6 digits, naming the field', async () => {
    plantRequest();
    const res = await verify(JSON.stringify({ code: '12ab' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).fields).toHaveProperty('code');
    expect(ledger.get(requestId)?.verification).toMatchObject({ attempts: 0 });
  });

  it('verifies a form post from the confirmation page and answers with an HTML page', async () => {
    plantRequest();
    const res = await verify(`token=${encodeURIComponent(LINK_TOKEN)}`, 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('confirmed');
    expect(ledger.get(requestId)?.status).toBe('verified');
  });

  it('shows a wrong link token as an HTML page with a clear message', async () => {
    plantRequest();
    const res = await verify('token=wrong-token-wrong-token-wrong', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Use the link in the latest email');
  });
});

describe('POST /requests/{requestId}/verify with a link that was already used', () => {
  it('refuses the used link with a clear 409 and changes nothing', async () => {
    // Prepare: the emailed link has verified the request once.
    plantRequest();
    const first = await verify(JSON.stringify({ token: LINK_TOKEN }));
    expect(first.statusCode).toBe(200);
    const afterUse = structuredClone(ledger.get(requestId));

    // Act: the same link again, as JSON and as the confirmation page's form post, then the code.
    const again = await verify(JSON.stringify({ token: LINK_TOKEN }));
    const againForm = await verify(
      `token=${encodeURIComponent(LINK_TOKEN)}`,
      'application/x-www-form-urlencoded',
    );
    const code = await verify(JSON.stringify({ code: CODE }));

    // Assess
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({
      error: 'not_pending',
      message: 'this request is verified and cannot be verified again',
    });
    expect(againForm.statusCode).toBe(409);
    expect(againForm.headers?.['content-type']).toMatch(/^text\/html/);
    expect(againForm.body).toContain('can no longer take this step');
    expect(code.statusCode).toBe(409);
    expect(ledger.get(requestId)).toEqual(afterUse);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });
});

describe('POST /requests/{requestId}/verify after the workflow stopped waiting', () => {
  it('answers 200 and records verified when an earlier try resumed the workflow but could not answer', async () => {
    // The first try's SendTaskSuccess went through, its ledger write did not: the token is closed now.
    plantRequest();
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('closed'), { name: 'TaskTimedOut' }));
    const res = await verify(JSON.stringify({ code: CODE }));
    expect(res.statusCode).toBe(200);
    expect(ledger.get(requestId)?.status).toBe('verified');
  });
});

describe('POST /requests/{requestId}/verify when Step Functions hiccups', () => {
  it('keeps the request pending when the workflow cannot be resumed, so the same code works on a retry', async () => {
    // Prepare
    plantRequest();
    const outage = Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
    sfn.on(SendTaskSuccessCommand).rejectsOnce(outage).resolves({});

    // Act
    const first = await verify(JSON.stringify({ code: CODE }));
    const afterFirst = ledger.get(requestId)?.status;
    const second = await verify(JSON.stringify({ code: CODE }));

    // Assess
    expect(first.statusCode).toBe(503);
    expect(first.headers?.['retry-after']).toBe('5');
    expect(afterFirst).toBe('pending_verification');
    expect(second.statusCode).toBe(200);
    expect(ledger.get(requestId)?.status).toBe('verified');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });
});

describe('POST /requests/{requestId}/verify rate limit per client IP', () => {
  /** 30 attempts on ids that do not exist: probing counts like guessing. */
  async function useUpBudget(sourceIp = '203.0.113.7') {
    for (let i = 0; i < 30; i++) {
      const res = await verify(
        JSON.stringify({ code: '000000' }),
        'application/json',
        `20260101-access-probe${String(i).padStart(5, 'a')}`,
        sourceIp,
      );
      expect(res.statusCode).toBe(404);
    }
  }

  it('answers the 31st attempt in 10 minutes with 429, even with the right code', async () => {
    // Prepare
    plantRequest();
    await useUpBudget();
    // Act
    const res = await verify(JSON.stringify({ code: CODE }));
    // Assess
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('600');
    expect(JSON.parse(res.body).error).toBe('rate_limited');
    expect(ledger.get(requestId)?.status).toBe('pending_verification');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('lets the same client verify once the window has passed', async () => {
    plantRequest();
    await useUpBudget();
    now = T0 + 600_000;
    expect((await verify(JSON.stringify({ code: CODE }))).statusCode).toBe(200);
  });

  it("does not hold one client back for another one's attempts", async () => {
    plantRequest();
    await useUpBudget('198.51.100.20');
    expect((await verify(JSON.stringify({ code: CODE }))).statusCode).toBe(200);
  });

  it('answers a limited form post with an HTML page that keeps the 429 and Retry-After', async () => {
    plantRequest();
    await useUpBudget();
    now = T0 + 540_000;
    const res = await verify(`code=${CODE}&csrf=${CSRF}`, 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers?.['retry-after']).toBe('60');
    expect(res.body).toContain('Too many tries from here. Please try again in 60 seconds.');
  });
});

describe('POST /requests/{requestId}/verify rate limit per person', () => {
  it('allows 10 code attempts a day for one person across requests and IPs, then answers 429 even to the right code', async () => {
    // Prepare: three open requests for the same email, guessed at from a different IP each time
    const ids = ['20260101-access-aaaaaaaaaa', '20260101-access-bbbbbbbbbb', '20260101-access-cccccccccc'];
    for (const id of ids) plantRequest(undefined, id);
    const wrong = JSON.stringify({ code: '000000' });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const id = ids[Math.floor(i / 4)] as string;
      statuses.push((await verify(wrong, 'application/json', id, `198.51.100.${i + 1}`)).statusCode);
    }
    const eleventh = await verify(
      JSON.stringify({ code: CODE }),
      'application/json',
      ids[2],
      '198.51.100.99',
    );

    // Assess
    expect(statuses.every((s) => s === 403)).toBe(true);
    expect(eleventh.statusCode).toBe(429);
    expect(Number(eleventh.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(ledger.get(ids[2] as string)?.status).toBe('pending_verification');
  });
});

describe('POST /requests/{requestId}/verify by someone who only knows the request id (issue 18, finding 1)', () => {
  it('never counts a wrong link token: fifty of them leave the right code and link working', async () => {
    // Prepare
    plantRequest();
    // Act: 50 wrong 43-character tokens from as many addresses
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const wrong = JSON.stringify({ token: `${String(i).padStart(2, '0')}${'x'.repeat(41)}` });
      statuses.push(
        (await verify(wrong, 'application/json', requestId, `198.51.100.${i + 1}`, null)).statusCode,
      );
    }
    // Assess
    expect(new Set(statuses)).toEqual(new Set([403]));
    expect(ledger.get(requestId)).toMatchObject({
      status: 'pending_verification',
      verification: { attempts: 0 },
    });
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    expect(
      (
        await verify(
          JSON.stringify({ token: LINK_TOKEN }),
          'application/json',
          requestId,
          '203.0.113.9',
          null,
        )
      ).statusCode,
    ).toBe(200);
  });

  it('sends the code page of the submitting browser on to the status page with a proof that only fits this request and token', async () => {
    // Prepare
    plantRequest();
    const post = (code: string) =>
      handler(
        apiEvent({
          resource: '/requests/{requestId}/verify',
          httpMethod: 'POST',
          pathParameters: { requestId },
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Cookie: `dsr_csrf=${CSRF}; dsr_status=${requestId}.${STATUS_TOKEN}`,
          },
          body: `csrf=${CSRF}&code=${code}`,
        }),
        lambdaContext(),
      );

    // Act
    const wrong = await post('000000');
    const right = await post(CODE);

    // Assess: no proof for a wrong code; the right one gets a Strict, HttpOnly proof bound to the status token
    const proofOf = (res: Awaited<ReturnType<typeof post>>) =>
      (res.multiValueHeaders?.['set-cookie'] ?? []).map(String).find((c) => c.startsWith('dsr_verified='));
    expect(wrong.statusCode).toBe(403);
    expect(proofOf(wrong)).toBeUndefined();
    expect(right.statusCode).toBe(303);
    expect(right.headers?.location).toBe('status');
    const proof = verifiedBrowserProof(key, requestId, STATUS_TOKEN);
    expect(proofOf(right)).toMatch(
      new RegExp(`^dsr_verified=${requestId}\\.${proof}; Path=/; HttpOnly; SameSite=Strict; Max-Age=`),
    );
    expect(proof).not.toBe(verifiedBrowserProof(key, requestId, `${STATUS_TOKEN.slice(0, -1)}x`));
    expect(proof).not.toBe(verifiedBrowserProof(key, '20260101-access-zzzzzzzzzz', STATUS_TOKEN));
  });

  it('refuses a code without the status token, or with a wrong one, and counts nothing', async () => {
    // Prepare
    plantRequest();
    // Act
    const without = [];
    for (let i = 0; i < 6; i++) {
      without.push(
        await verify(
          JSON.stringify({ code: '000000' }),
          'application/json',
          requestId,
          `198.51.100.${i + 1}`,
          null,
        ),
      );
      without.push(
        await verify(
          JSON.stringify({ code: '000000' }),
          'application/json',
          requestId,
          `198.51.100.${i + 1}`,
          'guessed-token-guessed-token-guessed-token00',
        ),
      );
    }
    // Assess
    expect(new Set(without.map((r) => r.statusCode))).toEqual(new Set([401]));
    expect(JSON.parse(without[0]?.body ?? '{}')).toMatchObject({ error: 'status_token_required' });
    expect(ledger.get(requestId)).toMatchObject({
      status: 'pending_verification',
      verification: { attempts: 0 },
    });
    expect((await verify(JSON.stringify({ code: CODE }))).statusCode).toBe(200);
  });

  it("lets one person's wrong codes on one request type leave the code budget of another type alone", async () => {
    // Prepare: an access and a delete request of the same person
    const deleteId = '20260101-delete-abcdefghij';
    plantRequest(undefined, requestId);
    plantRequest(undefined, deleteId);
    (ledger.get(deleteId) as { type: string }).type = 'delete';
    // Act: 10 wrong codes (the daily per-person budget) on the access request, from as many addresses
    for (let i = 0; i < 10; i++) {
      const id = i < 4 ? requestId : i < 8 ? '20260101-access-bbbbbbbbbb' : '20260101-access-cccccccccc';
      if (!ledger.get(id)) plantRequest(undefined, id);
      await verify(JSON.stringify({ code: '000000' }), 'application/json', id, `198.51.100.${i + 1}`);
    }
    // Assess: the delete request still takes its code
    expect(
      (await verify(JSON.stringify({ code: CODE }), 'application/json', deleteId, '198.51.100.99'))
        .statusCode,
    ).toBe(200);
  });
});
