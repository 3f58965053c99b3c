/**
 * End to end on this machine: a delete request through the real handlers, the
 * real ASL in the local interpreter and the emulators, over HTTP, then what an
 * access request shows afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import JSZip from 'jszip';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { loadTaskHandlers, type TaskHandlers } from '../../infra/local/workflow-runner';
import { codeIn, LocalApi, linkIn, poll, type SesEmail, sleep, textOf } from '../support/local-api';

jest.setTimeout(240_000);

const GRACE_SECONDS = 3;

const subjectA = {
  email: 'ayu.erase.e2e@example.com',
  fullName: 'Ayu Hapuskan Testcase',
  phone: '+6281200000011',
};
const subjectB = {
  email: 'budi.keep.e2e@example.test',
  fullName: 'Budi Tetap Otherperson',
  phone: '+6281200000012',
};
const subjectC = {
  email: 'citra.cancel.e2e@example.test',
  fullName: 'Citra Batal Testcase',
  phone: '+6281200000013',
};
const subjectD = {
  email: 'dewi.leftover.e2e@example.test',
  fullName: 'Dewi Sisa Testcase',
  phone: '+6281200000014',
};

let system: LocalSystem;
let dataDir: string;
let local: LocalApi;
let planted: Record<'a' | 'b' | 'c' | 'd', Record<string, number>>;
/** A request id whose messages store gets a record planted right after it was erased. */
let injectLeftoverFor: string | undefined;
let customerIdD: string;

/** Downloads the zip an access request delivers. */
async function accessExport(email: string): Promise<JSZip> {
  const { requestId, statusToken } = await local.submitVerified('access', email);
  await local.until(requestId, statusToken, 'completed');
  const emails = await local.emailsFor(email, requestId);
  const redirect = await fetch(linkIn(emails[emails.length - 1] as SesEmail, 'export'), {
    redirect: 'manual',
  });
  expect(redirect.status).toBe(302);
  const download = await fetch(redirect.headers.get('location') as string);
  return JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
}

