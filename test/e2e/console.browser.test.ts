/**
 * The local console (`/local/`) in a real browser (Debian's Chromium through
 * playwright-core), against the whole local system: support lists requests,
 * opens one, reads its clocks, audit chain, execution history and emails, and
 * extends its deadline with the same handler the DSR-* SSM documents run.
 * Without a Chromium this file is skipped with a notice, unless
 * DSR_REQUIRE_BROWSER=1 (set by CI) makes that a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { DynamoAuditTrail } from '../../functions/aws/audit-trail';
import { AUDIT_TABLE_NAME, type LocalSystem, startLocalSystem } from '../../infra/local/system';
import { describeWithBrowser, haveBrowser, launchChromium } from '../support/browser';
import { LocalApi, type Submitted } from '../support/local-api';

jest.setTimeout(180_000);

const describeBrowser = describeWithBrowser('console.browser.test');

let system: LocalSystem;
let dataDir: string;
let browser: Browser;
let local: LocalApi;
let european: Submitted;

beforeAll(async () => {
  if (!haveBrowser) return;
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-console-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  local = new LocalApi(system);
  const res = await local.postJson('/requests', {
    type: 'access',
    email: 'eu.console.e2e@example.com',
    jurisdiction: 'EU',
  });
  expect(res.status).toBe(202);
  european = (await res.json()) as Submitted;
  await local.verificationEmail('eu.console.e2e@example.com', european.requestId);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = () => system.urls.api.replace(/\/$/, '');

/** A GET with a Host header of our choosing (fetch does not let a caller set it), answering the status. */
const getWithHost = (pathname: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(pathname, api());
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });

const postAction = (
  requestId: string,
  action: string,
  init: { headers: Record<string, string>; body: string },
) =>
  fetch(`${api()}/local/requests/${requestId}/actions/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    body: init.body,
    redirect: 'manual',
  });

describeBrowser('the local console', () => {
  let page: Page;
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(async () => page.close());

  it('lists the open request with its due text, and filters by status', async () => {
    await page.goto(`${api()}/local/`);
    const row = page.locator('tr', { hasText: european.requestId });
    await expect(row.textContent()).resolves.toMatch(/pending_verification.*EU.*due in \d+ hours/s);
    await page.selectOption('#status', 'completed');
    await page.click('button[type=submit]');
    expect(page.url()).toContain('status=completed');
    await expect(page.locator('tr', { hasText: european.requestId }).count()).resolves.toBe(0);
  });

  it("shows one request's clocks, intact audit chain, execution history and verification email", async () => {
    await page.goto(`${api()}/local/`);
    await page.click(`a:text("${european.requestId}")`);
    const text = (await page.textContent('main')) ?? '';
    await expect(page.locator('tr', { hasText: 'gdpr-art12-one-month' }).textContent()).resolves.toMatch(
      /^respond/,
    );
    expect(text).toContain('Chain intact');
    expect(text).toMatch(/received[\s\S]*code_sent/);
    expect(text).toContain('RequestVerification');
    // One row per state, as the Step Functions console's table: entered, exited, input and output.
    const validate = page.locator('tr', { has: page.locator('th', { hasText: /^ValidateRequest$/ }) });
    await expect(validate.textContent()).resolves.toMatch(/Task.*Z.*Z.*input.*output/s);
    await validate.locator('summary', { hasText: 'output' }).click();
    await expect(validate.locator('pre').last().textContent()).resolves.toContain(european.requestId);
    expect(text).toMatch(/Emails sent[\s\S]*(confirm|Konfirmasi|code|kode)/i);
    expect(text).not.toContain('eu.console.e2e@example.com');
  });

  it('extends the deadline once from its form, and shows the refusal the second time', async () => {
    const before = (await local.ledgerEntry(european.requestId)).dueAt as string;
    await page.goto(`${api()}/local/requests/${european.requestId}`);
    await page.fill('#reason-extend', 'a processor needs more time');
    await page.click('form[action$="/actions/extend"] button');
    await expect(page.textContent('.flash')).resolves.toBe('extend: done');
    const after = (await local.ledgerEntry(european.requestId)).dueAt as string;
    expect(after > before).toBe(true);
    expect((await page.textContent('main')) ?? '').toContain(after);

    await page.fill('#reason-extend', 'still waiting');
    await page.click('form[action$="/actions/extend"] button');
    await expect(page.textContent('.flash')).resolves.toMatch(/extend refused: .*one extension/);
    expect((await local.ledgerEntry(european.requestId)).dueAt).toBe(after);
  });

  it('refuses a post that did not come from its own form, and changes nothing', async () => {
    const before = await local.ledgerEntry(european.requestId);
    const forged = await fetch(`${api()}/local/requests/${european.requestId}/actions/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'csrf=guess&reason=gotcha&actor=x',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    const noToken = await fetch(`${api()}/local/requests/${european.requestId}/actions/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'reason=gotcha&actor=x',
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    const sandboxed = await postAction(european.requestId, 'cancel', {
      headers: { origin: 'null' },
      body: 'csrf=guess&reason=gotcha&actor=x',
    });
    expect(sandboxed.status).toBe(403);
    const tooLarge = await postAction(european.requestId, 'cancel', {
      headers: {},
      body: `reason=${'x'.repeat(20_000)}`,
    });
    expect(tooLarge.status).toBe(413);
    const notAForm = await fetch(`${api()}/local/requests/${european.requestId}/actions/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      redirect: 'manual',
    });
    expect(notAForm.status).toBe(415);
    expect((await local.ledgerEntry(european.requestId)).status).toBe(before.status);
  });

  it('answers only to a local Host, so a rebound name cannot read a request or its token', async () => {
    const port = new URL(api()).port;
    await expect(
      getWithHost(`/local/requests/${european.requestId}`, `rebound.example:${port}`),
    ).resolves.toBe(403);
    await expect(getWithHost('/local/', `127.0.0.1:${port}`)).resolves.toBe(200);
  });

  it('runs a form opened at 127.0.0.1 as well: the handler, not the guard, refuses this retry', async () => {
    const at127 = api().replace('//localhost:', '//127.0.0.1:');
    await page.goto(`${at127}/local/requests/${european.requestId}`);
    await page.fill('#reason-retry', 'nothing has failed yet');
    await page.click('form[action$="/actions/retry"] button');
    await expect(page.textContent('.flash')).resolves.toMatch(/^retry refused: /);
  });

  it('marks the entry that breaks the audit chain', async () => {
    const trail = new DynamoAuditTrail(system.clients.dynamodb, AUDIT_TABLE_NAME);
    const [first] = await trail.read(european.requestId);
    if (!first) throw new Error('no audit entry');
    const put = (item: object) =>
      system.clients.dynamodb.send(new PutCommand({ TableName: AUDIT_TABLE_NAME, Item: item }));
    // Someone with table rights rewrites the first entry's details; restored after.
    await put({ ...first, details: { ...first.details, rewritten: true }, day: first.at.slice(0, 10) });
    try {
      await page.goto(`${api()}/local/requests/${european.requestId}`);
      await expect(page.textContent('[role=alert]')).resolves.toMatch(/Chain broken \(changed\) at entry 1/);
      const rows = page.locator('h2:text("Audit chain") + p + table tbody tr');
      await expect(rows.first().getAttribute('class')).resolves.toBe('broken');
      await expect(rows.first().textContent()).resolves.toMatch(/broken$/);
      await expect(rows.nth(1).textContent()).resolves.toMatch(/not checked$/);
    } finally {
      await put({ ...first, day: first.at.slice(0, 10) });
    }
  });
});
