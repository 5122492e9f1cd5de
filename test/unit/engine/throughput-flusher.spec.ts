import pino from 'pino';
import { loadConfig } from '../../../src/config/load-config';
import { ThroughputFlusher } from '../../../src/engine/throughput-flusher';
import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';
import { MemoryThroughputStore } from '../../../src/store/memory/memory-throughput.store';
import { storeSizing } from '../../../src/store/store-sizing';
import { EngineMetrics } from '../../../src/telemetry/engine-metrics';
import { MetricsService } from '../../../src/telemetry/metrics.service';
import { ManualClock } from '../../support/manual-clock';

jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined, Optional: () => () => undefined }));

/** A flusher on the memory store, its slots `slot` long, at a slot boundary. */
function flusherWith(slot: string) {
  const config = loadConfig({ INGEST_FLUSH_INTERVAL: slot, LOG_LEVEL: 'silent' });
  const { slotMs, retentionMs, window, keptMs } = storeSizing(config);
  const store = new MemoryThroughputStore(slotMs, retentionMs, window, keptMs);
  const clock = new ManualClock(1_767_225_600_000);
  const accumulator = new ThroughputAccumulator(1_000, 8_000);
  const flusher = new ThroughputFlusher(config, pino({ level: 'silent' }), store, clock, 'a', new EngineMetrics(new MetricsService()), accumulator);
  flusher.onModuleInit();
  const start = clock.now();
  /** Requests of an instant (a span's), or of a report's window ending now. */
  const count = (requests: number, windowMs = 0) => accumulator.add('shop', 'GET /cart', 0, requests, 0, undefined, requests, requests, windowMs);
  /** Requests in the store, all slots of the test together. */
  const stored = async () => (await store.readIntervals([start - 10_000, start + 10_000]))[0].get('shop')?.get('GET /cart')?.requests ?? 0;
  return { clock, store, flusher, count, stored, start };
}

describe('ThroughputFlusher', () => {
  it("flushes reports' counts every 250 ms within a 1 s slot", async () => {
    const { clock, store, count, stored, start } = flusherWith('1s');

    count(5, 5_000);
    await clock.advance(250);
    // In the store a quarter of the slot later, and the watermark says so.
    expect(await stored()).toBe(5);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 250);

    count(7, 5_000);
    await clock.advance(250);
    expect(await stored()).toBe(12);
  });

  it('keeps counts of instants (spans) for the slot, so each operation is written once a slot', async () => {
    const { clock, store, count, stored, start } = flusherWith('1s');

    count(1);
    await clock.advance(250);
    count(2);
    await clock.advance(500);
    count(3);
    // Flushes went by (the watermark moved) without them: they are held, not lost.
    await expect(store.flushedThrough(start)).resolves.toBe(start + 750);
    expect(await stored()).toBe(1);
    await clock.advance(500);

    // The first instants went with the first flush; the rest waited for the slot to pass.
    expect(await stored()).toBe(6);
  });

  it('flushes everything on shutdown, the instants held included', async () => {
    const { clock, flusher, count, stored } = flusherWith('1s');
    count(1);
    await clock.advance(250);
    count(2);
    count(4, 5_000);

    await flusher.beforeApplicationShutdown();

    expect(await stored()).toBe(7);
  });

  it('flushes everything once a slot when slots are shorter than 250 ms', async () => {
    const { clock, store, count, stored, start } = flusherWith('100ms');

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
