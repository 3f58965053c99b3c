/**
 * No enumeration: `POST /requests` answers a known and an unknown email with
 * the same status, the same body keys and (within noise) the same time,
 * because nothing on that path looks at the company's stores. A statistical
 * property of one code path on this machine, not a speed gate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import JSZip from 'jszip';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { LocalApi, linkIn, poll } from '../support/local-api';

jest.setTimeout(120_000);

const TRIES = 30;
/** Each round needs fresh emails: a second request for the same person gets the open one back. */
const ROUNDS = 3;
let system: LocalSystem;
let local: LocalApi;
let dataDir: string;
let knownEmails: string[];

beforeAll(async () => {
  // Sixty submissions from one address: lift the per-IP budget (it has its own tests).
  process.env.DSR_LIMIT_SUBMIT_PER_IP = '1000';
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-enum-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: TRIES * ROUNDS });
  local = new LocalApi(system);
  const customers = system.dataMap.stores.find((s) => s.id === 'customers');
  if (customers?.kind !== 'dynamodb') throw new Error('the demo data map has no customers table');
  // Test set-up only: the emails of the seeded customers, straight from their table.
  const out = await system.clients.dynamodb.send(
    new ScanCommand({ TableName: customers.table, ProjectionExpression: 'email' }),
  );
  knownEmails = (out.Items ?? []).map((i) => String(i.email)).slice(0, TRIES * ROUNDS);
});

afterAll(async () => {
  await system?.stop();
  delete process.env.DSR_LIMIT_SUBMIT_PER_IP;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly keys: string;
  readonly requestStatus: unknown;
  readonly ms: number;
}

async function submit(email: string): Promise<Answer> {
  const started = performance.now();
  const res = await local.postJson('/requests', { type: 'access', email });
  const body = (await res.json()) as Record<string, unknown>;
  const ms = performance.now() - started;
  return { status: res.status, keys: Object.keys(body).sort().join(','), requestStatus: body.status, ms };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

describe('submitting a request', () => {
  it('answers a known and an unknown email alike: status, body keys and median time within 20 %', async () => {
    // Prepare: every known email is a seeded customer; every unknown one exists nowhere
    expect(knownEmails).toHaveLength(TRIES * ROUNDS);
    const unknownEmails = Array.from({ length: TRIES }, (_, i) => `nobody.${i}.${Date.now()}@example.test`);
    for (let i = 0; i < 5; i++) await submit(`warm.up.${i}@example.test`);

    // Act: interleaved, alternating which goes first, and letting each submission's workflow step
    // settle before the next, so drift and background work on the machine hit both sides alike
    const settle = () => new Promise((resolve) => setTimeout(resolve, 40));
    const round = async (tag: number) => {
      const known: Answer[] = [];
      const unknown: Answer[] = [];
      for (let i = 0; i < TRIES; i++) {
        const pair = [
          async () => known.push(await submit(knownEmails[(tag - 1) * TRIES + i] as string)),
          async () => unknown.push(await submit(`${tag}.${unknownEmails[i] as string}`)),
        ];
        for (const run of i % 2 === 0 ? pair : pair.reverse()) {
          await run();
          await settle();
        }
      }
      const knownMs = median(known.map((a) => a.ms));
      const unknownMs = median(unknown.map((a) => a.ms));
      console.log(
        `POST /requests median: known ${knownMs.toFixed(1)} ms, unknown ${unknownMs.toFixed(1)} ms`,
      );
      return {
        answers: [...known, ...unknown],
        ratio: Math.max(knownMs, unknownMs) / Math.min(knownMs, unknownMs),
      };
    };
    // Another test worker shares the CPU in CI: a round that noise pushes past 20 % is measured again
    // (at most 3 rounds). A real difference between the two paths would show in every round.
    const rounds = [await round(1)];
    while ((rounds.at(-1)?.ratio ?? 0) > 1.2 && rounds.length < ROUNDS)
      rounds.push(await round(rounds.length + 1));

    // Assess
    const shapes = new Set(
      rounds.flatMap((r) => r.answers).map((a) => `${a.status} ${a.keys} ${a.requestStatus}`),
    );
    expect([...shapes]).toEqual(['202 requestId,status,statusToken pending_verification']);
    expect(Math.min(...rounds.map((r) => r.ratio))).toBeLessThanOrEqual(1.2);
  });

  it('completes a verified access request for an unknown email and says plainly that we hold no data', async () => {
    // Prepare
    const email = `nobody.verified.${Date.now()}@example.test`;
    const res = await local.postJson('/requests', { type: 'access', email });
    const { requestId, statusToken } = (await res.json()) as { requestId: string; statusToken: string };
    const mailsFor = () => local.emailsFor(email, requestId);
    const first = await poll(async () => (await mailsFor())[0], 30_000, 'the verification email');
    const code = /Confirmation code: (\d{6})/.exec(first.body.text ?? '')?.[1];

    // Act
    const verified = await local.postJson(
      `/requests/${requestId}/verify`,
      { code },
      { authorization: `Bearer ${statusToken}` },
    );
    expect(verified.status).toBe(200);
    const result = await poll(async () => (await mailsFor())[1], 30_000, 'the result email');

    // Assess
    expect(result.subject).toMatch(/We hold no data about you/);
    expect(result.body.text).toMatch(/We hold no data about you\./);
    const status = await local.until(requestId, statusToken, 'completed', 30_000);
    expect(status.status).toBe('completed');
    expect(status.stores.every((s) => s.records === 0)).toBe(true);
    // The archive behind the link says the same, in both languages.
    const link = linkIn(result, 'export');
    const redirect = await fetch(link, { redirect: 'manual' });
    const zip = await JSZip.loadAsync(
      Buffer.from(await (await fetch(redirect.headers.get('location') as string)).arrayBuffer()),
    );
    const index = await zip.file('index.html')?.async('string');
    expect(index).toContain('We hold no data about you.');
    expect(index).toContain('Kami tidak menyimpan data apa pun tentang Anda.');
  });
});
