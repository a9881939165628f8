import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; playwright-core drives it and never downloads a browser of its own. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumInstalled = existsSync(chromiumPath);

export const screenshotDir = join(__dirname, '..', '..', 'test-results', 'screenshots');

const missingNotice = [
  '',
  '*****************************************************************',
  `  BROWSER TESTS SKIPPED: no Chromium at ${chromiumPath}.`,
  '  Install it with `sudo apt-get install chromium`',
  '  (or run `.ci/install-chromium`), or set CHROMIUM_PATH.',
  '*****************************************************************',
  '',
].join('\n');

/**
 * `describe` when Chromium is installed; otherwise the suite is skipped with a notice nobody can miss,
 * because a machine without a browser cannot say anything about the pages.
 */
export function describeInBrowser(name: string, suite: () => void): void {
  if (chromiumInstalled) {
    describe(name, suite);
    return;
  }
  process.stderr.write(missingNotice);
  describe.skip(name, suite);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Without these, Chromium phones Google on start, which this machine must not do.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

export const phone = { width: 360, height: 740 };
export const desktop = { width: 1280, height: 900 };

const taken: string[] = [];

/** Saves a full-page screenshot under test-results/screenshots/ and remembers it for `printScreenshots`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true });
  taken.push(file);
  return file;
}

export function printScreenshots(): void {
  if (taken.length === 0) return;
  process.stdout.write(`\nScreenshots:\n${taken.map((file) => `  ${relative(process.cwd(), file)}`).join('\n')}\n`);
  taken.length = 0;
}

/** Collects what the page's console and CSP report, so a test can assert that nothing was blocked or broke. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}
