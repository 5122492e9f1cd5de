import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Where browser tests leave their screenshots, for a person to look at. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '.test-tmp', 'screenshots');

/**
 * Debian's Chromium driven by playwright-core, in a new empty profile, with every page error
 * and failed console message recorded so a test can assert there were none.
 */
export class Browser {
  readonly pageErrors: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'samplane-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      colorScheme: options.colorScheme ?? 'light',
    });
    return new Browser(context, profile);
  }

  async page(): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    return page;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
