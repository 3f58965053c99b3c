import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  clientIpKey,
  RateLimitedError,
  RateLimiter,
  RateLimiterUnavailableError,
  type RateLimitRule,
} from '../../functions/aws/rate-limit';

const ddb = mockClient(DynamoDBDocumentClient);
const counters = new Map<string, number>();
const rule: RateLimitRule = { name: 'submit-ip', limit: 3, windowSeconds: 600 };
// 2026-01-01T00:00:00Z is a multiple of 600 s, so windows start on the ten minutes.
const WINDOW_START = Date.parse('2026-01-01T00:00:00.000Z');
let now = WINDOW_START;
const limiter = () =>
  new RateLimiter(
    DynamoDBDocumentClient.from(new DynamoDBClient({})),
    'dsr-rate-limits',
    () => new Date(now),
  );

beforeEach(() => {
  counters.clear();
  now = WINDOW_START;
  ddb.on(UpdateCommand).callsFake((input: { Key: { limitKey: string } }) => {
    const hits = (counters.get(input.Key.limitKey) ?? 0) + 1;
    counters.set(input.Key.limitKey, hits);
    return { Attributes: { hits } };
  });
});
afterEach(() => ddb.reset());

async function outcome(l: RateLimiter, key = 'client-a'): Promise<number | 'limited'> {
  try {
    return (await l.hit(rule, key)).hits;
  } catch (error) {
    if (error instanceof RateLimitedError) return 'limited';
    throw error;
  }
}

describe('the fixed-window rate limiter', () => {
  it('lets exactly the configured number of hits through and refuses the next one', async () => {
    // Prepare
    const l = limiter();
    // Act
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await outcome(l));
    // Assess
    expect(results).toEqual([1, 2, 3, 'limited', 'limited']);
  });

  it('lets the client in again once the window has ended', async () => {
    const l = limiter();
    for (let i = 0; i < 4; i++) await outcome(l);
    now = WINDOW_START + 599_000;
    expect(await outcome(l)).toBe('limited');
    now = WINDOW_START + 600_000;
    expect(await outcome(l)).toBe(1);
  });

  it('says how many seconds remain until the window ends', async () => {
    const l = limiter();
    now = WINDOW_START + 100_400;
    for (let i = 0; i < 3; i++) await l.hit(rule, 'client-a');
    const refused = await l.hit(rule, 'client-a').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    // 499.6 s remain: rounded up, so a client that waits that long is never refused again.
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(500);
    expect((refused as RateLimitedError).rule).toBe('submit-ip');
  });

  it('counts each key and each rule separately', async () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) await l.hit(rule, 'client-a');
    expect(await outcome(l, 'client-a')).toBe('limited');
    expect(await outcome(l, 'client-b')).toBe(1);
    expect((await l.hit({ ...rule, name: 'verify-ip' }, 'client-a')).hits).toBe(1);
  });

  it('counts with one atomic ADD on a key naming the window, and lets the row expire after it', async () => {
    await limiter().hit(rule, 'client-a');
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ limitKey: `submit-ip#client-a#${WINDOW_START / 1000}` });
    expect(input?.UpdateExpression).toContain('ADD hits :one');
    expect(input?.ReturnValues).toBe('UPDATED_NEW');
    const expiresAt = input?.ExpressionAttributeValues?.[':expires'] as number;
    expect(expiresAt).toBeGreaterThan(WINDOW_START / 1000 + rule.windowSeconds);
  });

  it('refuses with "unavailable" instead of letting requests through when the counters fail', async () => {
    ddb.reset();
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    await expect(limiter().hit(rule, 'client-a')).rejects.toBeInstanceOf(RateLimiterUnavailableError);
  });

  it('keys clients by a keyed hash, never by their address', () => {
    const secret = Buffer.alloc(32, 7);
    const key = clientIpKey(secret, '203.0.113.7');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('203.0.113.7');
    expect(clientIpKey(Buffer.alloc(32, 8), '203.0.113.7')).not.toBe(key);
  });
});
