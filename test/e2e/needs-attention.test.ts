/**
 * End to end on the emulators: a store's table is deleted (and, for an
 * opt-out, a partner's secret is missing), the request goes to needs_attention
 * with the other stores done, support repairs and retries through `npm run
 * support`, and only what failed runs again: the person gets one complete export.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import JSZip from 'jszip';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/emulators';
import type { LocalSystem } from '../../infra/local/system';
import { createResources, startLocalSystem } from '../../infra/local/system';
import { LocalApi, linkIn, type SesEmail } from '../support/local-api';
import { runSupport } from '../support/support-cli';

jest.setTimeout(240_000);

const subject = {
  email: 'sari.attention.e2e@example.com',
  fullName: 'Sari Attention Testcase',
  phone: '+6281200000009',
};
const optOutSubject = {
  email: 'tono.attention.e2e@example.com',
  fullName: 'Tono Attention Testcase',
  phone: '+6281200000010',
};
let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-attention-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 5 });
  local = new LocalApi(system);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const support = (...args: string[]) => runSupport(dataDir, ...args);

/** How many times the workflow entered `state` for `storeId` (a Map iteration's task). */
function visits(requestId: string, state: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of system.runner.describe(requestId).events) {
    if (event.type !== 'StateEntered' || !('state' in event) || event.state.name !== state) continue;
    const storeId = String((event.state.input as { storeId?: string } | null)?.storeId);
    counts[storeId] = (counts[storeId] ?? 0) + 1;
  }
  return counts;
}

