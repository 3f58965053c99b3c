/**
 * The requester's side in a real browser (Debian's Chromium through
 * playwright-core), against the whole local system: the form, the code page
 * and the status page, in Bahasa Indonesia and English, with JavaScript and
 * without it, at a 360 px phone and a desktop width, each page checked with
 * axe-core. Without a Chromium on the machine this file is skipped with a
 * notice, unless DSR_REQUIRE_BROWSER=1 (set by CI, which installs Chromium)
 * makes that a failure.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalSystem } from '../../infra/local/system';
import { startLocalSystem } from '../../infra/local/system';
import { describeWithBrowser, haveBrowser, launchChromium } from '../support/browser';
import { LocalApi, linkIn, poll, type SesEmail } from '../support/local-api';

jest.setTimeout(240_000);

const describeBrowser = describeWithBrowser('form.browser.test');

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
const people = {
  id: { email: 'sari.browser@example.test', fullName: 'Sari Browsertest' },
  en: { email: 'budi.nojs@example.test', fullName: 'Budi Tanpaskrip' },
  keyboard: { email: 'kiki.keyboard@example.test', fullName: 'Kiki Papanketik' },
  erased: { email: 'dewi.hapus@example.test', fullName: 'Dewi Hapusdata' },
};

let system: LocalSystem;
let local: LocalApi;
let dataDir: string;
let browser: Browser;

beforeAll(async () => {
  if (!haveBrowser) return;
  dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-browser-'));
  // A one-second grace period, so a delete reaches its certificate within the test.
  system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 5, deleteGraceSeconds: 1 });
  local = new LocalApi(system);
  const { plantSubject } = await import('../../infra/local/demo-data');
  for (const person of Object.values(people)) {
    await plantSubject(system.clients, system.dataMap, { ...person, records: 2 });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The mails to `email` whose text holds `pattern`, waited for. */
async function mailTo(email: string, pattern: RegExp): Promise<SesEmail> {
  return poll(
    async () => (await local.emailsTo(email)).find((e) => pattern.test(`${e.body.text}`)),
    30_000,
    `an email to ${email} matching ${pattern}`,
  );
}

const codeIn = (mail: SesEmail) => /(?<![\d-])(\d{6})(?![\d-])/.exec(mail.body.text ?? '')?.[1] ?? '';

/**
 * axe-core's violations (WCAG 2.x A and AA, 2.2 included) on the page as it is
 * now. The page's CSP forbids the injected script, and a page may have
 * JavaScript off: its current DOM is checked at the same URL in a context that
 * allows the script (the stylesheet still comes from the server).
 */
async function axeViolations(page: Page): Promise<{ id: string; nodes: unknown[] }[]> {
  const url = page.url();
  const html = await page.content();
  const checker = await browser.newContext({ bypassCSP: true, viewport: page.viewportSize() ?? DESKTOP });
  try {
    const check = await checker.newPage();
    await check.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
    await check.goto(url);
    await check.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    return await check.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run: (o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
        }
      ).axe;
      const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
      return (await axe.run({ runOnly: { type: 'tag', values: tags } })).violations;
    });
  } finally {
    await checker.close();
  }
}

/** Whether the page is wider than its viewport (a horizontal scrollbar). */
const scrollsSideways = (page: Page) =>
  page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth',
  ) as Promise<boolean>;

/** Checks the page as it is at both widths: no axe violation, no sideways scroll on a phone. */
async function checkPage(page: Page, what: string): Promise<void> {
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    expect([what, size.width, await axeViolations(page)]).toEqual([what, size.width, []]);
    if (size === PHONE) expect([what, await scrollsSideways(page)]).toEqual([what, false]);
  }
}

/**
 * The focused element and whether its focus shows: a ring (outline of at least
 * 2 px, or a box shadow) on an element that is on screen. Read in the page
 * itself, so what is checked is what a sighted keyboard user sees.
 */
const FOCUS_SHOWN = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { at: 'body', shown: false };
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  return { at: el.id || el.getAttribute('href') || el.tagName.toLowerCase(), shown: ring && onScreen };
})()`;

/** Whether the focused element matches `selector`. */
const focusIs = (page: Page, selector: string) =>
  page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`) as Promise<boolean>;

/**
 * Presses Tab (or Shift+Tab) until `selector` has the focus, checking at every
 * stop on the way that the focus is visible; fails after 40 presses.
 */
