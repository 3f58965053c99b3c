import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LedgerTable } from '../../functions/aws/ledger';
import { S3ObjectStore } from '../../functions/aws/object-store';
import { type ConnectorClients, createConnector } from '../../functions/connectors/registry';
import { resolveSubject } from '../../functions/connectors/resolve-subject';
import { keyedHash } from '../../functions/core/crypto';
import { type DataStore, dataStoreOf, isDataStore } from '../../functions/core/data-map';
import { ErasureIncompleteError } from '../../functions/core/erasure/decisions';
import { eraseStore } from '../../functions/core/erasure/erase';
import { readDecisions, readSummary } from '../../functions/core/erasure/manifest';
import { verifyStoreErasure } from '../../functions/core/erasure/verify';
import { erasureDecisionsKey, erasureSummaryKey } from '../../functions/core/export/keys';
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
const ERASED = { email: 'ayu.erasure@example.test', fullName: 'Ayu Erasure Contoh', phone: '+628111111111' };
const OTHER = { email: 'bima.keeps@example.test', fullName: 'Bima Keeps Contoh', phone: '+628122222222' };

let emulators: Emulators;
let clients: ConnectorClients;
let raw: DynamoDBClient;
let ledger: LedgerTable;

const store = (id: string): DataStore => dataStoreOf(dataMap, id);
/** Every store that holds data here; processors are processors, reached over HTTP, not through a connector. */
const DATA_STORE_IDS = dataMap.stores.filter(isDataStore).map((s) => s.id);

/** Every record a connector exports for the subject, by store, sorted so runs compare. */
async function footprint(subject: Subject, storeIds: readonly string[]) {
  const out: Record<string, unknown[]> = {};
  for (const id of storeIds) {
    const records: ExportedRecord[] = [];
    for await (const page of createConnector(store(id), clients).export(subject)) records.push(...page);
    out[id] = records
      .map((r) => JSON.stringify({ ref: r.ref, data: Object.fromEntries(Object.entries(r.data).sort()) }))
      .sort();
  }
  return out;
}

