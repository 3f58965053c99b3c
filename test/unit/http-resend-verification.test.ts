import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { keyedHash } from '../../functions/core/crypto';
import {
  apiEvent,
  fakeLedger,
  type Item,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';
import { withResendSupport } from '../support/resend-ledger';

setTestEnvironment();
process.env.DSR_RATE_LIMIT_TABLE = 'dsr-rate-limits';
const { resetConfigCache } =
  require('../../functions/aws/config') as typeof import('../../functions/aws/config');
const { handler } =
  require('../../functions/http/resend-verification') as typeof import('../../functions/http/resend-verification');
const verifyHandler = (
  require('../../functions/http/verify-request') as typeof import('../../functions/http/verify-request')
).handler;
const requestVerification = (
  require('../../functions/tasks/request-verification') as typeof import('../../functions/tasks/request-verification')
).handler;

const ddb = mockDocumentClient();
const ses = mockClient(SESv2Client);
const sfn = mockClient(SFNClient);
const requestId = '20260101-access-abcdefghij';
const EMAIL = 'resend.subject@example.com';
const STATUS_TOKEN = 'status-token-for-tests-0123456789abcdefghij';
let ledger: Map<string, Item>;
let ipHits = 0;

function plantRequest(status = 'pending_verification') {
  ledger.set(requestId, {
    requestId,
    type: 'access',
    status,
    locale: 'en',
    contact: { email: EMAIL },
    statusTokenHash: keyedHash(Buffer.from(TEST_KEY_HEX, 'hex'), 'status-token', STATUS_TOKEN),
    history: [{ status: 'pending_verification', at: '2026-01-01T00:00:00.000Z' }],
  });
}

/** Runs the real RequestVerification task, as the workflow does, and returns the first email's code. */
async function firstEmail(): Promise<void> {
  await requestVerification({ requestId, taskToken: 'task-token-1' });
}

function sentMails(): { to: string; text: string }[] {
  return ses.commandCalls(SendEmailCommand).map((call) => {
    const input = call.args[0].input;
    return {
      to: input.Destination?.ToAddresses?.[0] ?? '',
      text: input.Content?.Simple?.Body?.Text?.Data ?? '',
    };
  });
}

function codeIn(text: string): string {
  const match = /Confirmation code: (\d{6})/.exec(text);
  if (!match?.[1]) throw new Error('no code in the email');
  return match[1];
}

function tokenIn(text: string): string {
  const match = /verify\?token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!match?.[1]) throw new Error('no link in the email');
  return decodeURIComponent(match[1]);
}

const resend = (id = requestId, body: string | null = null, headers: Record<string, string> = {}) =>
  handler(
    apiEvent({
      resource: '/requests/{requestId}/resend',
      httpMethod: 'POST',
      pathParameters: { requestId: id },
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    }),
    lambdaContext(),
  );

