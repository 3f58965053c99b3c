/**
 * No enumeration: `POST /requests` answers a known and an unknown email with
 * the same status and the same body keys, because nothing on that path looks
 * at the company's stores. The timing side is a figure of `npm run bench`
 * (section `enumeration`), not an assertion: timing on a shared machine is noise.
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

const TRIES = 10;
let system: LocalSystem;
let local: LocalApi;
let dataDir: string;
let knownEmails: string[];

beforeAll(async () => {
  // Twenty submissions from one address: lift the per-IP budget (it has its own tests).
  process.env.DSR_LIMIT_SUBMIT_PER_IP = '1000';
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-enum-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: TRIES });
  local = new LocalApi(system);
  const customers = system.dataMap.stores.find((s) => s.id === 'customers');
  if (customers?.kind !== 'dynamodb') throw new Error('the demo data map has no customers table');
  // Test set-up only: the emails of the seeded customers, straight from their table.
  const out = await system.clients.dynamodb.send(
    new ScanCommand({ TableName: customers.table, ProjectionExpression: 'email' }),
  );
  knownEmails = (out.Items ?? []).map((i) => String(i.email)).slice(0, TRIES);
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
}

async function submit(email: string): Promise<Answer> {
  const res = await local.postJson('/requests', { type: 'access', email });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, keys: Object.keys(body).sort().join(','), requestStatus: body.status };
}

describe('submitting a request', () => {
  it('answers a known and an unknown email alike: status and body keys', async () => {
    // Prepare: every known email is a seeded customer; every unknown one exists nowhere
    expect(knownEmails).toHaveLength(TRIES);
    const unknownEmails = Array.from({ length: TRIES }, (_, i) => `nobody.${i}.${Date.now()}@example.test`);

    // Act: interleaved
    const answers: Answer[] = [];
    for (let i = 0; i < TRIES; i++) {
      answers.push(await submit(knownEmails[i] as string));
      answers.push(await submit(unknownEmails[i] as string));
    }

    // Assess
    const shapes = new Set(answers.map((a) => `${a.status} ${a.keys} ${a.requestStatus}`));
    expect([...shapes]).toEqual(['202 requestId,status,statusToken pending_verification']);
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