async function tabTo(page: Page, selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press(key);
    const focus = (await page.evaluate(FOCUS_SHOWN)) as { at: string; shown: boolean };
    expect([selector, focus]).toEqual([selector, { at: focus.at, shown: true }]);
    if (await focusIs(page, selector)) return;
  }
  throw new Error(`${key} never reached ${selector}`);
}

/** Follows the status page's download link as the person would and returns the first two bytes of the file. */
async function zipFromStatusPage(page: Page): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const saved = await file.path();
  return (await readFile(saved)).subarray(0, 2).toString();
}

/** Submits the access request through the form, enters the emailed code, and lands on the status page. */
async function walkToStatus(
  page: Page,
  person: { email: string },
  check: boolean,
  type: 'access' | 'delete' = 'access',
): Promise<void> {
  await page.check(`#type-${type}`);
  await page.fill('#email', person.email);
  await page.click('#request-form button[type=submit]');
  await page.waitForSelector('input#code');
  expect(page.url()).not.toContain(encodeURIComponent(person.email));
  expect(page.url()).not.toContain(person.email);
  if (check) await checkPage(page, 'code page');
  await page.fill('#code', codeIn(await mailTo(person.email, /\d{6}/)));
  await page.click('form[action=verify] button');
  await page.waitForSelector('#progress');
}

