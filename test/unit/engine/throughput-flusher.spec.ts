import pino from 'pino';
import { loadConfig } from '../../../src/config/load-config';
import { ThroughputFlusher } from '../../../src/engine/throughput-flusher';
import { reportWindowLimitMs } from '../../../src/ingest/report-window';
import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';
import { MemoryThroughputStore } from '../../../src/store/memory/memory-throughput.store';
import { storeSizing } from '../../../src/store/store-sizing';
import { FlushNotWrittenError, type ThroughputStore } from '../../../src/store/throughput-store';
import { StoreUnavailableError } from '../../../src/store/store';
import { EngineMetrics } from '../../../src/telemetry/engine-metrics';
import { MetricsService } from '../../../src/telemetry/metrics.service';
import { ManualClock } from '../../support/manual-clock';

jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined, Optional: () => () => undefined }));

/** The memory store, whose next flush can be held mid-way, as a slow Redis would hold it. */
class HoldableStore extends MemoryThroughputStore {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
  }

  override async flush(...args: Parameters<MemoryThroughputStore['flush']>): Promise<void> {
    const gate = this.gate;
    this.gate = undefined;
    await gate;
    return super.flush(...args);
  }
}

/** A flusher on the memory store, its slots `slot` long, at a slot boundary. */
async function flusherWith(slot: string, env: Record<string, string> = {}) {
  const config = loadConfig({ INGEST_FLUSH_INTERVAL: slot, LOG_LEVEL: 'silent', ...env });
  const { slotMs, retentionMs, window, keptMs } = storeSizing(config);
  const store = new HoldableStore(slotMs, retentionMs, window, keptMs);
  const clock = new ManualClock(1_767_225_600_000);
  const accumulator = new ThroughputAccumulator(1_000, reportWindowLimitMs(config));
  const metricsService = new MetricsService();
  const flusher = new ThroughputFlusher(config, pino({ level: 'silent' }), store, clock, 'a', new EngineMetrics(metricsService), accumulator);
  /** A counter's value as a scrape shows it. */
  const metric = async (name: string) => (await metricsService.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
  const start = clock.now();
  // Started as Nest starts it: its first (empty) flush is done before the ports open.
  await flusher.onModuleInit();
  /** Requests of an instant (a span's), or of a report's window ending now. */
  const count = (requests: number, windowMs = 0) =>
    accumulator.add('shop', 'GET /cart', 0, requests, 0, undefined, requests, requests, windowMs, clock.now());
  /** Requests in the store, all slots of the test together. */
  const stored = async () => (await store.readIntervals([start - 10_000, start + 10_000]))[0].get('shop')?.get('GET /cart')?.requests ?? 0;
  /** Requests in each slot from `from`, `slots` of them. */
  const perSlot = async (from: number, slots: number) =>
    Promise.all(Array.from({ length: slots }, async (_, i) => (await store.readIntervals([from + i * slotMs, from + (i + 1) * slotMs]))[0].get('shop')?.get('GET /cart')?.requests ?? 0));
  return { clock, store, flusher, count, stored, perSlot, start, metric };
}

describe('ThroughputFlusher', () => {
  it('counts as dropped only what a failed flush lost: what the store kept for the next flush is not', async () => {
    const { clock, store, flusher, count, metric } = await flusherWith('1s');
    // Counts of a report's window, taken by the next flush (instants wait for a slot's last).
    const failing = jest.spyOn(store as ThroughputStore, 'flush');
    failing.mockRejectedValueOnce(new FlushNotWrittenError('redis: CLUSTERDOWN', 5, 0, new Error('CLUSTERDOWN')));
    count(5, 1_000);
    await clock.advance(1_000);
    expect(await metric('samplane_throughput_flush_failures_total')).toBe(1);
    expect(await metric('samplane_throughput_dropped_operations_total')).toBe(0);

    // A store that keeps nothing loses the whole flush; a written one may drop what was kept too long.
    failing.mockRejectedValueOnce(new StoreUnavailableError('redis: gone'));
    count(5, 1_000);
    await clock.advance(1_000);
    expect(await metric('samplane_throughput_dropped_operations_total')).toBe(1);
    failing.mockResolvedValueOnce({ dropped: 3 });
    count(5, 1_000);
    await clock.advance(1_000);
    expect(await metric('samplane_throughput_flush_failures_total')).toBe(2);
    expect(await metric('samplane_throughput_dropped_operations_total')).toBe(4);
    await flusher.beforeApplicationShutdown();
  });

  it('counts as dropped what the last flush at shutdown could only keep: no flush follows it', async () => {
    const { store, flusher, count, metric } = await flusherWith('1s');
    const failing = jest.spyOn(store as ThroughputStore, 'flush');
    failing.mockRejectedValueOnce(new FlushNotWrittenError('redis: CLUSTERDOWN', 4, 1, new Error('CLUSTERDOWN')));
    const leave = jest.spyOn(store as ThroughputStore, 'leave');
    count(5, 1_000);

    await flusher.beforeApplicationShutdown();

    expect(await metric('samplane_throughput_dropped_operations_total')).toBe(4 + 1);
    // Its writes may still land: the watermark is left to expire rather than removed.
    expect(leave).not.toHaveBeenCalled();
  });

  it("flushes reports' counts every 250 ms within a 1 s slot", async () => {
    const { clock, store, count, stored, start } = await flusherWith('1s');

    count(5, 5_000);
    await clock.advance(250);
    // In the store a quarter of the slot later, and the watermark says so.
    expect(await stored()).toBe(5);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 250);

    count(7, 5_000);
    await clock.advance(250);
    expect(await stored()).toBe(12);
  });

  it('keeps counts of instants (spans) for the last flush of their slot, so each operation is written once a slot', async () => {
    const { clock, store, count, stored, start } = await flusherWith('1s');

    count(1);
    await clock.advance(250);
    count(2);
    await clock.advance(250);
    // A flush went by (the watermark moved) without them: they are held, not lost.
    await expect(store.flushedThrough(start)).resolves.toBe(start + 500);
    expect(await stored()).toBe(1);
    await clock.advance(250);

    // The slot's last flush takes them, into the slot they were seen in.
    expect(await stored()).toBe(3);
    expect((await store.readIntervals([start, start + 1_000]))[0].get('shop')?.get('GET /cart')?.requests).toBe(3);
  });

  it('flushes everything on shutdown, the instants held included', async () => {
    const { clock, flusher, count, stored } = await flusherWith('1s');
    count(1);
    await clock.advance(250);
    count(2);
    count(4, 5_000);

    await flusher.beforeApplicationShutdown();

    expect(await stored()).toBe(7);
  });

  it('is waited for from its start, and no longer once it has shut down', async () => {
    const { store, flusher, start } = await flusherWith('1s');
    // Flushed through its start before any count came in: a report it holds is waited for.
    await expect(store.flushedThrough(start)).resolves.toBe(start);

    await flusher.beforeApplicationShutdown();

    await expect(store.flushedThrough(start)).resolves.toBeUndefined();
  });

  it('flushes once more on shutdown when a flush was under way, for what came in meanwhile', async () => {
    const { clock, store, flusher, count, stored } = await flusherWith('1s');
    count(1, 5_000);
    store.hold();
    await clock.advance(250);
    // That flush drained the first count and waits on the store; this one arrives after.
    count(2, 5_000);

    const shutdown = flusher.beforeApplicationShutdown();
    store.release();
    await shutdown;

    expect(await stored()).toBe(3);
  });

  it.each([
    ['1s', 1_000],
    ['300ms', 300],
  ])('gives every %s slot its instants: none goes without while the next holds two', async (slot, slotMs) => {
    const { clock, count, perSlot, start } = await flusherWith(slot);
    // One request every 50 ms: 20 a second, in every slot alike.
    for (let t = 0; t < 12 * slotMs; t += 50) {
      count(1);
      await clock.advance(50);
    }

    // The first instants were drained at the first flush, so the next slot holds part of a
    // slot's worth; from then on, one slot's each.
    const slots = await perSlot(start + 2 * slotMs, 9);
    for (const requests of slots) expect(requests).toBe(slotMs / 50);
  });

  it('gives every slot one report of an SDK reporting once a slot, its reports arriving just before or just after a flush', async () => {
    // ADAPTIVE_DELAY 1 s leaves room to spread a report half a second back.
    const { clock, count, perSlot, start } = await flusherWith('1s', { ADAPTIVE_DELAY: '1s' });
    for (let k = 1; k <= 12; k++) {
      // Each report is a second's 1,000 requests, sent on either side of the flush at the slot's end.
      await clock.advance(start + k * 1_000 + (k % 2 === 0 ? -3 : 3) - clock.now());
      count(1_000, 1_000);
    }
    await clock.advance(1_000);

    // Spread back from where they ended, not from the flush that took them (which put half of
    // each late report in the next slot: 1,500 and 500 in turn; as instants, 2,000 and none).
    for (const requests of await perSlot(start + 2_000, 9)) expect(Math.abs(requests - 1_000)).toBeLessThanOrEqual(10);
  });

  it('flushes everything once a slot when slots are shorter than 250 ms', async () => {
    const { clock, store, count, stored, start } = await flusherWith('100ms');

    count(3);
    await clock.advance(100);
    expect(await stored()).toBe(3);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 100);
    count(4);
    await clock.advance(99);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 100);
    await clock.advance(1);
    expect(await stored()).toBe(7);
  });
});
