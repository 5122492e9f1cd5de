import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SamplaneProcess } from '../support/samplane-process';

/** Compressed bytes a first visit may load: the page and every asset it references. */
const FIRST_LOAD_BUDGET = 200 * 1024;

/**
 * How the built dashboard is served: its page at `/` and every `/ui/…` path, revalidated;
 * hashed assets compressed and cached for good; nothing else changed (polls, the admin API).
 */
describe('dashboard serving', () => {
  let samplane: SamplaneProcess;
  let page: string;
  let assets: string[];

  beforeAll(async () => {
    samplane = await SamplaneProcess.start();
    page = await (await fetch(`${samplane.url}/`)).text();
    assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  });

  afterAll(async () => {
    await samplane?.stop('SIGKILL');
  });

  it('serves the page at / and at every /ui path, revalidated on each load', async () => {
    expect(page).toMatch(/<div id="app"><\/div>/);
    expect(page).toBe(readFileSync(join(__dirname, '..', '..', 'dist', 'ui', 'index.html'), 'utf8'));
    for (const path of ['/', '/ui', '/ui/services/checkout', `/ui/services/${encodeURIComponent('a/b c')}`, '/ui/audit?service=x']) {
      const response = await fetch(samplane.url + path);
      expect([path, response.status, response.headers.get('cache-control'), response.headers.get('content-type')]).toEqual([
        path,
        200,
        'no-cache',
        'text/html; charset=utf-8',
      ]);
      expect(await response.text()).toBe(page);
    }
  });

  it('serves hashed assets compressed and cached for a year, nothing from elsewhere', async () => {
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    let compressed = Buffer.byteLength(page);
    for (const asset of assets) {
      expect(asset).toMatch(/-[\w-]{8}\.(js|css)$/);
      const response = await fetch(samplane.url + asset, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-encoding')).toBe('br');
      compressed += Number(response.headers.get('content-length'));
      // fetch decodes the body: what arrives is the built file.
      expect(await response.text()).toBe(readFileSync(join(__dirname, '..', '..', 'dist', 'ui', asset), 'utf8'));
    }
    expect(compressed).toBeLessThan(FIRST_LOAD_BUDGET);
    expect((await fetch(`${samplane.url}/assets/missing-12345678.js`)).status).toBe(404);
  });

  it('leaves polls and the API as they were', async () => {
    const poll = await fetch(`${samplane.url}/sampling?service=checkout`);
    expect(poll.status).toBe(200);
    expect(((await poll.json()) as { strategyType: string }).strategyType).toBe('PROBABILISTIC');
    expect((await fetch(`${samplane.url}/api/v1/engine`)).status).toBe(401);
    expect((await fetch(`${samplane.url}/no-such-page`)).status).toBe(404);
  });
});