it('retries only the store whose table was deleted, once it is restored, and sends one complete export', async () => {
  // Prepare: plant the subject, then delete one store's table
  const { plantSubject } = await import('../../infra/local/demo-data');
  const planted = await plantSubject(system.clients, system.dataMap, subject);
  const broken = system.dataMap.stores.filter((s) => s.kind === 'dynamodb').at(-1) as {
    id: string;
    table: string;
  };
  await system.clients.dynamodb.send(new DeleteTableCommand({ TableName: broken.table }));

  // Act: the request stops for support with the other stores done
  const { requestId, statusToken } = await local.submitVerified('access', subject.email);
  const waiting = await local.until(requestId, statusToken, 'needs_attention');
  const byStore = Object.fromEntries(waiting.stores.map((s) => [s.storeId, s.status]));
  expect(byStore[broken.id]).toBe('failed');
  expect(
    Object.entries(byStore).filter(([id, s]) => id !== broken.id && s !== 'completed' && s !== 'escalated'),
  ).toEqual([]);
  const shown = await support('show', requestId, '--json');
  expect(shown.code).toBe(0);
  expect((shown.json() as { stores: unknown[] }).stores).toContainEqual(
    expect.objectContaining({ storeId: broken.id, status: 'failed', reason: expect.stringMatching(/table/) }),
  );
  // A refusal changes nothing
  const noReason = await support('retry', requestId);
  expect(noReason.code).toBe(2);
  expect(noReason.stderr.trim().split('\n')).toHaveLength(1);

  // Repair and retry
  const raw = new DynamoDBClient({
    endpoint: system.urls.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createResources(system.clients, raw, system.dataMap);
  const replanted = await plantSubject(system.clients, system.dataMap, subject);
  const retried = await support('retry', requestId, '--reason', 'table restored', '--actor', 'e2e');
  expect(retried.stderr).toBe('');
  expect(retried.code).toBe(0);
  await local.until(requestId, statusToken, 'completed');

  // Assess: only the broken store was exported again, the partner was asked once; one "ready" email,
  // and the export holds every store
  const dataStores = system.dataMap.stores.filter((s) => s.kind !== 'processor').map((s) => s.id);
  expect(visits(requestId, 'ExportStore')).toEqual(
    Object.fromEntries(dataStores.map((id) => [id, id === broken.id ? 2 : 1])),
  );
  expect(visits(requestId, 'ExportFromProcessor')).toEqual({ logistics: 1 });
  const emails = await local.emailsFor(subject.email, requestId);
  expect(emails).toHaveLength(2);
  const download = await fetch(linkIn(emails[1] as SesEmail, 'export'), { redirect: 'manual' });
  const zip = await JSZip.loadAsync(
    Buffer.from(await (await fetch(download.headers.get('location') as string)).arrayBuffer()),
  );
  const manifest = JSON.parse(await (zip.file('manifest.json') as JSZip.JSZipObject).async('string')) as {
    stores: { storeId: string; records: number }[];
  };
  const counted = Object.fromEntries(manifest.stores.map((s) => [s.storeId, s.records]));
  expect(counted[broken.id]).toBe(replanted[broken.id]);
  for (const [storeId, records] of Object.entries(planted))
    if (storeId !== broken.id) expect(counted[storeId]).toBe(records);
});

it('sends a failed data store and a failed partner to support together, and the retry runs each again in its own Map, nothing else', async () => {
  // Prepare: the consent store's table is gone, and the payment gateway's signing secret cannot be read
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, { ...optOutSubject, processors: system.processors });
  const consents = system.dataMap.stores.find((s) => s.id === 'marketing-preferences') as { table: string };
  await system.clients.dynamodb.send(new DeleteTableCommand({ TableName: consents.table }));
  const secret = path.join(system.processorSecretsDir, 'payments.key');
  await rename(secret, `${secret}.away`);

  // Act: both failures stop the request for support; the other stores and the logistics partner are done
  const { requestId, statusToken } = await local.submitVerified('opt_out', optOutSubject.email);
  const waiting = await local.until(requestId, statusToken, 'needs_attention');
  const byStore = Object.fromEntries(waiting.stores.map((s) => [s.storeId, s.status]));
  expect(byStore).toEqual(
    Object.fromEntries(
      system.dataMap.stores.map((s) => [
        s.id,
        s.id === 'marketing-preferences' || s.id === 'payments' ? 'failed' : 'completed',
      ]),
    ),
  );
  const shown = (await support('show', requestId, '--json')).json() as {
    stores: { storeId: string; status: string; reason?: string }[];
  };
  expect(shown.stores).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        storeId: 'marketing-preferences',
        status: 'failed',
        reason: expect.stringMatching(/table/),
      }),
      expect.objectContaining({
        storeId: 'payments',
        status: 'failed',
        reason: expect.stringMatching(/secret/),
      }),
    ]),
  );
  expect(local.receivedBy('payments', requestId)).toEqual([]);

  // Repair both and retry
  const raw = new DynamoDBClient({
    endpoint: system.urls.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  await createResources(system.clients, raw, system.dataMap);
  await rename(`${secret}.away`, secret);
  const retried = await support(
    'retry',
    requestId,
    '--reason',
    'table and secret restored',
    '--actor',
    'e2e',
  );
  expect(retried.code).toBe(0);
  await local.until(requestId, statusToken, 'completed');

  // Assess: every store of both kinds visited; only the two that failed ran twice, each in its own kind's Map
  const dataStores = system.dataMap.stores.filter((s) => s.kind !== 'processor').map((s) => s.id);
  expect(visits(requestId, 'OptOutStore')).toEqual(
    Object.fromEntries(dataStores.map((id) => [id, id === 'marketing-preferences' ? 2 : 1])),
  );
  expect(visits(requestId, 'NotifyProcessorOfOptOut')).toEqual({ logistics: 1, payments: 2 });
  expect(local.receivedBy('logistics', requestId)).toHaveLength(1);
  expect(local.receivedBy('payments', requestId)).toHaveLength(1);
  const done = await local.statusOf(requestId, statusToken);
  expect(done.stores.filter((s) => s.status !== 'completed')).toEqual([]);
  // One confirmation, after the retry.
  const confirmations = (await local.emailsFor(optOutSubject.email, requestId)).filter((m) =>
    m.subject.startsWith('You will no longer receive marketing'),
  );
  expect(confirmations).toHaveLength(1);
});
