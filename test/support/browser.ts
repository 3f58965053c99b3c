/**
 * Real-browser tests use Debian's Chromium through playwright-core. Without a
 * Chromium the file is skipped with a notice, unless DSR_REQUIRE_BROWSER=1
 * (set by CI, which installs Chromium) makes that a failure.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const haveBrowser = existsSync(CHROMIUM);

/** `describe` when a Chromium is there, else `describe.skip` with a notice naming the file. */
export function describeWithBrowser(file: string): jest.Describe {
  if (!haveBrowser && process.env.DSR_REQUIRE_BROWSER === '1') {
    throw new Error(`DSR_REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  }
  if (!haveBrowser) console.warn(`${file}: skipped, no Chromium at ${CHROMIUM}`);
  return haveBrowser ? describe : describe.skip;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
