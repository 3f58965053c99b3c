/**
 * End to end on the emulators: nothing waits past the deadline. A delete whose
 * store table is gone waits for support; nobody decides; when support's wait
 * ends (shortened here to seconds) the request completes with exceptions on its
 * own: the other stores are erased, the certificate lists the store that was
 * not, and the person is told why in both languages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  AUDIT_TABLE_NAME,
  LEDGER_TABLE_NAME,
  type LocalSystem,
  startLocalSystem,
} from '../../infra/local/system';
import { LocalApi, textOf } from '../support/local-api';
import { runSupport } from '../support/support-cli';

jest.setTimeout(240_000);

const subject = { email: 'dewi.deadline.e2e@example.com', fullName: 'Dewi Deadline Testcase' };
let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-deadline-'));
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 3,
    deleteGraceSeconds: 1,
    // Support's wait, which in AWS ends the margin before the due time.
    taskTimeoutOverrides: { RequestSupportDecision: 3 },
  });
  local = new LocalApi(system);
  // Both people's records, then one store's table is lost
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, subject);
  await plantSubject(system.clients, system.dataMap, person);
  await plantSubject(system.clients, system.dataMap, optingOut);
  await system.clients.dynamodb.send(new DeleteTableCommand({ TableName: broken().table }));
});

const broken = () =>
  system.dataMap.stores.filter((s) => s.kind === 'dynamodb').at(-1) as { id: string; table: string };
const person = { email: 'eko.complete.e2e@example.com', fullName: 'Eko Complete Testcase' };
const optingOut = { email: 'fitri.optout.e2e@example.com', fullName: 'Fitri Optout Testcase' };

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('completes a delete with exceptions when the deadline ends the wait, and lists the store it could not erase', async () => {
  // Act: nobody decides; the first wait ends and, the deadline being days away, support's wait starts again
  const { requestId, statusToken } = await local.submitVerified('delete', subject.email);
  await local.until(requestId, statusToken, 'needs_attention');
  // Time passes: the due time comes within the 6-hour margin (moved, as a clock cannot be here)
  await system.clients.dynamodb.send(
    new UpdateCommand({
      TableName: LEDGER_TABLE_NAME,
      Key: { requestId },
      UpdateExpression: 'SET dueAt = :due',
      ExpressionAttributeValues: { ':due': new Date(Date.now() + 6 * 3600_000 - 60_000).toISOString() },
    }),
  );
  const done = await local.until(requestId, statusToken, 'completed');

  // Assess: the store is reported failed, the others erased; the deadline decided, and said so
  expect(done.stores.find((s) => s.storeId === broken().id)?.status).toBe('failed');
  const certificate = (await (
    await fetch(`${system.urls.api}/local/certificates/${requestId}.json`)
  ).json()) as {
    stores: { storeId: string }[];
    notErased: { storeId: string; error: string }[];
  };
  expect(certificate.notErased.map((s) => s.storeId)).toEqual([broken().id]);
  expect(certificate.stores.map((s) => s.storeId)).not.toContain(broken().id);
  expect(certificate.stores.length).toBeGreaterThan(0);
  const emails = (await local.emailsFor(subject.email, requestId)).map(textOf);
  const exceptions = emails.find((t) => t.includes('batas waktu hukum'));
  expect(exceptions).toBeDefined();
  expect(exceptions).toContain('the legal deadline');
  const trail = await system.clients.dynamodb.send(
    new QueryCommand({
      TableName: AUDIT_TABLE_NAME,
      KeyConditionExpression: 'requestId = :id',
      ExpressionAttributeValues: { ':id': requestId },
    }),
  );
  expect((trail.Items ?? []).map((i) => i.kind)).toEqual(
    expect.arrayContaining(['support_action', 'completed']),
  );
});

it("completes an access request with exceptions on support's word, and tells the person what and why", async () => {
  const { requestId, statusToken } = await local.submitVerified('access', person.email);
  await local.until(requestId, statusToken, 'needs_attention');

  // Act
  const completed = await runSupport(
    dataDir,
    'complete',
    requestId,
    '--reason',
    'our marketing preferences archive was lost in a migration',
    '--actor',
    'e2e',
  );

  // Assess: completed; one email naming the store and quoting the reason, and one download link
  expect(completed.stderr).toBe('');
  expect(completed.code).toBe(0);
  await local.until(requestId, statusToken, 'completed');
  const texts = (await local.emailsFor(person.email, requestId)).map(textOf);
  const exceptions = texts.filter((t) => t.includes('archive was lost in a migration'));
  expect(exceptions).toHaveLength(1);
  expect(exceptions[0]).toMatch(/Alasannya|Why/);
  expect(texts.filter((t) => t.includes('/export'))).toHaveLength(1);
  expect((await local.ledgerEntry(requestId)).exceptions).toMatchObject({
    stores: [expect.objectContaining({ storeId: broken().id })],
    decision: { action: 'complete', actor: 'e2e' },
  });
});

it('keeps an opt-out suppressed from the start, while a store has failed and after support fails the request', async () => {
  const { isSuppressed } = await import('../../functions/aws/suppression');
  const { requestId, statusToken } = await local.submitVerified('opt_out', optingOut.email);
  await local.until(requestId, statusToken, 'needs_attention');
  // Suppressed before the stores were touched, although one of them failed
  expect(await isSuppressed(optingOut.email)).toBe(true);

  const failed = await runSupport(
    dataDir,
    'fail',
    requestId,
    '--reason',
    'the preferences store is gone',
    '--actor',
    'e2e',
  );
  expect(failed.code).toBe(0);
  await local.until(requestId, statusToken, 'failed');
  expect(await isSuppressed(optingOut.email)).toBe(true);
  const texts = (await local.emailsFor(optingOut.email, requestId)).map(textOf);
  expect(texts.some((t) => t.includes('the preferences store is gone'))).toBe(true);
});
