import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Headless Debian Chromium through playwright-core, the way every browser test here drives the
 * dashboard: a fresh profile, a laptop-sized window, every console error and page error recorded
 * (tests assert there are none), screenshots kept under test-artifacts/e2e.
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** A common laptop screen; the dashboard must be readable at this size. */
export const LAPTOP_VIEWPORT = { width: 1366, height: 768 };
const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/e2e');

export interface DashboardBrowser {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught page errors and requests that left the test server, as they happened. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openDashboardBrowser(options: { baseUrl: string; artifactPrefix: string }): Promise<DashboardBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'morphsweep-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: LAPTOP_VIEWPORT,
    baseURL: options.baseUrl,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const origin = new URL(options.baseUrl).origin;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // "No assets from the internet": any request to another origin is a defect.
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`external request: ${url}`);
  });
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return {
    page,
    context,
    problems,
    async screenshot(name) {
      const file = path.join(ARTIFACTS_DIR, `${options.artifactPrefix}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
