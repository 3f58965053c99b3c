/**
 * Duplicate submissions on the local system: Powertools idempotency with its
 * DynamoDB persistence layer on the emulator, and the open-request answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_TABLE_NAME, type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { stubHandlers } from '../support/stub-handlers';

jest.setTimeout(60_000);

let system: LocalSystem;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-idempotency-'));
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 0,
    seed: false,
    handlers: { tasks: stubHandlers().handlers },
  });
});
afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly body: { requestId?: string; status?: string; statusToken?: string | null; error?: string };
}

async function submit(body: unknown, idempotencyKey?: string): Promise<Answer> {
  const res = await fetch(`${system.urls.api}/requests`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const executionsOf = (requestId: string) => system.runner.list().filter((e) => e.name === requestId);

describe('POST /requests with an Idempotency-Key on the local system', () => {
  it('returns the first answer to a repeat, without its status token, and starts one workflow', async () => {
    // Act
    const key = 'e2b7f0c4-6a51-4f3e-9c1d-0a9b8c7d6e5f';
    const first = await submit({ type: 'access', email: 'repeat.sender@example.com' }, key);
    const again = await submit({ type: 'access', email: 'repeat.sender@example.com' }, key);
    // Assess
    expect(first.status).toBe(202);
    expect(first.body.statusToken).toEqual(expect.any(String));
    // The token went to the first caller only: a replay may come from anyone who has the key and body.
    expect(again).toEqual({ ...first, body: { ...first.body, statusToken: null } });
    expect(executionsOf(first.body.requestId as string)).toHaveLength(1);
    const stored = await system.clients.dynamodb.send(new ScanCommand({ TableName: IDEMPOTENCY_TABLE_NAME }));
    const record = JSON.stringify(stored.Items);
    expect(record).toContain(first.body.requestId);
    expect(record).not.toContain(first.body.statusToken as string);
    expect(record).not.toContain('repeat.sender');
  });

  it('answers concurrent repeats with one request, never two', async () => {
    const key = '0c0ffee0-1234-4abc-8def-000000000001';
    const body = { type: 'delete', email: 'double.click@example.com' };
    const answers = await Promise.all([submit(body, key), submit(body, key), submit(body, key)]);
    const accepted = answers.filter((a) => a.status === 202);
    // A repeat that arrives while the first is still running is told to retry (409), never given a second request.
    for (const a of answers) expect([202, 409]).toContain(a.status);
    // Every accepted answer names the one request; only the run that created it carries the token.
    const ids = new Set(accepted.map((a) => a.body.requestId));
    expect(ids.size).toBe(1);
    expect(accepted.filter((a) => typeof a.body.statusToken === 'string').length).toBeLessThanOrEqual(1);
    expect(executionsOf(accepted[0]?.body.requestId as string)).toHaveLength(1);
  });

  it('refuses the same key with another body with 422', async () => {
    const key = 'a1b2c3d4-0000-4000-8000-00000000beef';
    expect((await submit({ type: 'access', email: 'first.body@example.com' }, key)).status).toBe(202);
    const other = await submit({ type: 'access', email: 'second.body@example.com' }, key);
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_key_reused');
  });
});

describe('POST /requests while the same person has a request open, on the local system', () => {
  it('answers like a first submission without naming the open request, and starts nothing new', async () => {
    const first = await submit({ type: 'access', email: 'still.open@example.com' });
    const again = await submit({ type: 'access', email: 'Still.Open@EXAMPLE.COM' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({
      requestId: expect.stringMatching(/^[0-9]{8}-access-[a-z2-7]{10}$/),
      status: 'pending_verification',
      statusToken: expect.any(String),
    });
    expect(again.body.requestId).not.toBe(first.body.requestId);
    expect(executionsOf(first.body.requestId as string)).toHaveLength(1);
    expect(executionsOf(again.body.requestId as string)).toHaveLength(0);
    // The first token still works for its holder.
    const status = await fetch(`${system.urls.api}/requests/${first.body.requestId}`, {
      headers: { authorization: `Bearer ${first.body.statusToken}` },
    });
    expect(status.status).toBe(200);
  });
});