async function openDelete(requestId: string, person: typeof ERASED, storeIds: readonly string[]) {
  await ledger.create({
    requestId,
    type: 'delete',
    jurisdiction: 'ID',
    locale: 'en',
    receivedAt: '2026-03-15T08:00:00.000Z',
    dueAt: '2026-03-18T08:00:00.000Z',
    subjectHash: keyedHash(KEY, 'subject', person.email),
    contact: person,
    statusTokenHash: 'status-token-hash',
  });
  await ledger.transition(requestId, 'verify');
  await ledger.transition(requestId, 'start');
  const subject = await resolveSubject(dataMap, clients, person.email);
  await ledger.setPlan(requestId, subject.identities, storeIds);
  return subject;
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

beforeAll(async () => {
  emulators = await startEmulators();
  setTestEnvironment();
  Object.assign(process.env, emulatorEnvironment(emulators.endpoints), {
    DSR_EXPORT_BUCKET: EXPORTS,
    DSR_AUDIT_BUCKET: AUDIT,
    DSR_DATA_MAP: readFileSync(path.join(__dirname, '../../config/impor-in.data-map.json'), 'utf8'),
  });
  raw = new DynamoDBClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const dynamodb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  clients = { dynamodb, s3 };
  await createResources(clients, raw, dataMap);
  ledger = new LedgerTable(dynamodb, 'dsr-ledger');
  // Every third order is in transit: held (open_order), the rest retained with masks.
  await plantSubject(clients, dataMap, {
    ...ERASED,
    records: 6,
    orderStatuses: ['delivered', 'paid', 'in_transit'],
  });
  await plantSubject(clients, dataMap, { ...OTHER, records: 4 });
});

afterAll(async () => {
  await emulators?.stop();
});

describe('erasing demo stores on the emulators', () => {
  const requestId = '20260315-delete-erasestore';
  const storeIds = ['orders', 'messages'];

  it("erases orders and messages for one subject, proves it, and leaves the other subject's records as they were", async () => {
    // Prepare
    const other = await resolveSubject(dataMap, clients, OTHER.email);
    const otherBefore = await footprint(other, DATA_STORE_IDS);
    const subject = await openDelete(requestId, ERASED, storeIds);
    const { erase } = tasks();

    // Act
    const erased = await Promise.all(storeIds.map((storeId) => erase({ requestId, storeId })));

    // Assess
    expect(erased).toEqual([
      {
        storeId: 'orders',
        counts: { found: 6, deleted: 0, masked: 0, retained: 4, held: 2 },
        remaining: 6,
        verified: true,
      },
      {
        storeId: 'messages',
        counts: { found: 6, deleted: 6, masked: 0, retained: 0, held: 0 },
        remaining: 0,
        verified: true,
      },
    ]);
    const after = await footprint(subject, storeIds);
    expect(after.messages).toEqual([]);
    const orders = (after.orders ?? []).map((o) => (JSON.parse(o as string) as ExportedRecord).data);
    const retained = orders.filter((o) => o.status !== 'in_transit');
    expect(retained).toHaveLength(4);
    for (const o of retained) {
      expect(o).toMatchObject({
        recipientName: '[erased]',
        recipientPhone: '[erased]',
        customerEmail: '[erased]',
      });
      expect(o).not.toHaveProperty('paymentCardLast4');
      expect(typeof o.amountIdr).toBe('number');
    }
    expect(orders.filter((o) => o.status === 'in_transit').map((o) => o.customerEmail)).toEqual([
      ERASED.email,
      ERASED.email,
    ]);
    expect(await footprint(other, DATA_STORE_IDS)).toEqual(otherBefore);
    const progress = (await ledger.get(requestId))?.stores;
    expect(progress?.orders).toMatchObject({ status: 'completed', records: 6, verified: true });
    expect(progress?.messages?.erasure).toEqual({ found: 6, deleted: 6, masked: 0, retained: 0, held: 0 });
    // One object per store: its manifest, which carries its summary.
    const listed = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: EXPORTS, Prefix: `erasure/${requestId}/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      erasureDecisionsKey(requestId, 'messages'),
      erasureDecisionsKey(requestId, 'orders'),
    ]);
  });

  it('reads a streamed manifest, whose summary is kept apart, by its summary object', async () => {
    // Prepare: the messages inventory laid out as a manifest too large for memory is: decisions, then the summary apart
    const exports = new S3ObjectStore(clients.s3, EXPORTS);
    const other = '20260315-delete-streamedin';
    const body = await clients.s3.send(
      new GetObjectCommand({ Bucket: EXPORTS, Key: erasureDecisionsKey(requestId, 'messages') }),
    );
    const [summaryLine = '', ...decisions] = ((await body.Body?.transformToString()) ?? '').split('\n');
    const summary = { ...JSON.parse(summaryLine), requestId: other };
    await exports.put(erasureDecisionsKey(other, 'messages'), decisions.join('\n'), {
      contentType: 'application/x-ndjson',
    });

    // Act
    const beforeSummary = await readSummary(exports, other, 'messages');
    await exports.put(erasureSummaryKey(other, 'messages'), JSON.stringify(summary), {
      contentType: 'application/json',
    });
    const read = await readSummary(exports, other, 'messages');

    // Assess: without its summary the manifest is no complete inventory
    expect(beforeSummary).toBeUndefined();
    expect(read).toEqual(summary);
    expect(read?.counts.deleted).toBe(6);
    const pages = [];
    for await (const page of readDecisions(exports, other, 'messages')) pages.push(...page);
    expect(pages).toHaveLength(6);
  });

  it('issues a certificate in the audit bucket that names the subject by keyed hash only', async () => {
    // Act
    const keys = await tasks().certify({ requestId });

    // Assess
    const s3 = clients.s3;
    const read = async (Key: string) =>
      (await (await s3.send(new GetObjectCommand({ Bucket: AUDIT, Key }))).Body?.transformToString()) ?? '';
    const json = await read(keys.jsonKey);
    const html = await read(keys.htmlKey);
    expect(keys).toEqual({
      jsonKey: `certificates/${requestId}/certificate.json`,
      htmlKey: `certificates/${requestId}/certificate.html`,
    });
    for (const text of [json, html]) {
      for (const value of [ERASED.email, ERASED.fullName, ERASED.phone, 'ayu.erasure']) {
        expect(text).not.toContain(value);
      }
      expect(text).toContain(keyedHash(KEY, 'subject', ERASED.email));
    }
    expect(JSON.parse(json)).toMatchObject({
      totals: { found: 12, deleted: 6, masked: 0, retained: 4, held: 2 },
    });
    const stored = await ledger.get(requestId);
    expect(stored?.certificate).toMatchObject(keys);
    expect(stored?.retention?.entries).toEqual([expect.objectContaining({ storeId: 'orders', records: 4 })]);
    expect(Object.keys(stored?.retention?.identities ?? {})).toEqual(['customerId']);
    const mailbox = (await (await fetch(`${emulators.endpoints.ses}/store`)).json()) as {
      emails: { destination: { to: string[] }; subject: string; body: { text: string } }[];
    };
    const mail = mailbox.emails.find((m) => m.destination.to.includes(ERASED.email));
    expect(mail?.body.text).toContain('UU KUP');
    expect(mail?.body.text).toContain('Pesanan yang masih dalam pengiriman');
  });

  it('fails the re-query when a record of the subject turns up after erasure', async () => {
    // Prepare: a request of its own (the one above is completed and minimised by its certificate);
    // the subject places a new order and sends a message after erasure
    const id = '20260315-delete-turnsupnew';
    const GITA = { email: 'gita.turnsup@example.test', fullName: 'Gita Turns Up', phone: '+628155555555' };
    await plantSubject(clients, dataMap, { ...GITA, records: 2, orderStatuses: ['delivered'] });
    await openDelete(id, GITA, ['messages']);
    await tasks().erase({ requestId: id, storeId: 'messages' });
    await plantSubject(clients, dataMap, { ...GITA, records: 1, orderStatuses: ['paid'] });

    // Act: the store's task runs again (a retry after its erasure was recorded only proves)
    const attempt = tasks().erase({ requestId: id, storeId: 'messages' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ErasureIncompleteError);
    await expect(attempt).rejects.toThrow(/^store messages: erasure incomplete: 1 record/);
    expect((await ledger.get(id))?.stores?.messages?.verified).toBe(false);
  });

  it("fails the re-query when a retained order's masked field holds the subject's name again", async () => {
    // Prepare: a clean erasure of orders, then the name is written back into one masked field
    const id = '20260315-delete-maskedback';
    const DEWI = {
      email: 'dewi.masked@example.test',
      fullName: 'Dewi Masked Contoh',
      phone: '+628144444444',
    };
    await plantSubject(clients, dataMap, { ...DEWI, records: 2, orderStatuses: ['delivered'] });
    const subject = await openDelete(id, DEWI, ['orders']);
    await tasks().erase({ requestId: id, storeId: 'orders' });
    const [first] = (await footprint(subject, ['orders'])).orders ?? [];
    const order = (JSON.parse(first as string) as ExportedRecord).data;
    await clients.dynamodb.send(
      new UpdateCommand({
        TableName: (store('orders') as { table: string }).table,
        Key: { orderId: order.orderId },
        UpdateExpression: 'SET shippingAddress = :name',
        ExpressionAttributeValues: { ':name': DEWI.fullName },
      }),
    );

    // Act: the store's task runs again (a retry after its erasure was recorded only proves)
    const attempt = tasks().erase({ requestId: id, storeId: 'orders' });

    // Assess
    await expect(attempt).rejects.toThrow(/1 kept record\(s\) still hold fields that were to be masked/);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).not.toContain(DEWI.fullName);
  });
});

describe('a crash in the middle of erasing a store', () => {
  const PERSON = {
    email: 'citra.crash@example.test',
    fullName: 'Citra Crash Contoh',
    phone: '+628133333333',
  };

  it('ends, after a retry, in the same state with the same counts as a clean run on the same data', async () => {
    // Prepare: 40 messages (2 batches: 25 and 15) and 40 orders; keep the original items to replay the data
    await plantSubject(clients, dataMap, {
      ...PERSON,
      records: 40,
      orderStatuses: ['paid', 'paid', 'unpaid'],
    });
    const subject = await resolveSubject(dataMap, clients, PERSON.email);
    const storeIds = ['messages', 'orders'];
    const originals = await footprint(subject, storeIds);
    const faulty = new DynamoDBClient({});
    let batches = 0;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName?.startsWith('BatchWrite') && ++batches === 2) {
          throw new Error('injected failure of the second BatchWriteItem');
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSecondBatch' },
    );
    const faultyClients = { dynamodb: DynamoDBDocumentClient.from(faulty), s3: clients.s3 };
    const run = async (requestId: string, using: ConnectorClients) => {
      // Settle every store before reporting, so no erasure is still running when the next run starts.
      const results = await Promise.allSettled(
        storeIds.map(async (id) => {
          const args = {
            requestId,
            store: store(id),
            connector: createConnector(store(id), using),
            subject,
            contact: PERSON,
            hashingKey: KEY,
            now: new Date('2026-03-16T00:00:00Z'),
          };
          const { counts } = await eraseStore(new S3ObjectStore(clients.s3, EXPORTS), args);
          await verifyStoreErasure(new S3ObjectStore(clients.s3, EXPORTS), { ...args, storeId: id });
          return counts;
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    };

    // Act: crash, then retry with a healthy client
    await expect(run('20260316-delete-crashretry', faultyClients)).rejects.toThrow('injected failure');
    expect(batches).toBeGreaterThanOrEqual(2);
    const retried = await run('20260316-delete-crashretry', clients);
    const afterRetry = await footprint(subject, storeIds);
    // ...then replay the original data and erase it cleanly under another request
    await replay(originals);
    expect(await footprint(subject, storeIds)).toEqual(originals);
    const clean = await run('20260316-delete-cleanrun22', clients);

    // Assess
    expect(retried).toEqual(clean);
    expect(retried[0]).toEqual({ found: 40, deleted: 40, masked: 0, retained: 0, held: 0 });
    expect(await footprint(subject, storeIds)).toEqual(afterRetry);
  });
});

describe('erasing S3 stores with object versions', () => {
  const PERSON = {
    email: 'eka.versions@example.test',
    fullName: 'Eka Versions Contoh',
    phone: '+628155555555',
  };
  const storeIds = ['activity', 'documents'];
  const deps = () => new S3ObjectStore(clients.s3, EXPORTS);
  const argsFor = (requestId: string, id: string, subject: Subject, using = clients) => ({
    requestId,
    storeId: id,
    store: store(id),
    connector: createConnector(store(id), using),
    subject,
    contact: PERSON,
    hashingKey: KEY,
    now: new Date('2026-03-16T00:00:00Z'),
  });

  /** Every version and delete marker the subject has in a store (what stays recoverable). */
  async function versions(subject: Subject, id: string) {
    const refs: string[] = [];
    for await (const page of createConnector(store(id), clients).locate(subject)) {
      for (const ref of page) if (ref.kind === 's3') refs.push(`${ref.key}${ref.noncurrent ? ' (old)' : ''}`);
    }
    return refs.sort();
  }

  it('deletes every version of erased activity objects, keeps retained documents, and proves it', async () => {
    // Prepare: every activity object is written twice, so an older version of each exists
    await plantSubject(clients, dataMap, { ...PERSON, records: 7 });
    const subject = await resolveSubject(dataMap, clients, PERSON.email);
    const bucket = (store('activity') as { bucket: string }).bucket;
    for (const key of await versions(subject, 'activity')) {
      const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const Body = (await out.Body?.transformToString('utf8')) ?? '';
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body }));
    }
    const other = await resolveSubject(dataMap, clients, OTHER.email);
    const otherBefore = [await footprint(other, storeIds), await versions(other, 'activity')];
    expect((await versions(subject, 'activity')).some((v) => v.endsWith('(old)'))).toBe(true);
    const documentsBefore = await versions(subject, 'documents');

    // Act
    const results = [];
    for (const id of storeIds) {
      const args = argsFor('20260316-delete-s3versions', id, subject);
      results.push((await eraseStore(deps(), args)).counts);
      await verifyStoreErasure(deps(), args);
    }

    // Assess
    expect(results).toEqual([
      { found: 7, deleted: 7, masked: 0, retained: 0, held: 0 },
      { found: 7, deleted: 0, masked: 0, retained: 7, held: 0 },
    ]);
    expect(await versions(subject, 'activity')).toEqual([]);
    expect(await versions(subject, 'documents')).toEqual(documentsBefore);
    expect([await footprint(other, storeIds), await versions(other, 'activity')]).toEqual(otherBefore);
  });

  it('ends, after an S3 failure half-way and a retry, like a clean run on the same objects', async () => {
    // Prepare: several day objects, their bodies kept to replay the same data later
    const person = { ...PERSON, email: 'fajar.s3crash@example.test' };
    // Planted twice: up to six day objects, so there is always more than one DeleteObjects.
    await plantSubject(clients, dataMap, { ...person, records: 15 });
    await plantSubject(clients, dataMap, { ...person, records: 15 });
    const subject = await resolveSubject(dataMap, clients, person.email);
    const bucket = (store('activity') as { bucket: string }).bucket;
    const originals = new Map<string, string>();
    for await (const page of createConnector(store('activity'), clients).locate(subject)) {
      for (const ref of page) {
        if (ref.kind !== 's3' || ref.noncurrent) continue;
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: ref.key }));
        originals.set(ref.key, (await out.Body?.transformToString('utf8')) ?? '');
      }
    }
    expect(originals.size).toBeGreaterThan(1);
    const faulty = new S3Client({ forcePathStyle: true });
    let deletes = 0;
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteObjectsCommand' && ++deletes === 2) {
          throw new Error('injected failure of the second DeleteObjects');
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSecondDelete' },
    );

    // Act
    const crashed = argsFor('20260316-delete-s3crashrun', 'activity', subject, { ...clients, s3: faulty });
    await expect(eraseStore(deps(), crashed)).rejects.toThrow('injected failure');
    const retry = argsFor('20260316-delete-s3crashrun', 'activity', subject);
    const retried = (await eraseStore(deps(), retry)).counts;
    await verifyStoreErasure(deps(), retry);
    const afterRetry = await versions(subject, 'activity');
    for (const [Key, Body] of originals) {
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    }
    const clean = argsFor('20260316-delete-s3cleanrun', 'activity', subject);
    const cleanCounts = (await eraseStore(deps(), clean)).counts;
    await verifyStoreErasure(deps(), clean);

    // Assess
    expect(deletes).toBeGreaterThanOrEqual(2);
    expect(retried).toEqual(cleanCounts);
    expect(retried).toEqual({ found: 30, deleted: 30, masked: 0, retained: 0, held: 0 });
    expect(afterRetry).toEqual([]);
    expect(await versions(subject, 'activity')).toEqual([]);
  });
});

/** Writes exported DynamoDB records back as they were (the replayed data of a clean run). */
async function replay(records: Record<string, unknown[]>): Promise<void> {
  for (const [id, lines] of Object.entries(records)) {
    const s = store(id);
    if (s.kind !== 'dynamodb') continue;
    const items = lines.map((l) => (JSON.parse(l as string) as ExportedRecord).data);
    for (let i = 0; i < items.length; i += 25) {
      await clients.dynamodb.send(
        new BatchWriteCommand({
          RequestItems: { [s.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
  }
}