async function manifestOf(zip: JSZip) {
  return JSON.parse(await (zip.file('manifest.json') as JSZip.JSZipObject).async('string')) as {
    stores: { storeId: string; records: number }[];
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-delete-'));
  // The real handlers, with one seam: a record re-appears in the messages store of one request right after its
  // erasure, and the store's proof (EraseStore run again, which only proves once the erasure is recorded) sees it.
  let real: TaskHandlers | undefined;
  const handlerNames = Object.keys(await loadTaskHandlers()) as (keyof TaskHandlers)[];
  const tasks = Object.fromEntries(
    handlerNames.map((name) => [
      name,
      async (payload: unknown, context: Parameters<TaskHandlers[keyof TaskHandlers]>[1]) => {
        real ??= await loadTaskHandlers();
        const result = await real[name](payload, context);
        const { requestId, storeId } = (payload ?? {}) as { requestId?: string; storeId?: string };
        if (name === 'EraseStore' && storeId === 'messages' && requestId && requestId === injectLeftoverFor) {
          await system.clients.dynamodb.send(
            new PutCommand({
              TableName: 'impor-messages',
              Item: {
                customerId: customerIdD,
                messageId: '2026-11-27T00:00:00.000Z#leftover',
                channel: 'email',
                direction: 'inbound',
                body: 'synced back by a lagging replica',
              },
            }),
          );
          return real[name](payload, context);
        }
        return result;
      },
    ]),
  ) as unknown as TaskHandlers;
  system = await startLocalSystem({
    dataDir,
    port: 0,
    sesPort: 0,
    demoCustomers: 10,
    deleteGraceSeconds: GRACE_SECONDS,
    handlers: { tasks },
  });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  planted = {
    a: await plantSubject(system.clients, system.dataMap, {
      ...subjectA,
      orderStatuses: ['delivered', 'paid', 'in_transit', 'delivered', 'paid'],
    }),
    b: await plantSubject(system.clients, system.dataMap, subjectB),
    c: await plantSubject(system.clients, system.dataMap, subjectC),
    d: await plantSubject(system.clients, system.dataMap, { ...subjectD, orderStatuses: ['delivered'] }),
  };
  customerIdD = await local.customerIdOf(subjectD.email);
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a delete request on the local system', () => {
  let requestId: string;
  let customerIdA: string;

  it('waits out the grace period, erases per policy, proves it and issues a certificate', async () => {
    customerIdA = await local.customerIdOf(subjectA.email);
    const started = Date.now();
    const submitted = await local.submitVerified('delete', subjectA.email);
    requestId = submitted.requestId;

    // The grace-period email carries a cancel link; nothing is erased yet.
    const graceMail = await poll(
      async () =>
        (await local.emailsFor(subjectA.email, requestId)).find((e) =>
          /\/cancel\?token=/.test(textOf(e) + (e.body.html ?? '')),
        ),
      20_000,
      'the grace-period email',
    );
    expect(linkIn(graceMail, 'cancel')).toContain(`/requests/${requestId}/cancel?token=`);
    expect((await local.statusOf(requestId, submitted.statusToken)).status).toBe('scheduled');
    expect(await local.customerIdOf(subjectA.email)).toBe(customerIdA);

    const done = (await local.until(requestId, submitted.statusToken, 'completed')) as {
      stores?: { storeId: string; erasure?: { deleted: number }; verified?: boolean }[];
    };
    // The status page shows what erasure did per store, and that each store was proved.
    // Every data store and both partners were visited: data stores in one Map, partners in the next.
    expect(done.stores?.map((s) => s.storeId).sort()).toEqual(system.dataMap.stores.map((s) => s.id).sort());
    for (const processorId of ['logistics', 'payments'])
      expect(local.receivedBy(processorId, requestId)).toMatchObject([{ request: { type: 'delete' } }]);
    const messages = done.stores?.find((s) => s.storeId === 'messages');
    expect(messages).toMatchObject({ erasure: { deleted: planted.a.messages }, verified: true });
    const wallMs = Date.now() - started;
    expect(wallMs).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    console.log(`end-to-end wall time of one local delete request (grace ${GRACE_SECONDS} s): ${wallMs} ms`);

    // Certificate: per store counts, proof, and no plaintext identifiers.
    const entry = await local.ledgerEntry(requestId);
    const certificate = entry.certificate as { jsonKey: string; htmlKey: string };
    const read = async (key: string) =>
      (
        await system.clients.s3.send(new GetObjectCommand({ Bucket: 'dsr-audit', Key: key }))
      ).Body?.transformToString() ?? '';
    const json = await read(certificate.jsonKey);
    const html = await read(certificate.htmlKey);
    for (const text of [json, html]) {
      const lower = text.toLowerCase();
      expect(lower).not.toContain(subjectA.email.toLowerCase());
      expect(lower).not.toContain(subjectA.fullName.toLowerCase());
      expect(text).not.toContain(subjectA.phone);
    }
    expect(html).toMatch(/<html/i);
    const cert = JSON.parse(json) as {
      requestId: string;
      subjectHash: string;
      stores: {
        storeId: string;
        found: number;
        deleted: number;
        masked: number;
        retained: { records: number; entries: { legalBasis: string; retainedUntil: string }[] };
        held: { records: number; holds: { reason: string }[] };
        verification: { passed: boolean };
      }[];
    };
    expect(cert.requestId).toBe(requestId);
    expect(cert.subjectHash).toBe(entry.subjectHash);
    const byStore = Object.fromEntries(cert.stores.map((s) => [s.storeId, s]));
    expect(byStore.customers).toMatchObject({ found: 1, deleted: 1 });
    expect(byStore.messages).toMatchObject({ found: planted.a.messages, deleted: planted.a.messages });
    expect(byStore.activity).toMatchObject({ found: planted.a.activity, deleted: planted.a.activity });
    expect(byStore.orders).toMatchObject({
      found: planted.a.orders,
      retained: { records: (planted.a.orders ?? 0) - 1 },
      held: { records: 1, holds: [{ reason: 'open_order' }] },
    });
    expect(byStore.orders?.retained.entries[0]?.legalBasis).toContain('UU KUP');
    expect(byStore.documents).toMatchObject({
      found: planted.a.documents,
      retained: { records: planted.a.documents },
    });
    for (const store of cert.stores) expect(store.verification.passed).toBe(true);

    // Nothing of the deleted activity stays recoverable through old S3 versions.
    const versions = await system.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: 'impor-activity', Prefix: `activity/${customerIdA}/` }),
    );
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toHaveLength(0);

    // The ledger keeps the hash and outcome, not the plaintext contact.
    expect(entry.status).toBe('completed');
    expect(entry.contact).toBeUndefined();
    expect(JSON.stringify(entry).toLowerCase()).not.toContain(subjectA.email.toLowerCase());

    // The subject is told what was deleted, what was kept and why.
    const summary = (await local.emailsFor(subjectA.email, requestId)).at(-1) as SesEmail;
    expect(textOf(summary)).toContain('UU KUP');
    expect(textOf(summary)).toMatch(/transit/i);
  });

  it('leaves only retained or masked records, without the name, email or phone, for a later access request', async () => {
    const zip = await accessExport(subjectA.email);
    const counted = Object.fromEntries((await manifestOf(zip)).stores.map((s) => [s.storeId, s.records]));
    expect(counted).toMatchObject({
      customers: 0,
      messages: 0,
      'marketing-preferences': 0,
      activity: 0,
      orders: planted.a.orders,
      documents: planted.a.documents,
    });
    const orders = JSON.parse(
      await (zip.file('stores/orders.json') as JSZip.JSZipObject).async('string'),
    ) as {
      records: Record<string, unknown>[];
    };
    const kept = orders.records.filter((r) => r.status !== 'in_transit');
    expect(kept).toHaveLength((planted.a.orders ?? 0) - 1);
    for (const data of kept) {
      const text = JSON.stringify(data).toLowerCase();
      expect(text).not.toContain(subjectA.email.toLowerCase());
      expect(text).not.toContain(subjectA.fullName.toLowerCase());
      expect(text).not.toContain(subjectA.phone);
      expect(data.recipientName).toBe('[erased]');
      expect(data.paymentCardLast4).toBeUndefined();
      expect(typeof data.amountIdr).toBe('number');
    }
  });

  it('leaves the other subject exactly as planted', async () => {
    const zip = await accessExport(subjectB.email);
    const counted = Object.fromEntries((await manifestOf(zip)).stores.map((s) => [s.storeId, s.records]));
    expect(counted).toEqual({ ...planted.b, logistics: 0 });
  });

  it('keeps everything when the subject cancels during the grace period', async () => {
    const { requestId: cancelId, statusToken } = await local.submitVerified('delete', subjectC.email);
    const graceMail = await poll(
      async () =>
        (await local.emailsFor(subjectC.email, cancelId)).find((e) =>
          /\/cancel\?token=/.test(e.body.html ?? e.body.text ?? ''),
        ),
      20_000,
      'the grace-period email',
    );
    const link = new URL(linkIn(graceMail, 'cancel'));
    // Opening the link only shows a page; a mail scanner cannot cancel.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect((await local.statusOf(cancelId, statusToken)).status).toBe('scheduled');
    const cancel = await local.postJson(link.pathname, { token: link.searchParams.get('token') });
    expect(cancel.status).toBe(200);
    expect((await local.statusOf(cancelId, statusToken)).status).toBe('cancelled');

    await sleep(GRACE_SECONDS * 1000 + 1500);
    const execution = await poll(
      async () => {
        const res = await fetch(`${system.urls.executions}/${cancelId}`);
        const body = (await res.json()) as { status: string; events: { state?: string }[] };
        return body.status !== 'RUNNING' ? body : undefined;
      },
      20_000,
      'the cancelled execution to end',
    );
    expect(execution.events.some((e) => e.state === 'EraseStore')).toBe(false);
    const zip = await accessExport(subjectC.email);
    const counted = Object.fromEntries((await manifestOf(zip)).stores.map((s) => [s.storeId, s.records]));
    expect(counted).toEqual({ ...planted.c, logistics: 0 });
  });

  it('waits for support, with the store marked failed, when a record is left behind after erasure', async () => {
    const res = await local.postJson('/requests', { type: 'delete', email: subjectD.email });
    const { requestId: leftoverId, statusToken } = (await res.json()) as {
      requestId: string;
      statusToken: string;
    };
    injectLeftoverFor = leftoverId;
    const verification = await local.verificationEmail(subjectD.email, leftoverId);
    await local.postJson(
      `/requests/${leftoverId}/verify`,
      { code: codeIn(verification) },
      { authorization: `Bearer ${statusToken}` },
    );
    await poll(
      async () =>
        (await local.statusOf(leftoverId, statusToken)).status === 'needs_attention' ? true : undefined,
      60_000,
      'the request to need attention',
    );
    const entry = await local.ledgerEntry(leftoverId);
    expect(entry.stores).toMatchObject({ messages: { status: 'failed', error: 'ErasureIncomplete' } });
    // The request keeps the contact so support can reach the person.
    expect(entry.contact).toBeDefined();
  });
});
