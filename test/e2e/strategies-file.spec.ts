import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

interface Served {
  strategyType: string;
  probabilisticSampling?: { samplingRate: number };
  rateLimitingSampling?: { maxTracesPerSecond: number };
}

function probabilisticFile(rates: Record<string, number>): string {
  return JSON.stringify({
    service_strategies: Object.entries(rates).map(([service, param]) => ({ service, type: 'probabilistic', param })),
  });
}

describe('STRATEGIES_FILE', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'samplane-e2e-strategies-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Replaces the file in one step, as a ConfigMap update does, so no read sees half of it. */
  function replace(file: string, text: string): void {
    const next = `${file}.next`;
    writeFileSync(next, text);
    renameSync(next, file);
  }

  describe('reloaded every STRATEGIES_RELOAD_INTERVAL', () => {
    let file: string;
    let samplane: SamplaneProcess;
    const reloads = (outcome: string) => samplane.metric('samplane_strategies_file_reloads_total', { outcome });
    const served = async (service: string) => (await samplane.poll(service)) as Served;
    const rateOf = async (service: string) => (await served(service)).probabilisticSampling?.samplingRate;

    beforeAll(async () => {
      file = join(dir, 'reloaded.json');
      replace(file, probabilisticFile({ checkout: 0.2 }));
      samplane = await SamplaneProcess.start({ STRATEGIES_FILE: file, STRATEGIES_RELOAD_INTERVAL: '200ms' });
    });

    afterAll(async () => {
      await samplane?.stop();
    });

    it('applies a changed file without a restart', async () => {
      expect(await rateOf('checkout')).toBe(0.2);
      replace(
        file,
        JSON.stringify({
          service_strategies: [
            { service: 'checkout', type: 'probabilistic', param: 0.6 },
            { service: 'added', type: 'ratelimiting', param: 3 },
          ],
        }),
      );
      await waitFor(async () => (await rateOf('checkout')) === 0.6, 'checkout to be served 0.6');
      expect(await served('added')).toEqual({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 3 } });
      expect(await reloads('applied')).toBe(2);
    });

    it('re-reads an unchanged file without applying it again', async () => {
      const unchanged = await reloads('unchanged');
      await waitFor(async () => (await reloads('unchanged')) >= unchanged + 2, 'two more unchanged reads');
      expect(await reloads('applied')).toBe(2);
    });

    it.each([
      ['broken JSON', () => replace(file, '{"service_strategies": ['), 'not valid JSON'],
      [
        'a rate outside 0..1',
        () => replace(file, probabilisticFile({ checkout: 1.5 })),
        'service_strategies[0].param: 1.5 is not a probability',
      ],
      ['the file gone', () => unlinkSync(file), 'ENOENT'],
    ])('keeps the last good strategies on %s, logs why once, and counts the failure', async (_case, breakFile, reason) => {
      const failed = await reloads('failed');
      breakFile();
      await waitFor(async () => (await reloads('failed')) >= failed + 3, 'three failed reloads');
      expect(await rateOf('checkout')).toBe(0.6);
      const lines = samplane.output.split('\n').filter((line) => line.includes(reason));
      // Once per distinct reason: a file left broken must not flood the log every tick.
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('strategies file not reloaded');
    });

    it('applies the file again once it is fixed', async () => {
      replace(file, probabilisticFile({ checkout: 0.3 }));
      await waitFor(async () => (await rateOf('checkout')) === 0.3, 'checkout to be served 0.3');
      expect((await fetch(`${samplane.url}/healthz`)).status).toBe(200);
    });
  });

  describe('unusable at start-up', () => {
    // Each case is its own short-lived process; they run side by side to keep the suite quick.
    it.concurrent.each([
      ['broken JSON', '{"default_strategy": ', ['not valid JSON']],
      ['a rate outside 0..1', '{"default_strategy":{"type":"probabilistic","param":2}}', ['default_strategy.param: 2 is not a probability']],
      ['not an object', '[]', ['(root): expected an object']],
      ['missing', undefined, ['cannot read', 'ENOENT']],
    ])('%s: the process exits 1 and says why', async (name, text, reasons) => {
      const file = join(dir, `start-up ${name}.json`);
      if (text !== undefined) replace(file, text);
      const samplane = await SamplaneProcess.spawn({ STRATEGIES_FILE: file });
      expect(await samplane.exited()).toBe(1);
      for (const reason of [file, ...reasons]) expect(samplane.output).toContain(reason);
    });

    it.concurrent('a bad STRATEGIES_RELOAD_INTERVAL stops start-up with exit 2 and names the variable', async () => {
      const samplane = await SamplaneProcess.spawn({ STRATEGIES_RELOAD_INTERVAL: 'often' });
      expect(await samplane.exited()).toBe(2);
      expect(samplane.output).toContain('STRATEGIES_RELOAD_INTERVAL');
    });
  });
});
