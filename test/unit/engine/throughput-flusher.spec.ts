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
  const accumulator = new ThroughputAccumulator(1_000);
  const flusher = new ThroughputFlusher(config, pino({ level: 'silent' }), store, clock, 'a', new EngineMetrics(new MetricsService()), accumulator);
  flusher.onModuleInit();
  const count = (requests: number) => accumulator.add('shop', 'GET /cart', 0, requests, 0, undefined);
  const stored = async (from: number, to: number) => (await store.readIntervals([from, to]))[0].get('shop')?.get('GET /cart')?.requests ?? 0;
  return { clock, store, count, stored, slotMs };
}

describe('ThroughputFlusher', () => {
  it('flushes every 250 ms within a 1 s slot, into that slot', async () => {
    const { clock, store, count, stored } = flusherWith('1s');
    const start = clock.now();

    count(5);
    await clock.advance(250);
    // In the store a quarter of the slot later, and the watermark says so.
    expect(await stored(start, start + 1_000)).toBe(5);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 250);

    count(7);
    await clock.advance(500);
    // A second flush in the same slot appends to it.
    expect(await stored(start, start + 1_000)).toBe(12);
    count(1);
    await clock.advance(250);
    expect(await stored(start, start + 1_000)).toBe(12);
    expect(await stored(start + 1_000, start + 2_000)).toBe(1);
  });

  it('flushes once a slot when slots are shorter than 250 ms', async () => {
    const { clock, store, count, stored } = flusherWith('100ms');
    const start = clock.now();

    count(3);
    await clock.advance(100);
    // Counts without a report window are kept in the slot they were drained in.
    expect(await stored(start + 100, start + 200)).toBe(3);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 100);
    await clock.advance(99);
    await expect(store.flushedThrough(start)).resolves.toBe(start + 100);
  });
});