describeBrowser('the requester in a browser', () => {
  let contexts: BrowserContext[] = [];
  afterEach(async () => {
    for (const context of contexts) await context.close();
    contexts = [];
  });
  const open = async (options: Parameters<Browser['newContext']>[0] = {}) => {
    const context = await browser.newContext({ viewport: PHONE, ...options });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    return { page, errors };
  };

  it('takes an access request in Indonesian with JavaScript: form, code, live status to completed, and the download link works', async () => {
    // Prepare
    const { page, errors } = await open({ locale: 'id-ID' });
    await page.goto(`${system.urls.api}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('id');
    await checkPage(page, 'form (id)');

    // Act: fill in the form as a person would, then wait on the status page without reloading it
    await walkToStatus(page, people.id, true);
    await checkPage(page, 'status page (id, in progress)');
    await page.waitForSelector('#progress[data-final=true]', { timeout: 120_000 });

    // Assess: completed in plain Indonesian, each place listed, the page's own download link (this browser
    // entered the code) serves the zip, and so does the emailed download link
    expect(await page.textContent('#now')).toContain('selesai');
    expect(await page.textContent('#outcome')).toContain('Salinan data Anda sudah siap');
    expect(await zipFromStatusPage(page)).toBe('PK');
    expect(await page.locator('#progress tbody tr').count()).toBeGreaterThan(3);
    await checkPage(page, 'status page (id, completed)');
    const ready = await mailTo(people.id.email, /\/export\?token=/);
    expect(ready.body.text?.indexOf('Salinan data')).toBeLessThan(
      ready.body.text?.indexOf('The copy of your data') ?? 0,
    );
    const download = await fetch(linkIn(ready, 'export'), { redirect: 'follow' });
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(errors).toEqual([]);
  });

  it('takes an access request in English with JavaScript disabled, and the email’s status link opens in a fresh browser', async () => {
    // Prepare: no JavaScript at all; English chosen with the switch on an Indonesian page
    const { page } = await open({ javaScriptEnabled: false, locale: 'id-ID' });
    await page.goto(`${system.urls.api}/`);
    await page.click('a[hreflang=en]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');

    // Act
    await walkToStatus(page, people.en, true);
    await checkPage(page, 'status page (en, no JS)');
    const deadline = Date.now() + 120_000;
    while ((await page.getAttribute('#progress', 'data-final')) !== 'true' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      await page.click('text=Refresh');
    }

    // Assess: completed, in English, remembered across pages, with the download link for this browser
    expect(await page.textContent('#now')).toContain('completed');
    expect(await page.textContent('#outcome')).toContain('Your copy is ready');
    expect(await zipFromStatusPage(page)).toBe('PK');
    const ready = await mailTo(people.en.email, /\/export\?token=/);
    expect(ready.body.text).toMatch(/^The copy of your data/);
    expect((await fetch(linkIn(ready, 'export'))).status).toBe(200);

    // The verification email's status link, in a browser that never saw the form (no cookies), read-only
    const confirmation = await mailTo(people.en.email, /\/status\?token=/);
    const fresh = await open({ locale: 'en-GB' });
    await fresh.page.goto(linkIn(confirmation, 'status'));
    expect(await fresh.page.textContent('#now')).toContain('completed');
    expect(await fresh.page.locator('main form, main button').count()).toBe(0);
    // It cannot download: no link on the page, the outcome points to the email, and the route refuses it.
    expect(await fresh.page.locator('#download').count()).toBe(0);
    expect(await fresh.page.textContent('#outcome')).toContain('We emailed you a download link');
    const exportUrl = new URL('export', fresh.page.url()).href.replace(/\?.*$/, '');
    expect((await fresh.page.goto(exportUrl))?.status()).toBe(403);
    await fresh.page.goto(linkIn(confirmation, 'status'));
    await fresh.page.click('a[hreflang=id]');
    expect(await fresh.page.getAttribute('html', 'lang')).toBe('id');
    expect(await fresh.page.textContent('#now')).toContain('selesai');
    await checkPage(fresh.page, 'status page from the email link (id)');
  });

  it('takes a delete without JavaScript to its certificate of erasure, which the email’s status link cannot open', async () => {
    // Prepare
    const { page } = await open({ javaScriptEnabled: false, locale: 'en-GB' });
    await page.goto(`${system.urls.api}/`);

    // Act: ask for erasure, enter the code, refresh until the request ends, open the certificate
    await walkToStatus(page, people.erased, false, 'delete');
    const deadline = Date.now() + 120_000;
    while ((await page.getAttribute('#progress', 'data-final')) !== 'true' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      await page.click('text=Refresh');
    }
    expect(await page.textContent('#now')).toContain('completed');
    await checkPage(page, 'status page of a completed delete (en, no JS)');
    await page.click('#certificate');

    // Assess: this request's certificate, in both languages, naming the person only by a hash
    expect(await page.textContent('h1')).toMatch(/certificate of erasure/i);
    const certificate = (await page.textContent('body')) ?? '';
    expect(certificate).toContain((new URL(page.url()).pathname.split('/').at(-2) ?? '-').slice(0, 8));
    expect(certificate).toMatch(/Dihapus/);
    expect(certificate).not.toContain(people.erased.email);
    expect(certificate).not.toContain(people.erased.fullName);

    // The emailed status link, in a browser that never entered the code: no link, and the route refuses it.
    const confirmation = await mailTo(people.erased.email, /\/status\?token=/);
    const fresh = await open({ locale: 'en-GB' });
    await fresh.page.goto(linkIn(confirmation, 'status'));
    expect(await fresh.page.locator('#certificate').count()).toBe(0);
    const certificateUrl = new URL('certificate', fresh.page.url()).href.replace(/\?.*$/, '');
    expect((await fresh.page.goto(certificateUrl))?.status()).toBe(403);
  });

  it('takes the whole access flow with the keyboard alone, every focused control visibly ringed', async () => {
    // Prepare
    const { page, errors } = await open({ locale: 'en-GB', viewport: DESKTOP });
    const person = people.keyboard;
    await page.goto(`${system.urls.api}/`);

    // Act and assess, page by page. The form: the skip link comes first and lands in the main content.
    await tabTo(page, 'a.skip');
    await page.keyboard.press('Enter');
    expect(page.url()).toMatch(/#main$/);
    await tabTo(page, '#type-access');
    await page.keyboard.press('Space');
    expect(await page.isChecked('#type-access')).toBe(true);
    await tabTo(page, '#email');
    await page.keyboard.type(person.email);
    await tabTo(page, '#request-form button[type=submit]');
    // Back one control and forth again, as a person checking an answer would.
    await tabTo(page, '#jurisdiction', 'Shift+Tab');
    await tabTo(page, '#request-form button[type=submit]');
    await Promise.all([page.waitForURL(/\/code$/), page.keyboard.press('Enter')]);

    // The code page: type the emailed code and press Enter in the field.
    await tabTo(page, '#code');
    expect(await page.locator('#newAddressCode').count()).toBe(0);
    await page.keyboard.type(codeIn(await mailTo(person.email, /\d{6}/)));
    await Promise.all([page.waitForURL(/\/status$/), page.keyboard.press('Enter')]);

    // The status page: it updates by itself; once done, the download link is reached and followed by keyboard.
    await page.waitForSelector('#progress[data-final=true]', { timeout: 120_000 });
    expect(await page.textContent('#now')).toContain('completed');
    await tabTo(page, '#download');
    const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect((await readFile(await file.path())).subarray(0, 2).toString()).toBe('PK');
    // And the language switch, by keyboard too.
    await page.goto(page.url());
    await tabTo(page, 'a[hreflang=id]');
    await Promise.all([page.waitForURL(/lang=id/), page.keyboard.press('Enter')]);
    expect(await page.getAttribute('html', 'lang')).toBe('id');
    expect(errors).toEqual([]);
  });

  it('shows a bad email and a missing choice in an error summary in the page language, and sends nothing', async () => {
    for (const [lang, heading, choose] of [
      ['id', 'Ada masalah', 'Pilih apa yang ingin Anda minta'],
      ['en', 'There is a problem', 'Choose what you want to ask for'],
    ] as const) {
      const { page } = await open({ javaScriptEnabled: lang === 'en' });
      const before = (await local.emails()).length;
      await page.goto(`${system.urls.api}/?lang=${lang}`);
      await page.fill('#email', 'not-an-email');
      await page.click('#request-form button[type=submit]');
      await page.waitForSelector('.error-summary');

      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const summary = (await page.textContent('.error-summary')) ?? '';
      expect(summary).toContain(heading);
      expect(summary).toContain(choose);
      expect(await page.getAttribute('.error-summary a[href="#email"]', 'href')).toBe('#email');
      expect(await page.inputValue('#email')).toBe('not-an-email');
      expect(page.url()).not.toContain('not-an-email');
      await checkPage(page, `form with errors (${lang})`);
      expect((await local.emails()).length).toBe(before);
    }
  });

  it('shows the emailed links’ pages and refusals without an accessibility violation, in both languages', async () => {
    const id = '20260101-delete-abcdefghij';
    const token = 'x'.repeat(43);
    const pages = [
      `/requests/${id}/verify?token=${token}`,
      `/requests/${id}/cancel?token=${token}`,
      `/requests/${id}/status?token=${token}`,
      '/requests/not-an-id/verify?token=short',
      `/unsubscribe?token=${token}`,
      // An unknown path: the local server's own bilingual 404 page (as API Gateway's gateway responses give).
      '/no/such/page?x=1',
    ];
    for (const lang of ['id', 'en']) {
      const { page } = await open();
      for (const at of pages) {
        await page.goto(`${system.urls.api}${at}&lang=${lang}`);
        // The page no handler serves has both languages, Indonesian first, whatever is asked.
        const expected = at.startsWith('/no/') ? 'id' : lang;
        expect([at, await page.getAttribute('html', 'lang')]).toEqual([at, expected]);
        await checkPage(page, `${at} (${lang})`);
      }
    }
  });

  // …/prod without its slash is answered 301 to …/prod/ by the page itself (test/unit/http-read-routes).
  it('keeps every link, post and redirect under the stage (…/prod/), as API Gateway serves it', async () => {
    // Prepare: a stand-in for API Gateway — /prod/… reaches the API without the prefix, anything else is refused.
    const api = new URL(system.urls.api);
    const outsideStage: string[] = [];
    const gateway = createServer((req, res) => {
      const at = new URL(req.url ?? '/', 'http://gateway');
      if (!at.pathname.startsWith('/prod/')) {
        outsideStage.push(at.pathname);
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
        return;
      }
      const upstream = httpRequest(
        {
          host: api.hostname,
          port: api.port,
          method: req.method,
          path: `${at.pathname.slice('/prod'.length)}${at.search}`,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      const { page } = await open({ locale: 'id-ID' });

      // Act
      await page.goto(`http://127.0.0.1:${port}/prod/`);
      await page.check('#type-opt_out');
      await page.fill('#email', 'stage.slash@example.test');
      await page.click('#request-form button[type=submit]');

      // Assess: the stylesheet, the post, its redirect, the code page and the switch all stayed under the stage.
      await page.waitForSelector('input#code');
      expect(new URL(page.url()).pathname).toMatch(/^\/prod\/requests\/[^/]+\/code$/);
      expect(await page.evaluate('getComputedStyle(document.body).margin')).toBe('0px');
      await page.click('a[hreflang=en]');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(outsideStage).toEqual([]);
    } finally {
      gateway.close();
    }
  });
});