const verify = (body: unknown) =>
  verifyHandler(
    apiEvent({
      resource: '/requests/{requestId}/verify',
      httpMethod: 'POST',
      pathParameters: { requestId },
      // Codes come with the request's status token, as the form sends them.
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${STATUS_TOKEN}` },
      body: JSON.stringify(body),
    }),
    lambdaContext(),
  );

beforeEach(() => {
  ledger = fakeLedger(ddb);
  withResendSupport(ddb, ledger);
  ipHits = 0;
  ddb.on(UpdateCommand, { TableName: 'dsr-rate-limits' }).callsFake(() => {
    ipHits += 1;
    return { Attributes: { hits: ipHits } };
  });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});
afterEach(() => {
  ddb.reset();
  ses.reset();
  sfn.reset();
  jest.restoreAllMocks();
  delete process.env.DSR_MAX_RESENDS;
  resetConfigCache();
});

describe('POST /requests/{requestId}/resend', () => {
  it('emails a new code and link to the address on the request, and the old ones stop working', async () => {
    // Prepare
    plantRequest();
    await firstEmail();
    const [first] = sentMails();

    // Act
    const res = await resend();

    // Assess
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ requestId, status: 'pending_verification', resendsLeft: 2 });
    expect(res.body).not.toContain(EMAIL);
    const mails = sentMails();
    expect(mails).toHaveLength(2);
    const second = mails[1] as { to: string; text: string };
    expect(second.to).toBe(EMAIL);
    const oldCode = codeIn(first?.text ?? '');
    const newCode = codeIn(second.text);
    expect(tokenIn(second.text)).not.toBe(tokenIn(first?.text ?? ''));
    if (oldCode !== newCode) {
      expect((await verify({ code: oldCode })).statusCode).toBe(403);
    }
    expect((await verify({ token: tokenIn(first?.text ?? '') })).statusCode).toBe(403);
    expect((await verify({ code: newCode })).statusCode).toBe(200);
    expect(ledger.get(requestId)?.status).toBe('verified');
  });

  it('sends at most 3 new codes per request, then says the limit is reached', async () => {
    plantRequest();
    await firstEmail();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await resend()).statusCode);
    expect(statuses).toEqual([202, 202, 202, 409, 409]);
    const last = JSON.parse((await resend()).body);
    expect(last).toMatchObject({ error: 'resend_limit', resendsLeft: 0 });
    expect(last.message).toMatch(/new request/);
    expect(sentMails()).toHaveLength(4);
  });

  it('honours DSR_MAX_RESENDS', async () => {
    process.env.DSR_MAX_RESENDS = '1';
    resetConfigCache();
    plantRequest();
    await firstEmail();
    expect((await resend()).statusCode).toBe(202);
    expect((await resend()).statusCode).toBe(409);
  });

  it('keeps counting wrong codes across resends, so new codes do not buy more guesses', async () => {
    plantRequest();
    await firstEmail();
    const wrong = codeIn(sentMails()[0]?.text ?? '') === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) expect((await verify({ code: wrong })).statusCode).toBe(403);
    expect((await resend()).statusCode).toBe(202);
    const res = await verify({ code: wrong === '000000' ? '111111' : '000000' });
    expect(JSON.parse(res.body)).toMatchObject({ attemptsLeft: 1 });
  });

  it('counts every resend against the per-IP verify budget and answers 429 over it', async () => {
    plantRequest();
    await firstEmail();
    ipHits = 30;
    const res = await resend();
    expect(res.statusCode).toBe(429);
    expect(res.headers?.['retry-after']).toMatch(/^[0-9]+$/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'rate_limited' });
    expect(sentMails()).toHaveLength(1);
  });

  it('answers the same 404 for an unknown id and a malformed one', async () => {
    const unknown = await resend('20260101-access-zzzzzzzzzz');
    const malformed = await resend('../../etc/passwd');
    expect(unknown.statusCode).toBe(404);
    expect(malformed.statusCode).toBe(404);
    expect(unknown.body).toBe(malformed.body);
    expect(sentMails()).toHaveLength(0);
  });

  it('refuses once the request was verified, sending nothing', async () => {
    plantRequest();
    await firstEmail();
    expect((await verify({ code: codeIn(sentMails()[0]?.text ?? '') })).statusCode).toBe(200);
    const res = await resend();
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'not_pending' });
    expect(sentMails()).toHaveLength(1);
  });

  it('asks the person to wait while the first email is not out yet', async () => {
    plantRequest();
    const res = await resend();
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'not_ready' });
  });

  it('rejects a body with fields, naming them', async () => {
    plantRequest();
    await firstEmail();
    const res = await resend(requestId, JSON.stringify({ email: 'other@example.com' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).fields).toHaveProperty('email');
    expect(sentMails()).toHaveLength(1);
  });

  it('accepts an empty JSON object as the body', async () => {
    plantRequest();
    await firstEmail();
    expect((await resend(requestId, '{}')).statusCode).toBe(202);
  });
});

describe('the verification code', () => {
  it('fails once its 15 minutes are over', async () => {
    // Prepare: the real task mints the code with DSR_VERIFICATION_TTL_SECONDS (default 900)
    plantRequest();
    await firstEmail();
    const code = codeIn(sentMails()[0]?.text ?? '');
    const sentAt = Date.now();

    // Act: 15 minutes and one second later
    jest.spyOn(Date, 'now').mockReturnValue(sentAt + 15 * 60_000 + 1000);
    const res = await verify({ code });

    // Assess
    expect(res.statusCode).toBe(410);
    expect(JSON.parse(res.body).error).toBe('code_expired');
    expect(ledger.get(requestId)?.status).toBe('pending_verification');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('still works just before its 15 minutes are over', async () => {
    plantRequest();
    await firstEmail();
    const code = codeIn(sentMails()[0]?.text ?? '');
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 14 * 60_000);
    expect((await verify({ code })).statusCode).toBe(200);
  });
});
