/**
 * End to end on the emulators: a store's table is deleted, the request goes to
 * needs_attention with the other stores done, the table is restored, support
 * retries through `npm run support`, and the person gets one complete export.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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

  // Assess: one "ready" email, and the export holds every store
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
