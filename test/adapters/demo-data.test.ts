import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { type DataMap, type DataStore, isDataStore } from '../../functions/core/data-map';
import type { ExportedRecord } from '../../functions/core/ports';
import { createTableInput, DEMO_TABLES } from '../../infra/definitions/tables';
import {
  countFootprint,
  type DemoClients,
  type ProcessorSink,
  plantSubject,
  seededEmail,
  seedPopulation,
} from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../infra/local/emulators';
import type { ProcessorHolding } from '../../infra/local/processors';

let emulators: Emulators;
let clients: DemoClients;
const dataMap: DataMap = loadDemoDataMap();
/** The stores we hold data in (processors hold their own, at the processors). */
const DATA_STORES: DataStore[] = dataMap.stores.filter(isDataStore);
const STORE_IDS = DATA_STORES.map((s) => s.id).sort();

/** A processor sink that keeps what each processor was given. */
function recordingSink(): ProcessorSink & { given: Record<string, ProcessorHolding[]> } {
  const given: Record<string, ProcessorHolding[]> = { logistics: [], payments: [] };
  return {
    processors: [
      { id: 'logistics', role: 'logistics' },
      { id: 'payments', role: 'payments' },
    ],
    given,
    plant: (id, holding) => {
      given[id]?.push(holding);
    },
  };
}

async function exportAll(email: string): Promise<Record<string, ExportedRecord[]>> {
  const subject = await resolveSubject(dataMap, clients, email);
  const out: Record<string, ExportedRecord[]> = {};
  for (const store of DATA_STORES) {
    out[store.id] = [];
    for await (const page of createConnector(store, clients).export(subject)) out[store.id]?.push(...page);
  }
  return out;
}

beforeAll(async () => {
  emulators = await startEmulators();
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const raw = new DynamoDBClient({ ...common, endpoint: emulators.endpoints.dynamodb });
  clients = {
    dynamodb: DynamoDBDocumentClient.from(raw),
    s3: new S3Client({ ...common, endpoint: emulators.endpoints.s3, forcePathStyle: true }),
  };
  for (const s of DATA_STORES) {
    if (s.kind === 'dynamodb') {
      const def = DEMO_TABLES[s.id];
      if (!def) throw new Error(`no table definition for ${s.id}`);
      await raw.send(new CreateTableCommand(createTableInput(s.table, def)));
    } else {
      await clients.s3.send(new CreateBucketCommand({ Bucket: s.bucket }));
    }
  }
});

afterAll(async () => {
  clients?.dynamodb.destroy();
  clients?.s3.destroy();
  await emulators?.stop();
});

