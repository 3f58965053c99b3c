import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LedgerTable } from '../../functions/aws/ledger';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { type ConnectorClients, createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { keyedHash } from '../../functions/core/crypto';
import { type DataStore, dataStoreOf, isDataStore } from '../../functions/core/data-map';
import {
  addDays,
  type RetentionSweepDeps,
  type RetentionSweepOptions,
  sweepRetention,
} from '../../functions/core/erasure/retention-sweep';
import type { DueRetention } from '../../functions/core/ledger-record';
import type { ExportedRecord, Subject } from '../../functions/core/ports';
import { plantSubject } from '../../infra/local/demo-data';
import { loadDemoDataMap } from '../../infra/local/demo-data-map';
import { type Emulators, emulatorEnvironment, startEmulators } from '../../infra/local/emulators';
import { createResources } from '../../infra/local/system';
import { setTestEnvironment, TEST_KEY_HEX } from '../support/http-support';

const dataMap = loadDemoDataMap();
const KEY = Buffer.from(TEST_KEY_HEX, 'hex');
const EXPORTS = 'dsr-exports';
const AUDIT = 'dsr-audit';
/** Every store that holds records here (processors are processors, reached over HTTP). */
const ALL_STORES = dataMap.stores.filter(isDataStore).map((s) => s.id);
const RITA = {
  email: 'rita.retained@example.test',
  fullName: 'Rita Retained Contoh',
  phone: '+628177777777',
};
const HANA = { email: 'hana.held@example.test', fullName: 'Hana Held Contoh', phone: '+628188888888' };
const CITRA = {
  email: 'citra.sweepcrash@example.test',
  fullName: 'Citra Crash Contoh',
  phone: '+628199999999',
};
const OTHER = { email: 'oki.other@example.test', fullName: 'Oki Other Contoh', phone: '+628166666666' };

let emulators: Emulators;
let clients: ConnectorClients;
let ledger: LedgerTable;

const store = (id: string): DataStore => dataStoreOf(dataMap, id);

/** Every current record of the subject, by store, sorted so runs compare. */
async function footprint(subject: Subject, storeIds: readonly string[] = ALL_STORES) {
  const out: Record<string, string[]> = {};
  for (const id of storeIds) {
    const records: ExportedRecord[] = [];
    for await (const page of createConnector(store(id), clients).export(subject)) records.push(...page);
    out[id] = records
      .map((r) => JSON.stringify({ ref: r.ref, data: Object.fromEntries(Object.entries(r.data).sort()) }))
      .sort();
  }
  return out;
}

/** Every version and delete marker of the subject's objects in an S3 store (what stays recoverable). */
async function versions(subject: Subject, id: string) {
  const refs: string[] = [];
  for await (const page of createConnector(store(id), clients).locate(subject)) {
    for (const ref of page) if (ref.kind === 's3') refs.push(`${ref.key}${ref.noncurrent ? ' (old)' : ''}`);
  }
  return refs.sort();
}

const tasks = () => {
  const eraseModule =
    require('../../functions/tasks/erase-store') as typeof import('../../functions/tasks/erase-store');
  // The emulators are consistent at once: no need to wait for lagging reads.
  eraseModule.proofSettings.settleDelaysMs = [];
  return {
    erase: eraseModule.handler,
    certify: (
      require('../../functions/tasks/issue-certificate') as typeof import('../../functions/tasks/issue-certificate')
    ).handler,
  };
};

/**
 * A delete request as the workflow runs it, store by store through the task
 * handlers, the last of which completes and minimises it. Returns the subject as it was before
 * (its customerId finds the retained records once the account is gone).
 */
async function deleteSubject(requestId: string, person: typeof RITA): Promise<Subject> {
  await ledger.create({
    requestId,
    type: 'delete',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-11-20T08:00:00.000Z',
    dueAt: '2026-11-23T08:00:00.000Z',
    subjectHash: keyedHash(KEY, 'subject', person.email),
    contact: person,
    statusTokenHash: 'status-token-hash',
  });
  await ledger.transition(requestId, 'verify');
  await ledger.transition(requestId, 'start');
  const subject = await resolveSubject(dataMap, clients, person.email);
  await ledger.setPlan(requestId, subject.identities, ALL_STORES);
  const { erase, certify } = tasks();
  for (const storeId of ALL_STORES) await erase({ requestId, storeId });
  // IssueCertificate completes and minimises the request itself.
  await certify({ requestId });
  return { identities: { customerId: subject.identities.customerId ?? [] } };
}

const deps = (using: ConnectorClients = clients): RetentionSweepDeps => ({
  ledger,
  exports: new S3ObjectStore(clients.s3, EXPORTS),
  audit: new S3ObjectStore(clients.s3, AUDIT),
  dataMap,
  connectorFor: (s) => createConnector(s, using),
  hashingKey: KEY,
});

const sweep = (today: string, using?: ConnectorClients, options: Partial<RetentionSweepOptions> = {}) =>
  sweepRetention(deps(using), { today, settleDelaysMs: [], ...options });

const entry = async (requestId: string) => (await ledger.get(requestId)) as DueRetention | undefined;

async function auditKeys(): Promise<string[]> {
  const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: AUDIT, Prefix: 'certificates/' }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function readAudit(Key: string): Promise<string> {
  const out = await clients.s3.send(new GetObjectCommand({ Bucket: AUDIT, Key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

const RITA_ID = '20261120-delete-ritaretain';
const HANA_ID = '20261120-delete-hanaheld22';
let rita: Subject;
let hana: Subject;
let other: Subject;
let until: string;

beforeAll(async () => {
  emulators = await startEmulators();
  setTestEnvironment();
  Object.assign(process.env, emulatorEnvironment(emulators.endpoints), {
    DSR_EXPORT_BUCKET: EXPORTS,
    DSR_AUDIT_BUCKET: AUDIT,
    DSR_DATA_MAP: readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'),
  });
  const raw = new DynamoDBClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const dynamodb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  clients = { dynamodb, s3 };
  await createResources(clients, raw, dataMap);
  ledger = new LedgerTable(dynamodb, 'dsr-ledger');

  await plantSubject(clients, dataMap, { ...RITA, records: 3, orderStatuses: ['delivered', 'paid'] });
  await plantSubject(clients, dataMap, { ...HANA, records: 2, orderStatuses: ['delivered', 'in_transit'] });
  await plantSubject(clients, dataMap, { ...OTHER, records: 2 });
  // Every retained document of Rita gets a second version: the sweep must remove both.
  const documents = store('documents') as { bucket: string };
  const ritaBefore = await resolveSubject(dataMap, clients, RITA.email);
  for (const key of await versions(ritaBefore, 'documents')) {
    const out = await s3.send(new GetObjectCommand({ Bucket: documents.bucket, Key: key }));
    const Body = await out.Body?.transformToByteArray();
    await s3.send(new PutObjectCommand({ Bucket: documents.bucket, Key: key, Body }));
  }
  other = await resolveSubject(dataMap, clients, OTHER.email);
  rita = await deleteSubject(RITA_ID, RITA);
  hana = await deleteSubject(HANA_ID, HANA);
  until = (await entry(RITA_ID))?.retention.until ?? '';
}, 60_000);

afterAll(async () => {
  await emulators?.stop();
});

describe('the retention sweep on the emulators', () => {
  it('puts a finished delete that retains records on the sweep list with its retention end date', async () => {
    // Assess
    const stored = await entry(RITA_ID);
    expect(until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(stored).toMatchObject({ status: 'completed', retentionDue: 'pending', retentionUntil: until });
    expect(stored?.retention.entries.map((e) => e.storeId).sort()).toEqual(['documents', 'orders']);
    expect(stored).not.toHaveProperty('contact');
  });

  it("keeps a subject's retained orders and documents through a sweep the day before their retention ends", async () => {
    // Prepare
    const before = [await footprint(rita, ['orders', 'documents']), await versions(rita, 'documents')];

    // Act
    const report = await sweep(addDays(until, -1));

    // Assess
    expect(report.requests).toEqual([]);
    expect([await footprint(rita, ['orders', 'documents']), await versions(rita, 'documents')]).toEqual(
      before,
    );
    expect((await footprint(rita, ['orders'])).orders).toHaveLength(3);
    expect(await versions(rita, 'documents')).toHaveLength(6);
    expect((await entry(RITA_ID))?.retentionDue).toBe('pending');
  });

  it('erases retained orders and every document version once retention ends, closes the entry and writes an addendum', async () => {
    // Prepare
    const otherBefore = [await footprint(other), await versions(other, 'documents')];

    // Act
    const report = await sweep(until);

    // Assess
    const swept = report.requests.find((r) => r.requestId === RITA_ID);
    expect(swept).toMatchObject({
      outcome: 'closed',
      addendumKey: `certificates/${RITA_ID}/retention-${until}.json`,
      stores: [
        {
          storeId: 'orders',
          counts: { found: 3, deleted: 3, masked: 0, retained: 0, held: 0 },
          remaining: 0,
        },
        {
          storeId: 'documents',
          counts: { found: 3, deleted: 3, masked: 0, retained: 0, held: 0 },
          remaining: 0,
        },
      ],
    });
    expect(await footprint(rita, ['orders', 'documents'])).toEqual({ orders: [], documents: [] });
    expect(await versions(rita, 'documents')).toEqual([]);
    expect([await footprint(other), await versions(other, 'documents')]).toEqual(otherBefore);

    const stored = await entry(RITA_ID);
    expect(stored).not.toHaveProperty('retentionDue');
    expect(stored).not.toHaveProperty('retentionUntil');
    expect(stored?.retention).not.toHaveProperty('identities');
    expect(stored?.retention.entries).toHaveLength(2);
    expect(stored?.history.at(-1)?.note).toBe(
      `retention ended: 6 retained record(s) erased; addendum certificates/${RITA_ID}/retention-${until}.json`,
    );

    const text = await readAudit(`certificates/${RITA_ID}/retention-${until}.json`);
    for (const value of [
      RITA.email,
      RITA.fullName,
      RITA.phone,
      'rita.retained',
      ...(rita.identities.customerId ?? []),
    ]) {
      expect(text).not.toContain(value);
    }
    expect(JSON.parse(text)).toMatchObject({
      type: 'retention-erasure-addendum',
      requestId: RITA_ID,
      subjectHash: keyedHash(KEY, 'subject', RITA.email),
      certificateKey: `certificates/${RITA_ID}/certificate.json`,
      sweptOn: until,
      totals: { found: 6, deleted: 6, held: 0 },
      outcome: 'closed',
    });
  });

  it('keeps a held order through the sweep and erases it at a later check once the hold has lifted', async () => {
    // Prepare: the sweep on the retention end already ran (previous test)
    const held = await entry(HANA_ID);
    expect(held).toMatchObject({ retentionDue: 'pending', retentionUntil: addDays(until, 1) });
    const [order] = (await footprint(hana, ['orders'])).orders ?? [];
    expect((await footprint(hana, ['orders'])).orders).toHaveLength(1);
    expect((await footprint(hana, ['documents'])).documents).toEqual([]);
    const stillHeld = await sweep(addDays(until, 1));
    expect(stillHeld.requests).toEqual([
      expect.objectContaining({ requestId: HANA_ID, outcome: 'held', nextCheck: addDays(until, 2) }),
    ]);
    const { orderId } = (JSON.parse(order as string) as ExportedRecord).data;
    await clients.dynamodb.send(
      new UpdateCommand({
        TableName: (store('orders') as { table: string }).table,
        Key: { orderId },
        UpdateExpression: 'SET #status = :delivered',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':delivered': 'delivered' },
      }),
    );

    // Act
    const report = await sweep(addDays(until, 2));

    // Assess
    expect(report.requests).toEqual([
      expect.objectContaining({
        requestId: HANA_ID,
        outcome: 'closed',
        stores: [
          expect.objectContaining({
            storeId: 'orders',
            counts: expect.objectContaining({ deleted: 1, held: 0 }),
          }),
          expect.objectContaining({ storeId: 'documents', counts: expect.objectContaining({ found: 0 }) }),
        ],
      }),
    ]);
    expect((await footprint(hana, ['orders'])).orders).toEqual([]);
    expect(await entry(HANA_ID)).not.toHaveProperty('retentionDue');
  });

  it('changes nothing when the same sweep runs twice', async () => {
    // Prepare
    const state = async () => [
      await footprint(rita),
      await footprint(hana),
      await footprint(other),
      await auditKeys(),
      await entry(RITA_ID),
      await entry(HANA_ID),
    ];
    const before = await state();

    // Act
    const again = await sweep(addDays(until, 2));

    // Assess
    expect(again.requests).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('ends, after a failure half-way through a sweep and the next run, like a clean sweep: same counts, same addendum', async () => {
    // Prepare: deleting documents fails, after the orders were already erased
    const requestId = '20261120-delete-citracrash';
    await plantSubject(clients, dataMap, { ...CITRA, records: 4, orderStatuses: ['paid'] });
    const citra = await deleteSubject(requestId, CITRA);
    const day = (await entry(requestId))?.retentionUntil ?? '';
    const faulty = new S3Client({ forcePathStyle: true });
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectsCommand')
          throw new Error('injected failure of DeleteObjects');
        return next(args);
      },
      { step: 'initialize', name: 'failDeletes' },
    );

    // Act
    const failed = await sweep(day, { ...clients, s3: faulty });
    const halfway = await entry(requestId);
    // The rerun comes a day later (the next daily run): it still finishes the claimed run of `day`.
    const rerun = await sweep(addDays(day, 1));

    // Assess
    expect(failed.requests).toEqual([
      expect.objectContaining({ requestId, outcome: 'failed', error: 'Error' }),
    ]);
    expect(halfway).toMatchObject({
      retentionDue: 'pending',
      retentionUntil: day,
      retentionRun: `retention-${day}`,
    });
    expect(rerun.requests).toEqual([
      expect.objectContaining({
        requestId,
        outcome: 'closed',
        addendumKey: `certificates/${requestId}/retention-${day}.json`,
        stores: [
          expect.objectContaining({
            storeId: 'orders',
            counts: expect.objectContaining({ found: 4, deleted: 4 }),
          }),
          expect.objectContaining({
            storeId: 'documents',
            counts: expect.objectContaining({ found: 4, deleted: 4 }),
          }),
        ],
      }),
    ]);
    expect(await footprint(citra, ['orders', 'documents'])).toEqual({ orders: [], documents: [] });
    expect(await versions(citra, 'documents')).toEqual([]);
    expect(await entry(requestId)).not.toHaveProperty('retentionRun');
  });

  it('sweeps nothing from the scheduled job while no retention has ended yet', async () => {
    // Act
    const { handler } =
      require('../../functions/jobs/retention-sweep') as typeof import('../../functions/jobs/retention-sweep');
    const result = await handler({ 'detail-type': 'Scheduled Event', time: '2099-01-01T00:00:00Z' });

    // Assess: the event's future date is capped at today, when nothing planted here is due
    expect(result).toEqual({
      today: new Date().toISOString().slice(0, 10),
      closed: 0,
      held: 0,
      failed: 0,
      skipped: 0,
    });
    expect((await footprint(other, ['orders'])).orders).toHaveLength(2);
  });
});
