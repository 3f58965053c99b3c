/**
 * `npm start` as a person runs it, with no limit raised: the same abuse limits
 * as a deployment (its own file, so no other local system's budgets linger).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { stubHandlers } from '../support/stub-handlers';

jest.setTimeout(60_000);

describe('npm start without settings', () => {
  let system: LocalSystem;
  let dataDir: string;

  beforeAll(async () => {
    // As `npm start` runs: no budget raised for tests, so the deployment's defaults apply.
    delete process.env.DSR_LOCAL_RATE_LIMIT;
    dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-default-limits-'));
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

  it('enforces the README’s 20 submissions per client in 10 minutes: the 21st gets 429', async () => {
    const submit = (i: number) =>
      fetch(`${system.urls.api}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'access', email: `limit${i}@example.com` }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await submit(i)).status);
    expect(statuses).toEqual(Array(20).fill(202));
    expect((await submit(20)).status).toBe(429);
  });
});
