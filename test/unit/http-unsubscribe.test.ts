import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetRateLimiter } from '../../functions/aws/rate-limit';
import { keyedHash } from '../../functions/core/crypto';
import { createUnsubscribeToken, usedTokenKey } from '../../functions/core/opt-out/unsubscribe-token';
import {
  apiEvent,
  fakeLedger,
  type Item,
  mockDocumentClient,
  setTestEnvironment,
  TEST_KEY_HEX,
} from '../support/http-support';
import { lambdaContext } from '../support/lambda-context';

setTestEnvironment();
const SUPPRESSION_TABLE = 'dsr-suppression';
Object.assign(process.env, { DSR_SUPPRESSION_TABLE: SUPPRESSION_TABLE, DSR_LIMIT_VERIFY_PER_IP: '4' });
const { handler } =
  require('../../functions/http/unsubscribe') as typeof import('../../functions/http/unsubscribe');

const ddb = mockDocumentClient();
const sfn = mockClient(SFNClient);
const key = Buffer.from(TEST_KEY_HEX, 'hex');
const EMAIL = 'reader@example.com';
const inAMonth = () => new Date(Date.now() + 30 * 24 * 3600_000);
let ledger: Map<string, Item>;
let suppression: Map<string, Item>;

/** The suppression table in memory, with the conditional put the endpoint relies on. */
function fakeSuppressionTable(): Map<string, Item> {
  const items = new Map<string, Item>();
  ddb.on(PutCommand, { TableName: SUPPRESSION_TABLE }).callsFake((input: { Item: Item }) => {
    const id = input.Item.subjectHash as string;
    if (items.has(id)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    items.set(id, structuredClone(input.Item));
    return {};
  });
  ddb
    .on(GetCommand, { TableName: SUPPRESSION_TABLE })
    .callsFake((input: { Key: { subjectHash: string } }) => ({ Item: items.get(input.Key.subjectHash) }));
  return items;
}

const call = (
  method: 'GET' | 'POST',
  query: Record<string, string> | null,
  body: string | null,
  contentType?: string,
) =>
  handler(
    apiEvent({
      resource: '/unsubscribe',
      httpMethod: method,
      queryStringParameters: query,
      headers: { 'Accept-Language': 'en', ...(contentType ? { 'Content-Type': contentType } : {}) },
      body,
      requestContext: { identity: { sourceIp: '198.51.100.4' } } as APIGatewayProxyEvent['requestContext'],
    }),
    lambdaContext(),
  );
/** What a mail client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). */
const oneClick = (token: string) =>
  call('POST', { token }, 'List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded');
const postJson = (body: unknown) => call('POST', null, JSON.stringify(body), 'application/json');
const optOuts = () => [...ledger.values()].filter((item) => item.type === 'opt_out');
const starts = () =>
  sfn.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input ?? '{}'));

beforeEach(() => {
  resetRateLimiter();
  ledger = fakeLedger(ddb);
  suppression = fakeSuppressionTable();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
});
afterEach(() => {
  ddb.reset();
  sfn.reset();
});

describe('GET /unsubscribe', () => {
  it('shows a confirmation page whose button posts the token, and unsubscribes no one by itself', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    const res = await call('GET', { token }, null);

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain(`<form method="post" action="unsubscribe?token=${token}">`);
    expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(res.body).not.toContain(EMAIL);
    expect(res.headers?.['content-security-policy']).toContain("form-action 'self'");
    expect(ledger.size).toBe(0);
    expect(suppression.size).toBe(0);
    expect(starts()).toEqual([]);
  });

  it('answers a tampered link with a 400 page and an expired one with a 410 page', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    const expired = createUnsubscribeToken(key, EMAIL, new Date(Date.now() - 1000));

    const tampered = await call('GET', { token: `${token.slice(0, -2)}xx` }, null);
    const old = await call('GET', { token: expired }, null);
    const missing = await call('GET', null, null);

    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('not valid');
    expect(old.statusCode).toBe(410);
    expect(old.body).toContain('expired');
    expect(missing.statusCode).toBe(400);
    expect(ledger.size).toBe(0);
  });
});

