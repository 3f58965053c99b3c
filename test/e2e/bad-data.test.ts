/**
 * Bad data in a store, end to end on the emulators: a JSON Lines line that
 * does not parse is exported as text and counted in the store's outcome (no
 * content in the ledger or the logs), and the store's other records and the
 * other stores are exported as usual.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { LocalApi } from '../support/local-api';

jest.setTimeout(120_000);

const subject = { email: 'indah.baddata.e2e@example.com', fullName: 'Indah Rusak', phone: '+6281200000041' };
const BROKEN = '{"event":"page_view","page":"/orders" BROKEN-LINE-MARKER';

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-bad-data-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 2 });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, { ...subject, records: 3 });
  const customerId = await local.customerIdOf(subject.email);
  const activity = system.dataMap.stores.find((s) => s.id === 'activity');
  if (activity?.kind !== 's3') throw new Error('no activity store');
  await system.clients.s3.send(
    new PutObjectCommand({
      Bucket: activity.bucket,
      Key: `activity/${customerId}/2026-01-01.jsonl`,
      Body: `{"event":"login","at":"2026-01-01T01:00:00Z"}\n${BROKEN}\n{"event":"logout","at":"2026-01-01T02:00:00Z"}\n`,
    }),
  );
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a store holding a line that does not parse', () => {
  it('exports it as text with the other records, and counts it in the store’s outcome without its content', async () => {
    const { requestId, zip } = await local.accessExport(subject.email);

    const activity = JSON.parse((await zip.file('stores/activity.json')?.async('string')) ?? '{}') as {
      records: Record<string, unknown>[];
    };
    expect(activity.records).toContainEqual({ unparsedLine: BROKEN });
    expect(activity.records).toContainEqual({ event: 'login', at: '2026-01-01T01:00:00Z' });
    expect(activity.records).toContainEqual({ event: 'logout', at: '2026-01-01T02:00:00Z' });
    expect(zip.file('stores/customers.json')).not.toBeNull();

    const entry = await local.ledgerEntry(requestId);
    const stores = entry.stores as Record<string, { status: string; problems?: Record<string, number> }>;
    expect(stores.activity).toMatchObject({ status: 'completed', problems: { unparsable_line: 1 } });
    expect(stores.customers?.problems).toBeUndefined();
    expect(JSON.stringify(entry)).not.toContain('BROKEN-LINE-MARKER');
  });
});
