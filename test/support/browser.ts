import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium; playwright-core drives it and never downloads a browser of its own. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumInstalled = existsSync(chromiumPath);

const repositoryRoot = join(__dirname, '..', '..');
export const screenshotDir = join(repositoryRoot, 'test-results', 'screenshots');
/** The README shows these; they are committed, so each is a short phone page or one desktop viewport. */
export const readmeScreenshotDir = join(repositoryRoot, 'docs', 'screenshots');

function missingNotice(mode: 'skip' | 'fail'): string {
  return [
    '',
    '*****************************************************************',
    mode === 'skip' ? `  BROWSER TESTS SKIPPED: no Chromium at ${chromiumPath}.` : `  BROWSER TESTS FAIL: CI=true and no Chromium at ${chromiumPath}.`,
    '  Install it with `sudo apt-get install chromium`',
    '  (or run `.ci/install-chromium`), or set CHROMIUM_PATH.',
    '*****************************************************************',
    '',
  ].join('\n');
}

export type BrowserSuiteMode = 'run' | 'skip' | 'fail';

/** CI sets CI=true; there a missing browser is a broken machine, not a reason to pass quietly. */
export function browserSuiteMode(env: NodeJS.ProcessEnv, installed: boolean): BrowserSuiteMode {
  if (installed) return 'run';
  const ci = (env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0' ? 'fail' : 'skip';
}

/**
 * `describe` when Chromium is installed. Otherwise, on a developer's machine the suite is skipped with a
 * notice nobody can miss; in CI it fails with the same notice, so the pages are never left untested there.
 */
export function describeInBrowser(name: string, suite: () => void): void {
  const mode = browserSuiteMode(process.env, chromiumInstalled);
  if (mode === 'run') {
    describe(name, suite);
    return;
  }
  process.stderr.write(missingNotice(mode));
  if (mode === 'skip') {
    describe.skip(name, suite);
    return;
  }
  describe(name, () => {
    it('has Chromium to run in', () => {
      throw new Error(missingNotice(mode));
    });
  });
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

function fileName(name: string): string {
  return `${name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.png`;
}

/**
 * Saves a screenshot under test-results/screenshots/ and remembers it for `printScreenshots`: the whole page,
 * or one element of it, such as an email in the email viewer.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = join(screenshotDir, fileName(name));
  if ('goto' in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
  taken.push(file);
  return file;
}

/**
 * Saves the page as a viewport of `size` shows it, then restores the page's own size. The README's copies under
 * docs/screenshots/ are rewritten only with UPDATE_README_SCREENSHOTS=1, so an ordinary test run leaves the
 * tracked files alone. `fullPage` suits short phone pages; a long one is cut at the viewport to keep it small.
 */
export async function readmeScreenshot(page: Page, name: string, size: { width: number; height: number }, fullPage = false): Promise<string> {
  const dir = process.env.UPDATE_README_SCREENSHOTS === '1' ? readmeScreenshotDir : screenshotDir;
  await mkdir(dir, { recursive: true });
  const file = join(dir, fileName(name));
  const own = page.viewportSize();
  await page.setViewportSize(size);
  await page.screenshot({ path: file, fullPage });
  if (own) await page.setViewportSize(own);
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
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

/** Every request the page makes to anything but this machine; the pages must work offline. */
export function watchForeignRequests(page: Page): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (!local) foreign.push(request.url());
  });
  return foreign;
}

let axeSource: string | undefined;

/**
 * Runs axe-core's WCAG 2.1 A/AA and best-practice rules on the page and names each violation with the
 * elements it found, e.g. "color-contrast: .hint". axe is evaluated through the DevTools protocol, which
 * the pages' Content-Security-Policy does not govern, so the pages are checked under their real policy.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate<string[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((result) => result.violations.map((violation) => violation.id + ': ' + violation.nodes.map((node) => node.target.join(' ')).join(', ')))`);
}

export interface Focus {
  element: string;
  outlineStyle: string;
  outlineWidth: string;
}

/** Presses Tab once on a freshly opened page and reports what took focus and the outline it draws; undefined when nothing can. */
export async function firstFocus(page: Page): Promise<Focus | undefined> {
  await page.keyboard.press('Tab');
  return page.evaluate<Focus | undefined>(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return undefined;
    const style = getComputedStyle(element);
    const text = (element.textContent || element.getAttribute('name') || '').trim().slice(0, 40);
    return { element: element.tagName.toLowerCase() + ' "' + text + '"', outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth };
  })()`);
}

/** True when the page is wider than its viewport, i.e. a phone would scroll it sideways. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}