describe('POST /unsubscribe', () => {
  it('records one verified opt-out for the address and starts its workflow without verification', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    const res = await oneClick(token);

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('You are unsubscribed');
    const [entry, ...others] = optOuts();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      requestId: expect.stringMatching(/^[0-9]{8}-opt-out-[a-z2-7]{10}$/),
      status: 'verified',
      contact: { email: EMAIL },
      subjectHash: keyedHash(key, 'subject', EMAIL),
      history: [{ status: 'pending_verification' }, { status: 'verified', note: 'one-click unsubscribe' }],
    });
    expect(starts()).toEqual([{ requestId: entry?.requestId, type: 'opt_out', preVerified: true }]);
    expect(suppression.get(usedTokenKey(key, token))).toMatchObject({ requestId: entry?.requestId });
  });

  it('answers the same token again with "already unsubscribed" and starts nothing new', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    const first = JSON.parse((await postJson({ token })).body);
    // The workflow has moved the request on by the time the link is used again.
    const entry = ledger.get(first.requestId) as Item;
    entry.status = 'completed';

    const again = await oneClick(token);
    const againJson = await postJson({ token });

    expect(first).toEqual({ status: 'unsubscribed', requestId: expect.any(String) });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already unsubscribed');
    expect(JSON.parse(againJson.body)).toEqual({ status: 'already_unsubscribed' });
    expect(optOuts()).toHaveLength(1);
    expect(starts()).toHaveLength(1);
  });

  it('refuses a tampered token with 400 and an expired one with 410, writing nothing', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    const otherAddress = createUnsubscribeToken(key, 'someone@example.com', inAMonth()).split('.')[0];
    const expired = createUnsubscribeToken(key, EMAIL, new Date(Date.now() - 1000));

    const swapped = await postJson({ token: `${otherAddress}.${token.split('.')[1]}` });
    const old = await postJson({ token: expired });
    const junk = await postJson({ token: 'not-a-token' });
    const oldForm = await oneClick(expired);

    expect(swapped.statusCode).toBe(400);
    expect(JSON.parse(swapped.body)).toMatchObject({ error: 'invalid_token' });
    expect(old.statusCode).toBe(410);
    expect(JSON.parse(old.body)).toMatchObject({
      error: 'token_expired',
      message: expect.stringMatching(/expired/),
    });
    expect(junk.statusCode).toBe(400);
    expect(oldForm.statusCode).toBe(410);
    expect(oldForm.body).toContain('expired');
    expect(ledger.size).toBe(0);
    expect(suppression.size).toBe(0);
    expect(starts()).toEqual([]);
  });

  it('accepts an empty body with the token in the query, as some mail clients send it', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    const res = await call('POST', { token }, null);

    expect(res.statusCode).toBe(200);
    expect(optOuts()).toHaveLength(1);
  });

  it('refuses a form that is not a one-click unsubscribe', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    const res = await call('POST', { token }, 'List-Unsubscribe=Maybe', 'application/x-www-form-urlencoded');

    expect(res.statusCode).toBe(400);
    expect(ledger.size).toBe(0);
  });

  it('keeps the link usable when the workflow could not start, and starts it on the next use', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));

    const failed = await postJson({ token });
    const retried = await postJson({ token });

    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.['retry-after']).toBeDefined();
    expect(retried.statusCode).toBe(200);
    expect(optOuts()).toHaveLength(1);
    const [entry] = optOuts();
    expect(starts()).toEqual([
      { requestId: entry?.requestId, type: 'opt_out', preVerified: true },
      { requestId: entry?.requestId, type: 'opt_out', preVerified: true },
    ]);
  });

  it('limits attempts per client IP like verification codes, before looking at the token', async () => {
    const tokens = Array.from({ length: 5 }, (_, i) =>
      createUnsubscribeToken(key, `reader${i}@example.com`, inAMonth()),
    );

    const statuses: number[] = [];
    for (const token of tokens) statuses.push((await postJson({ token })).statusCode);

    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(optOuts()).toHaveLength(4);
  });

  it('puts neither the address nor the token in its answers', async () => {
    const token = createUnsubscribeToken(key, EMAIL, inAMonth());

    const answers = [
      await oneClick(token),
      await postJson({ token }),
      await postJson({ token: `${token}x` }),
    ];

    for (const res of answers) {
      expect(res.body).not.toContain(EMAIL);
      expect(res.body).not.toContain(token);
    }
  });
});
