import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetConfigCache } from '../../functions/aws/config';
import { useIdempotencyStore } from '../../functions/aws/idempotency';
import { resetRateLimiter } from '../../functions/aws/rate-limit';
import { keyedHash } from '../../functions/core/crypto';
import {
  apiEvent,
  fakeLedger,
  MemoryIdempotencyStore,
  mockDocumentClient,
  RATE_LIMIT_TABLE_NAME,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';
import { withResendSupport } from '../support/resend-ledger';

setTestEnvironment();
// Imported after the environment is set, as a Lambda would.
const { handler } =
  require('../../functions/http/submit-request') as typeof import('../../functions/http/submit-request');

const ddb = mockDocumentClient();
const sfn = mockClient(SFNClient);
const ses = mockClient(SESv2Client);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
let ledger: ReturnType<typeof fakeLedger>;
let idempotency: MemoryIdempotencyStore;
// The limiter's clock: 2026-01-01T00:00:00Z starts a 10-minute and a 1-hour window.
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
let now = T0;

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const post = (body: string, headers: Record<string, string> = JSON_HEADERS, sourceIp = '203.0.113.7') =>
  handler(
    apiEvent({
      resource: '/requests',
      httpMethod: 'POST',
      body,
      headers,
      requestContext: { identity: { sourceIp } } as APIGatewayProxyEvent['requestContext'],
    }),
    lambdaContext(),
  );
const submission = (email: string, type = 'access') => JSON.stringify({ type, email });
const withKey = (idempotencyKey: string) => ({ ...JSON_HEADERS, 'Idempotency-Key': idempotencyKey });
const KEY_A = '3f1c5a8e-0d5b-4c36-9d0e-6a1b2c3d4e5f';

beforeEach(() => {
  now = T0;
  resetRateLimiter(() => new Date(now));
  idempotency = new MemoryIdempotencyStore();
  useIdempotencyStore(idempotency);
  ledger = fakeLedger(ddb, limits);
  withResendSupport(ddb, ledger);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  sfn.on(SendTaskSuccessCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => {
  ddb.reset();
  sfn.reset();
  ses.reset();
  limits.clear();
});

/** Rate-limit counters of the fake table, by `limitKey`. */
const limits = new Map<string, number>();

/** The workflow's first task has sent the verification email: the request can be verified (and re-sent). */
function verificationSent(requestId: string) {
  const item = ledger.get(requestId) as Record<string, unknown>;
  item.verification = {
    codeHash: 'c'.repeat(64),
    linkTokenHash: 'l'.repeat(64),
    attempts: 0,
    taskToken: 'task-1',
    sentAt: new Date(now).toISOString(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  };
}

/** The person verifies the request with the emailed code, as the form does (code and status token). */
async function verifyThroughApi(answer: { requestId: string; statusToken: string }) {
  const item = ledger.get(answer.requestId) as Record<string, unknown>;
  verificationSent(answer.requestId);
  (item.verification as Record<string, unknown>).codeHash = keyedHash(key, 'verification-code', '123456');
  const { handler: verifyHandler } =
    require('../../functions/http/verify-request') as typeof import('../../functions/http/verify-request');
  const res = await verifyHandler(
    apiEvent({
      resource: '/requests/{requestId}/verify',
      httpMethod: 'POST',
      pathParameters: { requestId: answer.requestId },
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${answer.statusToken}` },
      body: JSON.stringify({ code: '123456' }),
    }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
}

/** Addressees of the emails sent. */
const mailedTo = () =>
  ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);

describe('POST /requests', () => {
  it('writes the emails in the JSON body’s locale, else in the Accept-Language’s, else in Indonesian, like the pages', async () => {
    // Act
    const cases = [
      [{ locale: 'en' }, { 'Accept-Language': 'id-ID' }, 'en'],
      [{ locale: 'id' }, { 'Accept-Language': 'en-US' }, 'id'],
      [{}, { 'Accept-Language': 'en-GB,en;q=0.9,id;q=0.8' }, 'en'],
      [{}, { 'Accept-Language': 'fr-FR' }, 'id'],
      [{}, {}, 'id'],
    ] as const;
    const stored = [];
    for (const [i, [body, headers]] of cases.entries()) {
      const res = await post(
        JSON.stringify({ type: 'access', email: `lang${i}@example.com`, ...body }),
        { ...JSON_HEADERS, ...headers },
        `203.0.113.${i + 10}`,
      );
      stored.push(ledger.get(JSON.parse(res.body).requestId)?.locale);
    }

    // Assess
    expect(stored).toEqual(cases.map(([, , locale]) => locale));
  });

  it('records the request before starting its workflow and answers 202 with a status token', async () => {
    // Act
    const res = await post(
      JSON.stringify({ type: 'access', email: 'Someone@Example.COM', fullName: 'Test Person' }),
    );
    // Assess
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(res.headers?.['cache-control']).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body).toEqual({
      requestId: expect.stringMatching(/^[0-9]{8}-access-[a-z2-7]{10}$/),
      status: 'pending_verification',
      statusToken: expect.any(String),
    });
    const item = ledger.get(body.requestId);
    expect(item).toMatchObject({
      status: 'pending_verification',
      jurisdiction: 'ID',
      // No locale and no Accept-Language: Indonesian, as for a page.
      locale: 'id',
      contact: { email: 'someone@example.com' },
    });
    expect(item?.statusTokenHash).not.toBe(body.statusToken);
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.name).toBe(body.requestId);
    expect(JSON.parse(start?.input ?? '{}')).toEqual({ requestId: body.requestId, type: 'access' });
  });

  it('marks the request failed and answers 503 when the workflow cannot start', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com' }));
    expect(res.statusCode).toBe(503);
    const [item] = [...ledger.values()];
    expect(item?.status).toBe('failed');
    expect(item?.failure).toMatchObject({ error: 'WorkflowNotStarted' });
  });

  it('answers malformed JSON with 400 and a plain message', async () => {
    const res = await post('{"type": "access",');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_json',
      message: 'the request body is not valid JSON',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('names each bad field: an unknown type and an invalid email', async () => {
    const res = await post(JSON.stringify({ type: 'copy', email: 'not-an-email' }));
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields).sort()).toEqual(['email', 'type']);
    expect(body.fields.email).toBe('must be a valid email address');
  });

  it('names an unknown key instead of ignoring it', async () => {
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com', emial: 'x' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).fields).toEqual({ emial: 'is not a known field' });
  });

  it('refuses a body over 16 KB with 413 before parsing it', async () => {
    const res = await post(
      JSON.stringify({ type: 'access', email: 'someone@example.com', fullName: 'x'.repeat(17_000) }),
    );
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body).error).toBe('payload_too_large');
    expect(ledger.size).toBe(0);
  });

  it('answers an unexpected failure with a plain 500 that reveals nothing', async () => {
    ddb.on(PutCommand).rejects(new Error('secret internal detail'));
    const res = await post(JSON.stringify({ type: 'access', email: 'someone@example.com' }));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internal detail');
  });

  it('answers 503, records nothing and starts nothing when the rate limiter is down', async () => {
    ddb
      .on(UpdateCommand, { TableName: RATE_LIMIT_TABLE_NAME })
      .rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const res = await post(submission('someone@example.com'));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('5');
    expect(ledger.size).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('POST /requests rate limits', () => {
  it('lets 20 submissions per client IP through in 10 minutes and answers the 21st with 429', async () => {
    // Act
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await post(submission(`person${i}@example.com`))).statusCode);
    // Assess
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(202));
    expect(statuses[20]).toBe(429);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(20);
  });

  it('tells the limited client how long to wait, in a header and in words', async () => {
    now = T0 + 250_000;
    for (let i = 0; i < 20; i++) await post(submission(`person${i}@example.com`));
    const res = await post(submission('one.more@example.com'));
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toBe('350');
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      error: 'rate_limited',
      message: 'too many requests; please try again in 6 minutes',
    });
  });

  it('accepts the client again once the 10-minute window has passed', async () => {
    for (let i = 0; i < 21; i++) await post(submission(`person${i}@example.com`));
    now = T0 + 600_000;
    expect((await post(submission('back.again@example.com'))).statusCode).toBe(202);
  });

  it('limits one IP without limiting another', async () => {
    for (let i = 0; i < 21; i++) await post(submission(`person${i}@example.com`));
    expect((await post(submission('elsewhere@example.com'), JSON_HEADERS, '198.51.100.9')).statusCode).toBe(
      202,
    );
  });

  it('counts verified requests per person and type: 5 verified deletes an hour, then 429 for a 6th delete only', async () => {
    // Prepare: the person verifies five deletes in a row (each finished before the next)
    for (let i = 0; i < 5; i++) {
      const email = i % 2 ? 'Target.Person@EXAMPLE.com' : 'target.person@example.com';
      const res = await post(submission(email, 'delete'), JSON_HEADERS, `198.51.100.${i + 1}`);
      expect(res.statusCode).toBe(202);
      const answer = JSON.parse(res.body);
      await verifyThroughApi(answer);
      (ledger.get(answer.requestId) as { status: string }).status = 'completed';
    }
    // Act
    const sixthDelete = await post(
      submission('target.person@example.com', 'delete'),
      JSON_HEADERS,
      '198.51.100.9',
    );
    const access = await post(
      submission('target.person@example.com', 'access'),
      JSON_HEADERS,
      '198.51.100.9',
    );
    // Assess
    expect(sixthDelete.statusCode).toBe(429);
    expect(access.statusCode).toBe(202);
    now = T0 + 3600_000;
    expect(
      (await post(submission('target.person@example.com', 'delete'), JSON_HEADERS, '198.51.100.7'))
        .statusCode,
    ).toBe(202);
  });

  it('never lets requests the person did not verify use up their budget (issue 18, finding 1)', async () => {
    // Act: 20 deletes for one address, each rejected unverified before the next, from as many addresses
    const statuses = [];
    for (let i = 0; i < 20; i++) {
      const res = await post(
        submission('target.person@example.com', 'delete'),
        JSON_HEADERS,
        `198.51.100.${i + 1}`,
      );
      statuses.push(res.statusCode);
      (ledger.get(JSON.parse(res.body).requestId) as { status: string }).status = 'rejected';
    }
    // Assess: the person's own submission is still a new request
    const own = await post(submission('target.person@example.com', 'delete'), JSON_HEADERS, '203.0.113.50');
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(own.statusCode).toBe(202);
    expect(ledger.get(JSON.parse(own.body).requestId)?.status).toBe('pending_verification');
  });

  it('stores no address and no email in the counters, only keyed hashes', async () => {
    await post(submission('someone@example.com'));
    const keys = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .filter((i) => i.TableName === RATE_LIMIT_TABLE_NAME)
      .map((i) => String(i.Key?.limitKey));
    expect(keys).toHaveLength(2);
    expect(keys.join(' ')).not.toMatch(/203\.0\.113\.7|someone|example/);
  });

  it('uses the configured budget instead of the default', async () => {
    process.env.DSR_LIMIT_SUBMIT_PER_IP = '2';
    resetConfigCache();
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(submission(`p${i}@example.com`))).statusCode);
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      delete process.env.DSR_LIMIT_SUBMIT_PER_IP;
      resetConfigCache();
    }
  });
});

describe('POST /requests with an Idempotency-Key', () => {
  it('answers a repeat with the first answer, without its status token, and starts no second workflow', async () => {
    // Act
    const first = await post(submission('someone@example.com'), withKey(KEY_A));
    const again = await post(submission('someone@example.com'), withKey(KEY_A));
    // Assess
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(first.statusCode);
    expect(JSON.parse(again.body)).toEqual({ ...JSON.parse(first.body), statusToken: null });
    expect(ledger.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('never hands the status token to a replay: another caller with the same key and body gets null (issue 18, finding 2)', async () => {
    // Prepare: the first caller's answer carries a working token
    const first = JSON.parse((await post(submission('someone@example.com'), withKey(KEY_A))).body);
    expect(ledger.get(first.requestId)?.statusTokenHash).toBe(
      keyedHash(key, 'status-token', first.statusToken),
    );
    // Act: someone else replays the same key and body from another address
    const replay = JSON.parse(
      (await post(submission('someone@example.com'), withKey(KEY_A), '198.51.100.66')).body,
    );
    // Assess
    expect(replay).toEqual({ requestId: first.requestId, status: 'pending_verification', statusToken: null });
    const stored = JSON.stringify([...idempotency.records.values()]);
    expect(stored).toContain(first.requestId);
    expect(stored).not.toContain(first.statusToken);
    expect(stored).not.toContain('someone');
    expect(stored).not.toContain(KEY_A);
  });

  it('treats the same body with other key order and spacing as the same request', async () => {
    const first = await post(
      JSON.stringify({ type: 'access', email: 'someone@example.com' }),
      withKey(KEY_A),
    );
    const again = await post('{ "email": "someone@example.com",  "type": "access" }', withKey(KEY_A));
    expect(JSON.parse(again.body)).toEqual({ ...JSON.parse(first.body), statusToken: null });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('refuses the same key with a different body with 422 and a clear message', async () => {
    await post(submission('someone@example.com'), withKey(KEY_A));
    const res = await post(submission('someone.else@example.com'), withKey(KEY_A));
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body)).toEqual({
      error: 'idempotency_key_reused',
      message:
        'this Idempotency-Key was already used with a different request body; use a new key for a new request',
    });
    expect(ledger.size).toBe(1);
  });

  it('runs again under the same key after a failed first try', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    expect((await post(submission('someone@example.com'), withKey(KEY_A))).statusCode).toBe(503);
    const retry = await post(submission('someone@example.com'), withKey(KEY_A));
    expect(retry.statusCode).toBe(202);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('treats different keys as different submissions', async () => {
    const first = JSON.parse((await post(submission('someone@example.com'), withKey(KEY_A))).body);
    const other = JSON.parse(
      (await post(submission('someone@example.com', 'delete'), withKey(`${KEY_A}-2`))).body,
    );
    expect(other.requestId).not.toBe(first.requestId);
  });

  it('refuses a short or malformed key with 400 before recording anything', async () => {
    for (const bad of ['abc', 'has spaces in it, quite long', 'x'.repeat(129)]) {
      const res = await post(submission('someone@example.com'), withKey(bad));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error).toBe('invalid_idempotency_key');
    }
    expect(ledger.size).toBe(0);
  });

  it('answers 503 and starts nothing when the idempotency store is down', async () => {
    jest.spyOn(idempotency, 'saveInProgress').mockRejectedValueOnce(new Error('table unavailable'));
    const res = await post(submission('someone@example.com'), withKey(KEY_A));
    expect(res.statusCode).toBe(503);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('POST /requests while the same person has a request of that type open', () => {
  it('answers like a first submission, never with the open request, and emails the person a fresh link for it (issue 18, finding 1)', async () => {
    // Prepare
    const first = JSON.parse((await post(submission('someone@example.com'))).body);
    verificationSent(first.requestId);
    // Act
    const again = await post(submission('  Someone@EXAMPLE.com '), JSON_HEADERS, '198.51.100.66');
    // Assess
    expect(again.statusCode).toBe(202);
    const answer = JSON.parse(again.body);
    expect(answer).toEqual({
      requestId: expect.stringMatching(/^[0-9]{8}-access-[a-z2-7]{10}$/),
      status: 'pending_verification',
      statusToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(again.body).not.toContain(first.requestId);
    expect(ledger.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(mailedTo()).toEqual(['someone@example.com']);
    const mail = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body?.Text?.Data;
    expect(mail).toContain(`/requests/${first.requestId}/verify?token=`);
  });

  it("tells whoever uses that answer's code to use the emailed link, and counts nothing against the open request", async () => {
    const first = JSON.parse((await post(submission('someone@example.com'))).body);
    verificationSent(first.requestId);
    const again = JSON.parse((await post(submission('someone@example.com'))).body);
    const { handler: verifyHandler } =
      require('../../functions/http/verify-request') as typeof import('../../functions/http/verify-request');
    const res = await verifyHandler(
      apiEvent({
        resource: '/requests/{requestId}/verify',
        httpMethod: 'POST',
        pathParameters: { requestId: again.requestId },
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${again.statusToken}` },
        body: JSON.stringify({ code: '000000' }),
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'use_link' });
    expect(ledger.get(first.requestId)).toMatchObject({ verification: { attempts: 0 } });
  });

  it('starts a new request for another type, or once the open one has finished', async () => {
    const access = JSON.parse((await post(submission('someone@example.com'))).body);
    const optOut = JSON.parse((await post(submission('someone@example.com', 'opt_out'))).body);
    expect(optOut.requestId).not.toBe(access.requestId);
    (ledger.get(access.requestId) as { status: string }).status = 'completed';
    const next = JSON.parse((await post(submission('someone@example.com'))).body);
    expect(next.requestId).not.toBe(access.requestId);
    expect(ledger.get(next.requestId)?.statusTokenHash).toBe(
      keyedHash(key, 'status-token', next.statusToken),
    );
  });

  it('answers with the same keys and status for any two emails', async () => {
    const a = JSON.parse((await post(submission('ayu.known@example.com'))).body);
    const b = JSON.parse((await post(submission('nobody.unknown@example.test'))).body);
    const open = JSON.parse((await post(submission('ayu.known@example.com'))).body);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(Object.keys(open).sort()).toEqual(Object.keys(a).sort());
    expect(b.status).toBe(a.status);
    expect(open.status).toBe(a.status);
    expect(typeof open.statusToken).toBe(typeof a.statusToken);
  });
});

describe('POST /requests with a mixed-case address (issue 18, finding 3)', () => {
  it('keeps one normalised address: the one it mails is the one it looks up', async () => {
    const res = JSON.parse((await post(submission('Victim@Example.COM'))).body);
    const record = ledger.get(res.requestId) as { contact: { email: string }; subjectHash: string };
    expect(record.contact.email).toBe('victim@example.com');
    expect(record.subjectHash).toBe(keyedHash(key, 'subject', record.contact.email));
  });
});

describe('POST /requests from the form, without JavaScript', () => {
  const CSRF = 'f'.repeat(43);
  const FORM = 'application/x-www-form-urlencoded';
  const formPost = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    post(new URLSearchParams(fields).toString(), {
      'Content-Type': FORM,
      Cookie: `dsr_csrf=${CSRF}`,
      Host: 'dsr.example',
      Origin: 'https://dsr.example',
      'Sec-Fetch-Site': 'same-origin',
      ...headers,
    });

  it('marks in the status cookie that a second code is due only when the correction changes the email address', async () => {
    // Act
    const statusCookieOf = async (fields: Record<string, string>) => {
      const res = await formPost({
        csrf: CSRF,
        locale: 'en',
        type: 'rectify',
        jurisdiction: 'ID',
        ...fields,
      });
      expect(res.statusCode).toBe(303);
      return (res.multiValueHeaders?.['set-cookie'] ?? [])
        .map(String)
        .find((c) => c.startsWith('dsr_status='));
    };
    const newAddress = await statusCookieOf({ email: 'lama@example.com', correct_email: 'baru@example.com' });
    const nameOnly = await statusCookieOf({ email: 'nama@example.com', correct_fullName: 'Nama Baru' });

    // Assess
    expect(newAddress).toMatch(/^dsr_status=[0-9]{8}-rectify-[a-z2-7]{10}\.[A-Za-z0-9_-]{43}\.new-address;/);
    expect(nameOnly).toMatch(/^dsr_status=[0-9]{8}-rectify-[a-z2-7]{10}\.[A-Za-z0-9_-]{43};/);
  });

  it('records the request in the page language, keeps the status token in a cookie and sends the browser to the code page', async () => {
    // Act
    const res = await formPost({
      csrf: CSRF,
      locale: 'en',
      type: 'access',
      email: 'Ayu@Example.com',
      jurisdiction: 'ID',
    });

    // Assess: a 303 to the code page; no URL carries the address, the token stays in an HttpOnly cookie.
    expect(res.statusCode).toBe(303);
    const [id] = [...ledger.keys()];
    expect(res.headers?.location).toBe(`requests/${id}/code`);
    expect(res.headers?.location).not.toContain('ayu');
    const cookies = res.multiValueHeaders?.['set-cookie']?.map(String) ?? [];
    expect(cookies.find((c) => c.startsWith('dsr_status='))).toMatch(
      new RegExp(`^dsr_status=${id}\\.[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict`),
    );
    // No Accept-Language and no choice: Indonesian, the page's language, is the request's.
    expect(ledger.get(id as string)).toMatchObject({ locale: 'id', contact: { email: 'ayu@example.com' } });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('shows a bad email and a missing choice in an error summary in the page language, and records nothing', async () => {
    // Act
    const res = await formPost({ csrf: CSRF, email: 'not-an-email', jurisdiction: 'ID' });
    const english = await formPost(
      { csrf: CSRF, email: '', jurisdiction: 'ID' },
      { 'Accept-Language': 'en-GB,en;q=0.9' },
    );

    // Assess
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<html lang="id">');
    expect(res.body).toMatch(
      /class="error-summary"[\s\S]*Ada masalah[\s\S]*href="#type-access">Pilih apa yang ingin Anda minta[\s\S]*href="#email">Masukkan alamat email dengan format yang benar/,
    );
    expect(res.body).toContain('value="not-an-email"');
    expect(english.body).toMatch(
      /There is a problem[\s\S]*Choose what you want to ask for[\s\S]*Enter your email address/,
    );
    expect(ledger.size).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('refuses a form post another site made, or one without the anti-forgery token, and records nothing', async () => {
    const fields = { csrf: CSRF, type: 'access', email: 'ayu@example.com', jurisdiction: 'ID' };

    const crossSite = await formPost(fields, {
      'Sec-Fetch-Site': 'cross-site',
      Origin: 'https://evil.example',
    });
    const noCookie = await formPost(fields, { Cookie: '' });
    const wrongToken = await formPost({ ...fields, csrf: 'g'.repeat(43) });

    for (const res of [crossSite, noCookie, wrongToken]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Halaman ini terbuka terlalu lama atau berasal dari situs lain');
    }
    expect(ledger.size).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
