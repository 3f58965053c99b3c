/**
 * End to end on the emulators: a deployment that starts EU clocks at
 * verification (DSR_CLOCK_START_AT_VERIFICATION=EU). An EU request's month
 * counts from the moment the person was verified; an Indonesian one, whose law
 * counts from the request, keeps its receipt clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addCalendarMonths } from '../../functions/core/clocks';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { codeIn, LocalApi, type Submitted } from '../support/local-api';

jest.setTimeout(120_000);

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-clock-start-'));
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 2,
    clockStartAtVerification: 'EU',
  });
  local = new LocalApi(system);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Submits, waits a little (so verification is clearly later than receipt), verifies, and waits until done. */
async function verifiedLater(jurisdiction: string, email: string): Promise<Submitted> {
  const res = await local.postJson('/requests', { type: 'access', email, jurisdiction });
  expect(res.status).toBe(202);
  const submitted = (await res.json()) as Submitted;
  const code = codeIn(await local.verificationEmail(email, submitted.requestId));
  await new Promise((r) => setTimeout(r, 1500));
  const verify = await local.postJson(
    `/requests/${submitted.requestId}/verify`,
    { code },
    { authorization: `Bearer ${submitted.statusToken}` },
  );
  expect(verify.status).toBe(200);
  await local.until(submitted.requestId, submitted.statusToken, 'completed');
  return submitted;
}

it('counts the EU month from verification, and the Indonesian 3×24 hours from the request', async () => {
  const eu = await verifiedLater('EU', 'eu.clockstart.e2e@example.com');
  const id = await verifiedLater('ID', 'id.clockstart.e2e@example.com');

  const euEntry = await local.ledgerEntry(eu.requestId);
  const verifiedAt = (euEntry.history as { status: string; at: string }[]).find(
    (h) => h.status === 'verified',
  )?.at;
  const respond = (euEntry.clocks as { respond: { startedAt: string; dueAt: string } }).respond;
  expect(respond.startedAt).toBe(verifiedAt);
  expect(Date.parse(respond.startedAt) - Date.parse(euEntry.receivedAt as string)).toBeGreaterThanOrEqual(
    1000,
  );
  expect(respond.dueAt).toBe(addCalendarMonths(new Date(respond.startedAt), 1).toISOString());
  expect(euEntry.dueAt).toBe(respond.dueAt);

  const idEntry = await local.ledgerEntry(id.requestId);
  const idClock = (idEntry.clocks as { respond: { startedAt: string } }).respond;
  expect(idClock.startedAt).toBe(idEntry.receivedAt);
});
