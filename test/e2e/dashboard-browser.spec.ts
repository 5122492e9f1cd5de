import type { Page } from 'playwright-core';
import { Browser, screenshot } from '../support/browser';
import { SamplaneProcess } from '../support/samplane-process';
import { pollStrategy, servedRate } from '../support/served-strategy';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath, sqliteDir } from './policies-http';

const TRAFFIC = [
  { service: 'checkout', operation: 'GET /cart', requestsPerSecond: 2000, errorRatio: 0.01 },
  { service: 'checkout', operation: 'POST /pay', requestsPerSecond: 400, errorRatio: 0.05 },
  { service: 'search', operation: 'GET /q', requestsPerSecond: 1000 },
];

/**
 * The dashboard as people use it, in Debian's Chromium against a real Samplane with traffic:
 * viewers look, operators change policies safely. Screenshots land in .test-tmp/screenshots.
 */
describe('dashboard in a browser', () => {
  let samplane: SamplaneProcess;
  let reporter: SteadyReporter;
  let browser: Browser;
  let api: AdminClient;
  const dir = sqliteDir();

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADMIN_TOKENS,
      SQLITE_PATH: dir.path,
      ADAPTIVE_CALCULATION_INTERVAL: '1s',
      ADAPTIVE_DELAY: '1s',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: '4',
    });
    api = new AdminClient(samplane.url, OPERATOR_TOKEN);
    reporter = new SteadyReporter(samplane.url, TRAFFIC);
    reporter.start();
    browser = await Browser.launch();
    // Charts need a few calculations to draw lines.
    await waitFor(async () => {
      const answer = await api.get('/api/v1/services/checkout/history');
      return (answer.body as { points: unknown[] }).points.length >= 3;
    }, 'three calculations in the history', 30_000, 250);
  });

  afterAll(async () => {
    await browser?.close();
    await reporter?.stop();
    await samplane?.stop('SIGKILL');
    dir.remove();
  });

  afterEach(() => {
    expect(browser.pageErrors).toEqual([]);
  });

  // By keyboard alone: the field is found by its label, Enter submits.
  async function signIn(page: Page, token: string): Promise<void> {
    await page.goto(`${samplane.url}/`);
    await page.getByLabel('Token').focus();
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('refuses a wrong token at sign-in with a message', async () => {
    const page = await browser.page();
    await page.goto(`${samplane.url}/`);
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That token was refused' }).waitFor();
    await screenshot(page, '01-sign-in-refused');
    await page.close();
  });

  it('shows a viewer the fleet, a service with its served rates and charts, and no edit controls', async () => {
    const page = await browser.page();
    await signIn(page, VIEWER_TOKEN);
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    await page.getByRole('link', { name: 'search' }).waitFor();
    await page.getByText('samplane', { exact: true }).waitFor();
    await page.getByLabel('Search services').fill('CHECK');
    await page.getByRole('link', { name: 'search' }).waitFor({ state: 'detached' });
    await screenshot(page, '02-overview-viewer');

    await page.getByRole('link', { name: 'checkout' }).click();
    await page.getByRole('heading', { name: 'checkout', level: 1 }).waitFor();
    const cart = page.getByRole('region', { name: 'Operations' }).getByRole('row', { name: /GET \/cart/ });
    await cart.waitFor();
    // The probability shown is the one polls get. Both move with each 1 s calculation, so each
    // try reads both afresh: the page and a poll agree once they saw the same calculation.
    await waitFor(
      async () => {
        const served = servedRateOrThrow(servedRate(await pollStrategy(samplane.url, 'checkout'), 'GET /cart'));
        // A cell of its own, not a part of another number.
        return (await cart.innerText()).split(/\s+/).includes(String(served));
      },
      'the served probability',
      30_000,
      200,
    );
    await page.locator('.chart-area canvas').first().waitFor();
    expect(await page.locator('.chart-area canvas').count()).toBe(4);
    // The charts follow new calculations without a reload.
    const chart = page.getByTestId('chart-requests-per-operation');
    const drawn = Number(await chart.getAttribute('data-points'));
    expect(drawn).toBeGreaterThanOrEqual(3);
    await waitFor(async () => Number(await chart.getAttribute('data-points')) > drawn, 'a new point in the chart', 15_000, 250);
    expect(await page.getByRole('button', { name: /Edit policy|Create policy/ }).count()).toBe(0);
    await screenshot(page, '03-service-viewer');

    // A token that stops working mid-session brings the sign-in back with a message.
    await page.evaluate("sessionStorage.setItem('samplane.token', 'revoked')");
    await page.getByText('You were signed out').waitFor({ timeout: 15_000 });
    await page.getByLabel('Token').waitFor();
    await page.close();
  });

  it('lets an operator create a policy (400 at its field, preview, save) that polls follow', async () => {
    const page = await browser.page();
    await signIn(page, OPERATOR_TOKEN);
    await page.goto(`${samplane.url}/ui/services/checkout`);
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('button', { name: 'Add operation' }).click();
    // Every control of the form has a label a screen reader announces.
    const unlabelled = await page.evaluate(
      "[...document.querySelectorAll('.policy-form input, .policy-form select, .policy-form textarea')].filter((e) => e.labels.length === 0).map((e) => e.id)",
    );
    expect(unlabelled).toEqual([]);
    await page.getByRole('button', { name: 'Remove operation 1' }).click();
    const target = page.getByLabel('Target samples per second');
    await target.fill('-5');
    await page.getByRole('button', { name: 'Save' }).click();
    const fieldError = page.locator('#error-targetSamplesPerSecond');
    await fieldError.waitFor();
    expect(await fieldError.innerText()).toMatch(/targetSamplesPerSecond/);
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, '04-policy-400-at-field');
    expect((await api.get(policyPath('checkout'))).status).toBe(404);

    await target.fill('40');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview on recent traffic' });
    await preview.waitFor();
    // Target 40 of about 2,000 requests/s: the draft serves about 0.02 (1 s intervals are noisy).
    const cells = await preview.getByRole('row', { name: /GET \/cart/ }).getByRole('cell').allInnerTexts();
    expect(Math.abs(Number(cells[3]) - 0.02)).toBeLessThan(0.006);
    await screenshot(page, '05-policy-preview');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Policy saved').waitFor();
    expect((await api.get(policyPath('checkout'))).body).toMatchObject({ mode: 'adaptive', targetSamplesPerSecond: 40 });
    // 40 sampled traces/s of 2,000 requests/s: polls follow within a few calculations.
    await waitFor(
      async () => Math.abs((servedRate(await pollStrategy(samplane.url, 'checkout'), 'GET /cart') ?? 0) - 0.02) < 0.006,
      'GET /cart served 0.02',
      20_000,
      250,
    );
    await page.getByRole('button', { name: 'Edit policy' }).waitFor();
    await screenshot(page, '06-policy-saved');
    await page.close();
  });

  it('never overwrites a change made while the form was open: it says who changed it and offers a reload', async () => {
    const page = await browser.page();
    await signIn(page, OPERATOR_TOKEN);
    await page.goto(`${samplane.url}/ui/services/checkout`);
    await page.getByRole('button', { name: 'Edit policy' }).click();
    const target = page.getByLabel('Target samples per second');
    expect(await target.inputValue()).toBe('40');

    const current = await api.get(policyPath('checkout'));
    const changed = await api.put(policyPath('checkout'), { mode: 'adaptive', targetSamplesPerSecond: 30 }, { 'if-match': current.headers.get('etag') ?? '' });
    expect(changed.status).toBe(200);

    await target.fill('50');
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'since this form was opened' });
    await conflict.waitFor();
    expect(await conflict.innerText()).toMatch(/changed by alice \(replace, version \d+/);
    expect((await api.get(policyPath('checkout'))).body).toMatchObject({ targetSamplesPerSecond: 30 });
    await screenshot(page, '07-policy-conflict');

    await page.getByRole('button', { name: 'Reload the policy' }).click();
    await waitFor(async () => (await target.inputValue()) === '30', 'the reloaded target', 5_000, 100);
    await page.getByRole('button', { name: 'Delete policy' }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('Policy deleted.').waitFor();
    expect((await api.get(policyPath('checkout'))).status).toBe(404);
    await page.close();
  });

  it('lists the audit log newest first with before and after, filtered by service', async () => {
    await api.put(policyPath('search'), { mode: 'probabilistic', samplingRate: 0.5 });
    const page = await browser.page();
    await signIn(page, VIEWER_TOKEN);
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    const rows = page.locator('table.audit tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().innerText()).toMatch(/alice\s+create\s+search/);
    await page.getByLabel('Service').fill('checkout');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitFor(async () => (await rows.count()) === 3 && (await rows.allInnerTexts()).every((t) => t.includes('checkout')), 'the checkout entries', 5_000, 100);
    const texts = await rows.allInnerTexts();
    expect(texts.map((t) => /\b(create|replace|delete)\b/.exec(t)?.[1])).toEqual(['delete', 'replace', 'create']);
    expect(texts[1]).toMatch(/targetSamplesPerSecond: 40 → 30/);
    await screenshot(page, '08-audit');
    await page.close();
  });

  it('reads well in the dark scheme', async () => {
    const dark = await Browser.launch({ colorScheme: 'dark' });
    try {
      const page = await dark.page();
      await page.goto(`${samplane.url}/`);
      await page.getByLabel('Token').fill(VIEWER_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.goto(`${samplane.url}/ui/services/checkout`);
      await page.locator('.chart-area canvas').first().waitFor();
      // Evaluated in the page, where the DOM exists; the test's own lib has no DOM types.
      const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe('rgb(13, 17, 23)');
      await screenshot(page, '09-service-dark');
      expect(dark.pageErrors).toEqual([]);
    } finally {
      await dark.close();
    }
  });
});

function servedRateOrThrow(rate: number | undefined): number {
  if (rate === undefined) throw new Error('GET /cart is not served a rate');
  return rate;
}
