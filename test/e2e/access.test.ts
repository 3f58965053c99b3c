/**
 * End to end on this machine: the real handlers, the real ASL in the local
 * interpreter, the emulators, over HTTP, as a person would use it.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { DataSource, isDataStore, LegalBasis, Purpose } from '../../functions/core/data-map';
import type { ProcessingRecord } from '../../functions/core/export/processing-record';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { codeIn, LocalApi, linkIn, poll, type SesEmail, textOf } from '../support/local-api';

jest.setTimeout(180_000);

const subjectA = {
  email: 'ayu.lestari.e2e@example.com',
  fullName: 'Ayu Lestari Testcase',
  phone: '+6281200000001',
};
const subjectB = {
  email: 'budi.santoso.e2e@example.test',
  fullName: 'Budi Santoso Otherperson',
  phone: '+6281200000002',
};

let system: LocalSystem;
let dataDir: string;
let api: string;
let local: LocalApi;
let planted: { a: Record<string, number>; b: Record<string, number> };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-e2e-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 20 });
  api = system.urls.api;
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  planted = {
    a: await plantSubject(system.clients, system.dataMap, subjectA),
    b: await plantSubject(system.clients, system.dataMap, subjectB),
  };
});

afterAll(async () => {
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('an access request on the local system', () => {
  it('is ready: /health answers 200 and the form is served', async () => {
    expect((await fetch(`${api}/health`)).status).toBe(200);
    const form = await fetch(`${api}/`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<form/i);
  });

  it("delivers a zip of exactly the requester's data through the emailed link, and nobody else's", async () => {
    const startedAt = Date.now();

    // Act: submit, read the code, verify, wait for completion
    const { requestId, statusToken } = await local.submitVerified('access', subjectA.email);
    await local.until(requestId, statusToken, 'completed');
    const emails = await local.emailsFor(subjectA.email, requestId);
    expect(emails).toHaveLength(2);
    const link = linkIn(emails[1] as SesEmail, 'export');

    const redirect = await fetch(link, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location');
    expect(location).toBeTruthy();
    const download = await fetch(location as string);
    expect(download.status).toBe(200);
    const zip = await JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
    const wallMs = Date.now() - startedAt;
    console.log(`end-to-end wall time of one local access request: ${wallMs} ms`);

    // Assess: the manifest counts what was planted, per store
    const manifestFile = zip.file('manifest.json');
    expect(manifestFile).not.toBeNull();
    const manifest = JSON.parse(await (manifestFile as JSZip.JSZipObject).async('string')) as {
      requestId: string;
      stores: { storeId: string; records: number; sha256: string }[];
    };
    expect(manifest.requestId).toBe(requestId);
    const counted = Object.fromEntries(manifest.stores.map((s) => [s.storeId, s.records]));
    // The logistics processor handles access requests too; this subject planted nothing there.
    expect(counted).toEqual({ ...planted.a, logistics: 0 });
    for (const store of system.dataMap.stores.filter(isDataStore))
      expect(planted.a[store.id]).toBeGreaterThan(0);

    // Each document comes with its file and the content type it was stored with
    const documents = JSON.parse((await zip.file('stores/documents.json')?.async('string')) ?? '{}') as {
      records: { name: string; contentType?: string; file?: string }[];
    };
    expect(documents.records).toHaveLength(planted.a.documents ?? -1);
    for (const doc of documents.records) {
      expect(doc.contentType).toBe(doc.name.endsWith('.txt') ? 'text/plain' : 'application/pdf');
      expect(zip.file(`stores/${doc.file}`)).not.toBeNull();
    }

    // The processing record says, for every store and partner, why, on what basis, how long and from where
    const record = JSON.parse(
      (await zip.file('processing-record.json')?.async('string')) ?? '{}',
    ) as ProcessingRecord;
    expect(record.controller).toEqual({ name: 'Impor.in', contact: 'admin@impor.in' });
    expect(record.stores.map((s) => s.storeId)).toEqual(system.dataMap.stores.map((s) => s.id));
    for (const store of record.stores) {
      expect(store.purposes.length).toBeGreaterThan(0);
      for (const purpose of store.purposes) expect(Purpose.options).toContain(purpose);
      expect(LegalBasis.options).toContain(store.legalBasis);
      expect(store.retention.period).toMatch(/^(P\d|as_long_as_necessary$)/);
      expect(store.retention.basedOn.length).toBeGreaterThan(10);
      expect(DataSource.options).toContain(store.source);
      expect(Array.isArray(store.recipients)).toBe(true);
      expect(store.records).toBe(counted[store.storeId] ?? 0);
    }
    expect(record.stores.find((s) => s.storeId === 'orders')?.retention.period).toBe('P10Y');
    expect(record.transfers).toEqual([]);
    expect(record.history.map((h) => h.kind)).toContain('verified');
    // ... and the page says it in both languages, for every store
    const index = (await zip.file('index.html')?.async('string')) ?? '';
    for (const store of system.dataMap.stores.filter(isDataStore)) {
      const at = index.indexOf(`id="store-${store.id}"`);
      expect(at).toBeGreaterThan(-1);
      const section = index.slice(at, index.indexOf('</section>', at));
      expect(section).toContain('Legal basis / <span lang="id">Dasar hukum</span>');
      expect(section).toContain('How long we keep it / <span lang="id">Berapa lama disimpan</span>');
    }
    expect(index).toContain('Contract / <span lang="id">Kontrak</span>');
    // ... shows the person's own records, and puts a CSV for a spreadsheet beside each JSON file
    expect(index).toContain(`<td>${subjectA.fullName}</td>`);
    const manifestStores = manifest.stores as unknown as {
      storeId: string;
      csv: { file: string; sha256: string };
    }[];
    for (const store of manifestStores) {
      const csv = await zip.file(store.csv.file)?.async('nodebuffer');
      expect(csv?.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(
        createHash('sha256')
          .update(csv ?? '')
          .digest('hex'),
      ).toBe(store.csv.sha256);
    }
    expect(index).toContain('10 years / <span lang="id">10 tahun</span>');

    // Every file parses, and the other subject appears in none of them
    const files = Object.values(zip.files).filter((f) => !f.dir);
    expect(files.length).toBeGreaterThanOrEqual(system.dataMap.stores.length + 2);
    for (const file of files) {
      const text = await file.async('string');
      if (file.name.endsWith('.json')) expect(() => JSON.parse(text)).not.toThrow();
      if (file.name.endsWith('.jsonl')) {
        for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      }
      if (file.name.endsWith('.html')) expect(text).toMatch(/<html/i);
      const lower = text.toLowerCase();
      expect(lower).not.toContain(subjectB.email.toLowerCase());
      expect(lower).not.toContain(subjectB.fullName.toLowerCase());
    }
    // Support finds the execution under the request id
    const execution = await poll(
      async () => {
        const res = await fetch(`${system.urls.executions}/${requestId}`);
        const body = (await res.json()) as { status: string; events: unknown[] };
        return body.status === 'SUCCEEDED' ? body : undefined;
      },
      10_000,
      'the execution to succeed',
    );
    expect(execution.events.length).toBeGreaterThan(10);
    const all = (await Promise.all(files.map((f) => f.async('string')))).join('\n').toLowerCase();
    expect(all).toContain(subjectA.email.toLowerCase());
  });
});

describe('bad input over HTTP', () => {
  it('answers malformed JSON with 400', async () => {
    const res = await local.postJson('/requests', '{"type": "access", "email": ');
    expect(res.status).toBe(400);
  });

  it('answers an unknown request type with 400 naming the field', async () => {
    const res = await local.postJson('/requests', { type: 'sell_my_data', email: 'someone@example.com' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('type');
  });

  it('answers an invalid email with 400 naming the field', async () => {
    const res = await local.postJson('/requests', { type: 'access', email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('email');
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await local.postJson('/requests', {
      type: 'access',
      email: 'big@example.com',
      fullName: 'x'.repeat(1_100_000),
    });
    expect(res.status).toBe(413);
  });

  it('rejects the request after five wrong codes, and says so in its status', async () => {
    const email = 'wrong.codes@example.com';
    const { requestId, statusToken } = await local.submit('access', email);
    const real = codeIn(await local.verificationEmail(email, requestId));
    const wrong = real === '000000' ? '111111' : '000000';

    const bearer = { authorization: `Bearer ${statusToken}` };
    const tryWrong = async () =>
      (await local.postJson(`/requests/${requestId}/verify`, { code: wrong }, bearer)).status;
    for (let i = 0; i < 4; i++) expect([400, 403]).toContain(await tryWrong());
    expect((await local.statusOf(requestId, statusToken)).status).toBe('pending_verification');
    expect([400, 403]).toContain(await tryWrong());
    await poll(
      async () => ((await local.statusOf(requestId, statusToken)).status === 'rejected' ? true : undefined),
      20_000,
      'the request to be rejected after the fifth wrong code',
    );
    // The person is told, once, that nothing was done and how to ask again
    const told = await poll(
      async () =>
        (await local.emailsFor(email, requestId)).find((e) => /was rejected/.test(textOf(e))) ?? undefined,
      10_000,
      'the rejection email',
    );
    expect(textOf(told)).toMatch(/no data was changed/);
    expect(
      (await local.emailsFor(email, requestId)).filter((e) => /was rejected/.test(textOf(e))),
    ).toHaveLength(1);
    expect(await tryWrong()).not.toBe(200);
    // The right code no longer helps.
    expect((await local.postJson(`/requests/${requestId}/verify`, { code: real }, bearer)).status).not.toBe(
      200,
    );
  });

  it('answers an unknown route with 404 JSON', async () => {
    const res = await fetch(`${api}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });
});
