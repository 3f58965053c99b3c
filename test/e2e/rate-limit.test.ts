/**
 * The rate limiter on the DynamoDB emulator (concurrent hits, windows), and the
 * limits as a client meets them over HTTP on the local system.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RateLimitedError, RateLimiter, type RateLimitRule } from '../../functions/aws/rate-limit';
import { createTableInput, RATE_LIMIT_TABLE } from '../../infra/definitions/tables';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';
import { type LocalSystem, RATE_LIMIT_TABLE_NAME, startLocalSystem } from '../../infra/local/system';
import { stubHandlers } from '../support/stub-handlers';

jest.setTimeout(60_000);

describe('the rate limiter on the DynamoDB emulator', () => {
  let emulators: Emulators;
  let db: DynamoDBDocumentClient;
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  let now = T0;
  const limiter = () => new RateLimiter(db, 'dsr-rate-limits', () => new Date(now));

  beforeAll(async () => {
    emulators = await startEmulators();
    const raw = new DynamoDBClient({
      endpoint: emulators.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await raw.send(new CreateTableCommand(createTableInput('dsr-rate-limits', RATE_LIMIT_TABLE)));
    db = DynamoDBDocumentClient.from(raw);
  });
  afterAll(async () => {
    db?.destroy();
    await emulators?.stop();
  });

  it('lets exactly the budget through when 50 hits arrive at once, and loses no count', async () => {
    // Prepare
    const rule: RateLimitRule = { name: 'burst', limit: 20, windowSeconds: 600 };
    const l = limiter();
    // Act
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => l.hit(rule, 'client-a')));
    // Assess
    const passed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(passed).toHaveLength(20);
    expect(refused).toHaveLength(30);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
    // Every hit got its own count: 1..20 passed, none twice.
    const counts = passed
      .map((r) => (r as PromiseFulfilledResult<{ hits: number }>).value.hits)
      .sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const row = await db.send(
      new GetCommand({ TableName: 'dsr-rate-limits', Key: { limitKey: `burst#client-a#${T0 / 1000}` } }),
    );
    expect(row.Item?.hits).toBe(50);
    expect(row.Item?.expiresAt).toBeGreaterThan(T0 / 1000 + 600);
  });

  it('checks a budget without counting: refused only once the hits reach the limit', async () => {
    const rule: RateLimitRule = { name: 'checked', limit: 2, windowSeconds: 600 };
    const l = limiter();
    now = T0;
    for (let i = 0; i < 5; i++) await expect(l.check(rule, 'subject-a')).resolves.toBeUndefined();
    await l.hit(rule, 'subject-a');
    await expect(l.check(rule, 'subject-a')).resolves.toBeUndefined();
    await l.hit(rule, 'subject-a');
    await expect(l.check(rule, 'subject-a')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(l.check(rule, 'subject-b')).resolves.toBeUndefined();
  });

  it('starts counting afresh in the next window', async () => {
    const rule: RateLimitRule = { name: 'windows', limit: 2, windowSeconds: 60 };
    const l = limiter();
    now = T0 + 59_000;
    await l.hit(rule, 'client-a');
    await l.hit(rule, 'client-a');
    await expect(l.hit(rule, 'client-a')).rejects.toMatchObject({ retryAfterSeconds: 1 });
    now = T0 + 60_000;
    await expect(l.hit(rule, 'client-a')).resolves.toMatchObject({ hits: 1, remaining: 1 });
  });
});

describe('rate limits over HTTP on the local system', () => {
  let system: LocalSystem;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-limits-'));
    system = await startLocalSystem({
      dataDir,
      port: 0,
      sesPort: 0,
      demoCustomers: 0,
      seed: false,
      handlers: { tasks: stubHandlers().handlers },
      rateLimits: { submitPerIp: 3, verifyPerIp: 4 },
    });
  });
  afterAll(async () => {
    await system?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const post = (pathPart: string, body: unknown) =>
    fetch(`${system.urls.api}${pathPart}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers the 4th submission from one address with 429 and Retry-After when the budget is 3', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post('/requests', { type: 'access', email: `p${i}@example.com` })).status);
    const limited = await post('/requests', { type: 'access', email: 'p3@example.com' });
    expect(statuses).toEqual([202, 202, 202]);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    // The counters live in the table the local system created, under hashed keys only.
    const rows = await system.clients.dynamodb.send(new ScanCommand({ TableName: RATE_LIMIT_TABLE_NAME }));
    expect(rows.Items?.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows.Items)).not.toMatch(/127\.0\.0\.1|example\.com/);
  });

  it('counts verify and cancel attempts against one budget', async () => {
    const id = '20260101-delete-abcdefghij';
    const attempts = [
      await post(`/requests/${id}/verify`, { code: '123456' }),
      await post(`/requests/${id}/cancel`, { token: 'x'.repeat(43) }),
      await post(`/requests/${id}/verify`, { code: '123456' }),
      await post(`/requests/${id}/cancel`, { token: 'x'.repeat(43) }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    const limited = await post(`/requests/${id}/verify`, { code: '123456' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^[0-9]+$/);
  });
});
