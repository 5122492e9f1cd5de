import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';
import { FlushBatch, HELD, HELD_WIDTH, HeldCounts } from '../../../src/store/flush-batch';
import { decodeFlushes } from '../../../src/store/flush-decoding';
import type { IntervalCounts } from '../../../src/store/throughput-counts';
import { seededRandom } from '../../support/statistics';

const AT = 1_767_225_600_000;
const BOUNDS = [AT - 120_000, AT - 5_000, AT - 1_000, AT + 1];

function decoded(text: string): IntervalCounts[] {
  const intervals: IntervalCounts[] = BOUNDS.slice(1).map(() => new Map());
  expect(decodeFlushes(text, BOUNDS, intervals)).toBe(0);
  return intervals;
}

describe('FlushBatch', () => {
  it("writes an accumulator's counts as its records say, whatever windows, probabilities and services were mixed", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const accumulator = new ThroughputAccumulator(50, 60_000);
      for (let i = 0; i < 300; i++) {
        const service = `svc-${Math.floor(random() * 6)}`;
        const operation = ['GET', 'PUT', 'line\nbreak', 'ünï "q"', '__proto__'][Math.floor(random() * 5)];
        const probability = random() < 0.2 ? undefined : (Math.floor(random() * 12) / 100).toFixed(6);
        const windowMs = random() < 0.3 ? 0 : [5_000, 10_000, 90_000][Math.floor(random() * 3)];
        const requests = Math.floor(random() * 1000) / 4;
        const exact = random() < 0.5 ? requests : 0;
        // Now and then a window said to end after the drain: it is taken as ending at the drain.
        const end = AT - Math.floor(random() * 800) + (random() < 0.05 ? 700 : 0);
        accumulator.add(service, operation, random() * 3, requests, Math.floor(random() * 3), probability, exact, requests / 2, windowMs, end);
      }
      const batch = accumulator.take();
      expect(accumulator.isEmpty).toBe(true);
      let text = '';
      for (const line of batch.lines(AT)) {
        // The start and service a store files the line under are the line's own.
        const [service, startMs, windowMs] = JSON.parse(line.bytes.toString()) as [string, number, number];
        expect([service, startMs]).toEqual([line.service, line.startMs]);
        expect(startMs + windowMs).toBeLessThanOrEqual(AT);
        text += line.bytes.toString();
      }

      // The format written one record per line, as documented (see `encodeFlush`).
      const records = batch.toRecords();
      const reference = records
        .map((r) => {
          const window = r.windowMs ?? 0;
          const start = Math.min(r.endMs ?? AT, AT) - window;
          return `${JSON.stringify([r.service, start, window, r.operation, r.sampled, r.requests, r.exact ?? 0, r.errors, r.outcomes ?? r.requests, r.probabilities])}\n`;
        })
        .join('');
      const [got, want] = [decoded(text), decoded(reference)];
      expect(got.map((c) => [...c.keys()].sort())).toEqual(want.map((c) => [...c.keys()].sort()));
      got.forEach((interval, i) => {
        for (const [service, operations] of interval) {
          const wanted = want[i].get(service)!;
          expect([...operations.keys()].sort()).toEqual([...wanted.keys()].sort());
          for (const [operation, counts] of operations) {
            const w = wanted.get(operation)!;
            for (const field of ['sampled', 'requests', 'exact', 'errors', 'outcomes'] as const) expect(counts[field]).toBeCloseTo(w[field], 9);
            expect([...counts.probabilities].sort()).toEqual([...w.probabilities].sort());
          }
        }
      });
    }
  });

  it("writes each line as the bytes of JSON.stringify's array, a line per service and window in the order the windows first appear", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const random = seededRandom(seed);
      const accumulator = new ThroughputAccumulator(50, 60_000);
      for (let i = 0; i < 400; i++) {
        const service = ['svc-a', 'svc "b"', 'sérvice-ç', 'emoji 🚀', 'lone \ud800'][Math.floor(random() * 5)];
        const operation = ['GET', 'line\nbreak', 'ünï "q"', '日本', '\udc00x', `op-${Math.floor(random() * 50)}`][Math.floor(random() * 6)];
        const probability = random() < 0.2 ? undefined : ['0.001000', '1', 'p "q"', '0.5'][Math.floor(random() * 4)];
        const windowMs = random() < 0.3 ? 0 : [5_000, 10_000][Math.floor(random() * 2)];
        const requests = random() < 0.5 ? Math.floor(random() * 1e6) : random() * 1e3;
        accumulator.add(service, operation, random() * 3, requests, Math.floor(random() * 3), probability, random() < 0.5 ? requests : 0, requests / 3, windowMs, AT - Math.floor(random() * 800));
      }
      const batch = accumulator.take();
      const expected: string[] = [];
      for (const held of batch.entries) {
        const end = held.endMs > 0 ? Math.min(held.endMs, AT) : AT;
        const byWindow = new Map<number, unknown[]>();
        for (let row = 0; row < held.size; row++) {
          const v = held.values.slice(row * HELD_WIDTH, (row + 1) * HELD_WIDTH);
          const window = v[HELD.windowMs];
          if (!byWindow.has(window)) byWindow.set(window, [held.service, end - window, window]);
          byWindow.get(window)!.push(held.names[row], v[HELD.sampled], v[HELD.requests], v[HELD.exact], v[HELD.errors], v[HELD.outcomes], held.listAt(row));
        }
        for (const line of byWindow.values()) expected.push(`${JSON.stringify(line)}\n`);
      }

      const lines = [...batch.lines(AT)];
      expect(lines.map((line) => line.bytes.toString())).toEqual(expected);
      expect(Buffer.concat(lines.map((line) => line.bytes)).equals(Buffer.from(expected.join(''), 'utf8'))).toBe(true);
      expect(lines.reduce((sum, line) => sum + line.operations, 0)).toBe(batch.size);
    }
  });

  it('keeps at most `max` distinct probabilities per operation, in the order seen', () => {
    const held = new HeldCounts('S');
    const row = held.append('GET');
    for (const p of ['0.1', '0.1', '0.2', '0.3', '0.2', '0.4']) held.addProbability(row, p, 3);
    expect(held.listAt(row)).toEqual(['0.1', '0.2', '0.3']);
    const single = held.append('PUT');
    held.addProbability(single, '0.5', 1);
    held.addProbability(single, '0.6', 1);
    expect(held.listAt(single)).toEqual(['0.5']);
    expect(held.listAt(held.append('POST'))).toEqual([]);
  });

  it('turns records back into the same records, a run of one service, window and end at a time', () => {
    const records = [
      { service: 'A', operation: 'GET', sampled: 1, requests: 10.5, errors: 0, probabilities: ['0.100000'], windowMs: 5_000, endMs: AT - 10 },
      { service: 'A', operation: 'PUT', sampled: 0, requests: 3, exact: 3, errors: 1, outcomes: 2, probabilities: [], windowMs: 5_000, endMs: AT - 10 },
      { service: 'A', operation: 'DELETE', sampled: 0, requests: 1, errors: 0, probabilities: [], windowMs: 5_000, endMs: AT - 500 },
      { service: 'A', operation: 'GET', sampled: 2, requests: 1, errors: 0, probabilities: ['0.200000'] },
      { service: 'B', operation: 'GET', sampled: 2, requests: 1, errors: 0, probabilities: ['0.100000', '0.300000'], windowMs: 10_000, endMs: AT - 20 },
    ];
    const batch = FlushBatch.of(records);
    expect(batch.entries.map((e) => [e.service, e.endMs, e.size])).toEqual([
      ['A', AT - 10, 2],
      ['A', AT - 500, 1],
      ['A', 0, 1],
      ['B', AT - 20, 1],
    ]);
    expect(batch.toRecords()).toEqual(records);
  });

  it('writes records each as given, interleaved or repeated, leaving their lists alone', () => {
    const lists = [['0.100000'], ['0.100000', '0.200000'], []];
    const records = [
      { service: 'A', operation: 'GET', sampled: 1, requests: 4, errors: 0, probabilities: lists[0], windowMs: 4_000, endMs: AT - 1_000 },
      { service: 'B', operation: 'GET', sampled: 1, requests: 2, errors: 0, probabilities: lists[1] },
      { service: 'A', operation: 'GET', sampled: 1, requests: Number.NaN, errors: 0, probabilities: lists[2], windowMs: 4_000, endMs: AT - 1_000 },
      { service: 'A', operation: 'GET', sampled: 1, requests: 8, errors: 0, probabilities: lists[0], windowMs: 4_000, endMs: AT - 1_000 },
    ];
    const batch = FlushBatch.of(records);
    const intervals = decoded([...batch.lines(AT)].map((line) => line.bytes.toString()).join(''));

    // A's 12 requests over [AT − 5 s, AT − 1 s) are that interval's (the NaN dropped alone), B's at the drain.
    expect(intervals[1].get('A')?.get('GET')?.requests).toBeCloseTo(12, 9);
    expect(intervals[0].get('A')).toBeUndefined();
    expect(intervals[2].get('B')?.get('GET')?.requests).toBe(2);
    expect(intervals[2].get('A')).toBeUndefined();
    expect(lists).toEqual([['0.100000'], ['0.100000', '0.200000'], []]);
    batch.entries[1].addProbability(0, '0.300000', 10);
    expect(lists[1]).toEqual(['0.100000', '0.200000']);
    expect(batch.entries[1].listAt(0)).toEqual(['0.100000', '0.200000', '0.300000']);
  });
});