describe('plantSubject', () => {
  it('plants the subject in every store and reports exactly what an export finds', async () => {
    // Act
    const counts = await plantSubject(clients, dataMap, {
      email: 'Ani.Planted@Example.test',
      fullName: 'Ani Tertanam',
      records: 4,
    });

    // Assess
    expect(Object.keys(counts).sort()).toEqual(STORE_IDS);
    expect(counts).toEqual({
      customers: 1,
      'marketing-preferences': 1,
      orders: 4,
      messages: 4,
      activity: 4,
      documents: 4,
    });
    const exported = await exportAll('ani.planted@example.test');
    for (const id of STORE_IDS) expect(exported[id]).toHaveLength(counts[id] ?? -1);
    expect(exported.customers?.[0]?.data).toMatchObject({
      email: 'ani.planted@example.test',
      fullName: 'Ani Tertanam',
    });
  });

  it('spreads activity over several JSON Lines objects', async () => {
    await plantSubject(clients, dataMap, { email: 'spread@example.test', records: 9 });
    const exported = await exportAll('spread@example.test');
    const keys = new Set(exported.activity?.map((r) => (r.ref.kind === 's3' ? r.ref.key : '')));
    expect(keys.size).toBeGreaterThan(1);
    for (const key of keys) expect(key).toMatch(/^activity\/cus-[^/]+\/\d{4}-\d{2}-\d{2}\.jsonl$/);
  });

  it('adds records to an existing subject and returns the new totals', async () => {
    const first = await plantSubject(clients, dataMap, { email: 'twice@example.test', records: 2 });
    const second = await plantSubject(clients, dataMap, { email: 'twice@example.test', records: 3 });

    expect(first.orders).toBe(2);
    expect(second).toEqual({
      customers: 1,
      'marketing-preferences': 1,
      orders: 5,
      messages: 5,
      activity: 5,
      documents: 5,
    });
    expect(await countFootprint(clients, dataMap, 'twice@example.test')).toEqual(second);
  });

  it('gives the planted orders the statuses asked for, cycled over the orders', async () => {
    const counts = await plantSubject(clients, dataMap, {
      email: 'statuses@example.test',
      records: 6,
      orderStatuses: ['delivered', 'in_transit'],
    });
    const closedOnly = await plantSubject(clients, dataMap, {
      email: 'closed.only@example.test',
      records: 4,
      orderStatuses: ['delivered'],
    });

    expect(counts.orders).toBe(6);
    const statuses = (await exportAll('statuses@example.test')).orders?.map((r) => r.data.status).sort();
    expect(statuses).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'in_transit',
      'in_transit',
      'in_transit',
    ]);
    expect(closedOnly.orders).toBe(4);
    const closed = (await exportAll('closed.only@example.test')).orders?.map((r) => r.data.status);
    expect(closed).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('plants more records than one write round holds and counts every one', async () => {
    const counts = await plantSubject(clients, dataMap, {
      email: 'many@example.test',
      records: 501,
      documents: 2,
    });

    expect(counts).toEqual({
      customers: 1,
      'marketing-preferences': 1,
      orders: 501,
      messages: 501,
      activity: 501,
      documents: 2,
    });
    const exported = await exportAll('many@example.test');
    expect(new Set(exported.orders?.map((r) => r.data.orderId)).size).toBe(501);
    expect(
      new Set(exported.activity?.map((r) => (r.ref.kind === 's3' ? r.ref.key : ''))).size,
    ).toBeLessThanOrEqual(3);
  });

  it('gives the logistics partner a shipment and the payment gateway a payment for each paid order', async () => {
    const sink = recordingSink();

    await plantSubject(clients, dataMap, {
      email: 'Eka.Partner@example.test',
      fullName: 'Eka Mitra',
      phone: '+6281200000099',
      records: 3,
      orderStatuses: ['delivered', 'unpaid', 'in_transit'],
      processors: sink,
    });

    const customerId = (await resolveSubject(dataMap, clients, 'eka.partner@example.test')).identities
      .customerId?.[0];
    const orders = (await exportAll('eka.partner@example.test')).orders ?? [];
    const paidOrderIds = orders.filter((o) => o.data.status !== 'unpaid').map((o) => o.data.orderId);
    for (const id of ['logistics', 'payments']) {
      expect(sink.given[id]).toHaveLength(1);
      expect(sink.given[id]?.[0]).toMatchObject({ customerId, email: 'eka.partner@example.test' });
      expect(sink.given[id]?.[0]?.records.map((r) => r.orderId).sort()).toEqual(paidOrderIds.sort());
    }
    expect(sink.given.logistics?.[0]?.records[0]).toMatchObject({
      recipientName: expect.any(String),
      recipientPhone: expect.any(String),
      deliveryAddress: expect.any(String),
      marketing: true,
    });
    // The payment gateway shows the instrument masked, never a full card number.
    for (const r of sink.given.payments?.[0]?.records ?? []) {
      expect(r).toMatchObject({
        payerName: 'Eka Mitra',
        payerEmail: 'eka.partner@example.test',
        marketing: true,
      });
      expect(String(r.instrument)).not.toMatch(/\d{5,}/);
    }
  });

  it('never lets one subject see another subject’s records', async () => {
    await plantSubject(clients, dataMap, { email: 'dewi.a@example.test', fullName: 'Dewi Alfa', records: 3 });
    await plantSubject(clients, dataMap, { email: 'dewi.b@example.test', fullName: 'Dewi Beta', records: 3 });

    const a = JSON.stringify(await exportAll('dewi.a@example.test'));
    const b = JSON.stringify(await exportAll('dewi.b@example.test'));

    expect(a).toContain('Dewi Alfa');
    expect(a).not.toContain('dewi.b@example.test');
    expect(a).not.toContain('Dewi Beta');
    expect(b).not.toContain('dewi.a@example.test');
    expect(b).not.toContain('Dewi Alfa');
  });
});

