import type { CountedOperation } from '../../sampling/counted-operation';
import { FlushLineScanner } from '../flush-line-scanner';
import { PackedCounts } from '../packed-counts';
import { decodeFlushes, decodePacked } from '../flush-decoding';
import { FlushBatch } from '../flush-batch';
import { JsonLineWriter } from '../json-line-writer';
import { type IntervalCounts, intervalLine, servicesOf, toCounted } from '../throughput-counts';
import { slotsBetween } from '../throughput-intervals';
import type { PackedReadOptions, ReadOptions, ThroughputStore } from '../throughput-store';

/**
 * The single-replica counterpart of the Redis throughput store, with the same slot rules and the
 * same flush text, so both attribute windows alike.
 */
export class MemoryThroughputStore implements ThroughputStore {
  private readonly slots = new Map<number, string>();
  private readonly watermarks = new Map<string, number>();
  /** Kept intervals' text by `from-to`. */
  private readonly kept = new Map<string, { from: number; to: number; text: string }>();
  private readonly scanner = new FlushLineScanner();

  constructor(
    readonly slotMs: number,
    private readonly retentionMs: number,
    private readonly maxWindowMs = 0,
    private readonly keptMs = retentionMs,
  ) {}

  flush(replica: string, drainedAt: number, counts: CountedOperation[] | FlushBatch): Promise<void> {
    const batch = counts instanceof FlushBatch ? counts : FlushBatch.of(counts);
    for (const line of batch.lines(drainedAt)) {
      const slot = Math.floor(line.startMs / this.slotMs) * this.slotMs;
      this.slots.set(slot, (this.slots.get(slot) ?? '') + line.bytes.toString('utf8'));
    }
    this.watermarks.set(replica, drainedAt);
    for (const key of this.slots.keys()) if (key < drainedAt - this.retentionMs) this.slots.delete(key);
    return Promise.resolve();
  }

  async readIntervals(bounds: number[], options: ReadOptions = {}): Promise<IntervalCounts[]> {
    const intervals: IntervalCounts[] = bounds.slice(1).map(() => new Map());
    const scanner = this.scannerFor(options.service);
    for (const slot of slotsBetween(bounds, this.slotMs, this.maxWindowMs)) {
      const text = this.slots.get(slot);
      if (text) decodeFlushes(text, bounds, intervals, options.service, scanner, options.recentFrom);
      if (options.slicer?.due()) await options.slicer.yield();
    }
    return intervals;
  }

  keepInterval(from: number, to: number, counts: IntervalCounts | PackedCounts): Promise<void> {
    // An interval without counts is not listed: a history ends there, as at one nobody kept.
    if (counts.size === 0) return Promise.resolve();
    const writer = new JsonLineWriter();
    const lines: Buffer[] = [];
    for (const service of servicesOf(counts)) {
      const line = intervalLine(counts, service, from, to, writer);
      if (line) lines.push(line);
    }
    const text = Buffer.concat(lines).toString('utf8');
    this.kept.set(`${from}-${to}`, { from, to, text });
    for (const [key, kept] of this.kept) if (kept.to < to - this.keptMs) this.kept.delete(key);
    return Promise.resolve();
  }

  keptIntervals(): Promise<Array<[number, number]>> {
    return Promise.resolve([...this.kept.values()].map(({ from, to }) => [from, to]));
  }

  async readKept(bounds: number[], options: ReadOptions = {}): Promise<IntervalCounts[]> {
    const intervals: IntervalCounts[] = bounds.slice(1).map(() => new Map());
    const scanner = this.scannerFor(options.service);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const text = this.kept.get(`${bounds[i]}-${bounds[i + 1]}`)?.text;
      if (text) decodeFlushes(text, bounds, intervals, options.service, scanner);
      if (options.slicer?.due()) await options.slicer.yield();
    }
    return intervals;
  }

  async readKeptInterval(from: number, to: number, options: PackedReadOptions = {}): Promise<PackedCounts> {
    const counts = new PackedCounts();
    const text = this.kept.get(`${from}-${to}`)?.text;
    if (text) decodePacked(text, from, to, counts, { service: options.service, scanner: this.scannerFor(options.service), lists: options.lists });
    return Promise.resolve(counts);
  }

  async readInterval(from: number, to: number, options: PackedReadOptions = {}): Promise<PackedCounts> {
    const counts = new PackedCounts();
    const scanner = this.scannerFor(options.service);
    for (const slot of slotsBetween([from, to], this.slotMs, this.maxWindowMs)) {
      const text = this.slots.get(slot);
      if (text) decodePacked(text, from, to, counts, { service: options.service, scanner, recentFrom: options.recentFrom, lists: options.lists });
      if (options.slicer?.due()) await options.slicer.yield();
    }
    return counts;
  }

  /** The fleet's names and lists repeat from one read to the next: a whole read reuses them. */
  private scannerFor(service: string | undefined): FlushLineScanner {
    if (service !== undefined) return new FlushLineScanner();
    this.scanner.beginRead();
    return this.scanner;
  }

  async read(fromMs: number, toMs: number, options?: ReadOptions): Promise<CountedOperation[]> {
    const [counts] = await this.readIntervals([fromMs, toMs], options);
    return toCounted(counts);
  }

  flushedThrough(aliveSince: number): Promise<number | undefined> {
    let lowest: number | undefined;
    for (const [replica, at] of this.watermarks) {
      if (at < aliveSince) {
        this.watermarks.delete(replica);
        continue;
      }
      lowest = lowest === undefined ? at : Math.min(lowest, at);
    }
    return Promise.resolve(lowest);
  }

  leave(replica: string): Promise<void> {
    this.watermarks.delete(replica);
    return Promise.resolve();
  }
}
