/**
 * The request form in a real browser (Debian's Chromium through playwright-core),
 * against the whole local system: a person's path from form to finished request.
 * Without a Chromium on the machine this file is skipped with a notice, unless
 * DSR_REQUIRE_BROWSER=1 (set by CI, which installs Chromium) makes that a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { describeWithBrowser, haveBrowser, launchChromium } from '../support/browser';

jest.setTimeout(180_000);

const describeBrowser = describeWithBrowser('form.browser.test');

const subject = { email: 'sari.browser@example.test', fullName: 'Sari Browsertest' };

let system: LocalSystem;
let dataDir: string;
let browser: Browser;
let planted: Record<string, number>;

beforeAll(async () => {
  if (!haveBrowser) return;
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-browser-'));
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 10 });
  const { plantSubject } = await import('../../infra/local/demo-data');
  planted = await plantSubject(system.clients, system.dataMap, { ...subject, records: 3 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function codeFor(email: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const store = (await (await fetch(`${system.urls.ses}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mail = store.emails.find((e) => e.destination.to.includes(email));
    const code = /(?<![\d-])(\d{6})(?![\d-])/.exec(mail?.body.text ?? '')?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verification email arrived');
}

describeBrowser('the request form in a browser', () => {
  it('takes an access request, accepts the emailed code and shows every store finished', async () => {
    // Prepare
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });

    // Act: fill in the form as a person would
    await page.goto(`${system.urls.api}/`);
    await page.fill('input[name=email]', subject.email);
    await page.click('button[type=submit]');
    await page.waitForSelector('#verify-section:not(.hidden)');
    await page.fill('#code', await codeFor(subject.email));
    await page.click('#verify-form button[type=submit]');
    await page.waitForSelector('#done:not(.hidden)', { timeout: 60_000 });

    // Assess: the page shows completion and each store's records as planted
    expect(await page.textContent('#status')).toBe('completed');
    // Read in the page as text: this project compiles without DOM types.
    const rows = (await page.evaluate(
      `Array.from(document.querySelectorAll('#stores tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''))`,
    )) as string[][];
    const shown = Object.fromEntries(rows.map(([store, , records]) => [store, Number(records)]));
    // Processors are rows too: the logistics processor answered, holding nothing for this subject.
    expect(shown).toEqual({ ...planted, logistics: 0 });
    expect(pageErrors).toEqual([]);
  });

  it('works when opened at the stage without its trailing slash (…/prod), as API Gateway serves it', async () => {
    // Prepare: API Gateway in front — everything under /prod/ reaches the API, anything outside the stage is refused.
    const page = await browser.newPage();
    const outsideStage: string[] = [];
    await page.route(`${system.urls.api}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname !== '/prod' && !url.pathname.startsWith('/prod/')) {
        outsideStage.push(url.pathname);
        return route.fulfill({
          status: 403,
          contentType: 'application/json',
          body: '{"message":"Missing Authentication Token"}',
        });
      }
      const upstream = await route.fetch({
        url: `${system.urls.api}${url.pathname.replace(/^\/prod/, '') || '/'}${url.search}`,
      });
      return route.fulfill({ response: upstream });
    });

    // Act
    await page.goto(`${system.urls.api}/prod`);
    await page.fill('input[name=email]', 'stage.slash@example.test');
    await page.click('button[type=submit]');

    // Assess: the request went to the stage, so the page moved on to the code.
    await page.waitForSelector('#verify-section:not(.hidden)');
    expect(outsideStage).toEqual([]);
  });

  it('names the bad field when the email is not valid, without leaving the form', async () => {
    const page = await browser.newPage();
    await page.goto(`${system.urls.api}/`);
    // The browser's own check is bypassed, so the API's message is what the person sees.
    await page.$eval('input[name=email]', (el) => el.setAttribute('type', 'text'));
    await page.fill('input[name=email]', 'not-an-email');
    await page.click('button[type=submit]');
    // A selector, not waitForFunction: the page's CSP forbids the eval that a string predicate needs.
    await page.waitForSelector('#request-error:not(:empty)');
    expect(await page.textContent('#request-error')).toMatch(/email/i);
    expect(await page.isVisible('#request-form')).toBe(true);
  });
});