describe('seedPopulation', () => {
  it('seeds 50 Indonesian customers, each found by email exactly once even after seeding again', async () => {
    // Act: seeding twice with the same seed must overwrite, not duplicate
    const started = Date.now();
    const sink = recordingSink();
    expect(await seedPopulation(clients, dataMap, { customers: 50, seed: 7, processors: sink })).toEqual({
      customers: 50,
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    await seedPopulation(clients, dataMap, { customers: 50, seed: 7 });

    // Assess
    const emails = Array.from({ length: 50 }, (_, i) => seededEmail(7, i));
    expect(new Set(emails).size).toBe(50);
    for (const email of emails) {
      const subject = await resolveSubject(dataMap, clients, email);
      expect(subject.identities.customerId).toHaveLength(1);
    }
    const someone = await exportAll(emails[17] ?? '');
    expect(someone.customers?.[0]?.data).toMatchObject({
      email: emails[17],
      phone: expect.stringMatching(/^\+628\d{9}$/),
      npwp: expect.stringMatching(/^\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}$/),
      city: expect.any(String),
    });
    expect(someone['marketing-preferences']).toHaveLength(1);
    expect(someone.activity?.length).toBeGreaterThan(0);
    // The processors hold records for the customers whose orders reached them.
    expect(sink.given.logistics?.length).toBeGreaterThan(10);
    expect(sink.given.payments?.length).toBe(sink.given.logistics?.length);
  });
});

describe('npm run seed', () => {
  const run = promisify(execFile);
  const cli = (args: string[], localDir: string) =>
    // Async on purpose: a synchronous child calling this process's emulators would deadlock.
    run(path.resolve('node_modules/.bin/tsx'), ['infra/local/seed-cli.ts', ...args], {
      env: { ...process.env, DSR_LOCAL_DIR: localDir },
    });
  let localDir: string;

  beforeAll(async () => {
    localDir = await mkdtemp(path.join(tmpdir(), 'dsr-seed-'));
  });
  afterAll(async () => {
    await rm(localDir, { recursive: true, force: true });
  });

  it('tells the user to start the local system when it is not running', async () => {
    await expect(cli(['--subject', 'cli@example.test'], localDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('start the local system first with npm start'),
    });
  });

  it('refuses an order status the demo does not know', async () => {
    await writeFile(path.join(localDir, 'endpoints.json'), JSON.stringify(emulators.endpoints));
    await expect(
      cli(['--subject', 'cli.bad@example.test', '--order-statuses', 'delivered,lost'], localDir),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--order-statuses must be') });
  });

  it('plants a subject in the running system and prints the counts as its last line', async () => {
    await writeFile(path.join(localDir, 'endpoints.json'), JSON.stringify(emulators.endpoints));

    const { stdout } = await cli(
      [
        '--subject',
        'Cli.User@example.test',
        '--records',
        '3',
        '--documents',
        '1',
        '--order-statuses',
        'delivered',
        '--name',
        'Rina Cli',
      ],
      localDir,
    );

    const lines = stdout.trim().split('\n');
    const counts = JSON.parse(lines[lines.length - 1] ?? '');
    expect(counts).toEqual({
      customers: 1,
      orders: 3,
      messages: 3,
      'marketing-preferences': 1,
      activity: 3,
      documents: 1,
    });
    expect(await countFootprint(clients, dataMap, 'cli.user@example.test')).toEqual(counts);
    const statuses = (await exportAll('cli.user@example.test')).orders?.map((r) => r.data.status);
    expect(statuses).toEqual(['delivered', 'delivered', 'delivered']);
  });
});
