import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
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

setTestEnvironment();
// Imported after the environment is set, as a Lambda would.
const { handler } =
  require('../../functions/http/submit-request') as typeof import('../../functions/http/submit-request');

const ddb = mockDocumentClient();
const sfn = mockClient(SFNClient);
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
  ledger = fakeLedger(ddb);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
});
afterEach(() => {
  ddb.reset();
  sfn.reset();
});

describe('POST /requests', () => {
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
      locale: 'en',
      contact: { email: 'Someone@example.com' },
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

  it('allows 5 submissions for one email per hour, whatever IPs they come from', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const email = i % 2 ? 'Target.Person@EXAMPLE.com' : 'target.person@example.com';
      statuses.push(
        (await post(submission(email, 'delete'), JSON_HEADERS, `198.51.100.${i + 1}`)).statusCode,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    // Another person from the same addresses is not affected; the same person is again an hour later.
    expect((await post(submission('other@example.com'), JSON_HEADERS, '198.51.100.1')).statusCode).toBe(202);
    now = T0 + 3600_000;
    expect(
      (await post(submission('target.person@example.com'), JSON_HEADERS, '198.51.100.7')).statusCode,
    ).toBe(202);
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
  it('answers a repeat with the first answer and starts no second workflow', async () => {
    // Act
    const first = await post(submission('someone@example.com'), withKey(KEY_A));
    const again = await post(submission('someone@example.com'), withKey(KEY_A));
    // Assess
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(first.statusCode);
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    expect(ledger.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('gives back a status token that works, while the idempotency record holds no token or email', async () => {
    const first = JSON.parse((await post(submission('someone@example.com'), withKey(KEY_A))).body);
    const again = JSON.parse((await post(submission('someone@example.com'), withKey(KEY_A))).body);
    expect(again.statusToken).toBe(first.statusToken);
    expect(ledger.get(first.requestId)?.statusTokenHash).toBe(
      keyedHash(key, 'status-token', again.statusToken),
    );
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
    expect(again.body).toBe(first.body);
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
  it('answers with the open request instead of starting another', async () => {
    const first = JSON.parse((await post(submission('someone@example.com'))).body);
    const again = await post(submission('  Someone@EXAMPLE.com '));
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body)).toEqual({
      requestId: first.requestId,
      status: 'pending_verification',
      statusToken: null,
    });
    expect(ledger.size).toBe(1);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it("reports the open request's current status", async () => {
    const first = JSON.parse((await post(submission('someone@example.com', 'delete'))).body);
    (ledger.get(first.requestId) as { status: string }).status = 'scheduled';
    const again = JSON.parse((await post(submission('someone@example.com', 'delete'))).body);
    expect(again).toMatchObject({ requestId: first.requestId, status: 'scheduled' });
  });

  it('starts a new request for another type, or once the open one has finished', async () => {
    const access = JSON.parse((await post(submission('someone@example.com'))).body);
    const optOut = JSON.parse((await post(submission('someone@example.com', 'opt_out'))).body);
    expect(optOut.requestId).not.toBe(access.requestId);
    (ledger.get(access.requestId) as { status: string }).status = 'completed';
    const next = JSON.parse((await post(submission('someone@example.com'))).body);
    expect(next.requestId).not.toBe(access.requestId);
    expect(next.statusToken).toEqual(expect.any(String));
  });

  it('answers with the same keys and status for any two emails', async () => {
    const a = JSON.parse((await post(submission('ayu.known@example.com'))).body);
    const b = JSON.parse((await post(submission('nobody.unknown@example.test'))).body);
    const open = JSON.parse((await post(submission('ayu.known@example.com'))).body);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(Object.keys(open).sort()).toEqual(Object.keys(a).sort());
    expect(b.status).toBe(a.status);
  });
});
