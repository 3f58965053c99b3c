/**
 * `npm run screenshots [-- --out <dir>]`: pictures of the requester's pages for
 * the README, taken from the real pages of a private local system (its own
 * data directory and ports) with Debian's Chromium through playwright-core.
 * One access request goes the whole way: the form, a refused form with its
 * error summary, the code page, and the status page until it is completed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startLocalSystem } from './system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 360, height: 780 };
const DESKTOP = { width: 1100, height: 900 };

function outDir(): string {
  const at = process.argv.indexOf('--out');
  return path.resolve((at >= 0 ? process.argv[at + 1] : undefined) ?? 'docs/screenshots');
}

/** The first 6-digit code mailed to `email`, from the local mailbox. */
async function codeFor(sesUrl: string, email: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
      emails: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mail = store.emails.find((e) => e.destination.to.includes(email));
    const code = /(?<![\d-])(\d{6})(?![\d-])/.exec(mail?.body.text ?? '')?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no verification email arrived');
}

async function shoot(page: Page, dir: string, name: string): Promise<void> {
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  const dir = outDir();
  await mkdir(dir, { recursive: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dsr-screenshots-'));
  const system = await startLocalSystem({ dataDir, port: 0, sesPort: 0, demoCustomers: 3 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const { plantSubject } = await import('./demo-data');
    const email = 'sari.wulandari@example.com';
    await plantSubject(system.clients, system.dataMap, { email, fullName: 'Sari Wulandari', records: 3 });
    const phone = await browser.newPage({ viewport: PHONE, locale: 'id-ID' });
    const desktop = await browser.newPage({ viewport: DESKTOP, locale: 'id-ID' });

    await desktop.goto(`${system.urls.api}/`);
    await shoot(desktop, dir, 'form-id-desktop');
    await phone.goto(`${system.urls.api}/?lang=en`);
    await shoot(phone, dir, 'form-en-phone');
    await phone.click('button[type=submit]');
    await phone.waitForSelector('.error-summary');
    await shoot(phone, dir, 'form-errors-en-phone');

    await desktop.check('#type-access');
    await desktop.fill('#email', email);
    await desktop.click('#request-form button[type=submit]');
    await desktop.waitForSelector('input#code');
    await shoot(desktop, dir, 'code-id-desktop');
    await desktop.fill('#code', await codeFor(system.urls.ses, email));
    await desktop.click('form[action=verify] button');
    await desktop.waitForSelector('#progress');
    await shoot(desktop, dir, 'status-id-desktop');
    await desktop.waitForSelector('#progress[data-final=true]', { timeout: 120_000 });
    await shoot(desktop, dir, 'status-completed-id-desktop');
  } finally {
    await browser.close();
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
