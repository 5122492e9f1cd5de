import type { CountedOperation } from '../../../src/sampling/counted-operation';
import { type IntervalCounts, decodeFlushes, encodeFlush, toCounted } from '../../../src/store/throughput-counts';

const AWKWARD = ['plain', 'line\nbreak', '["json"]', 'tab\tand "quotes"', 'lone \ud800', '__proto__', 'ünïcødé 🚀'];

function record(service: string, operation: string, requests: number, extra: Partial<CountedOperation> = {}): CountedOperation {
  return { service, operation, sampled: 1, requests, errors: 0, probabilities: ['0.100000'], ...extra };
}

describe('flush text', () => {
  it('carries every record of a flush, whatever the names hold', () => {
    const records = AWKWARD.flatMap((service) => AWKWARD.map((operation, i) => record(service, operation, i + 0.5)));
    const counts: IntervalCounts = new Map();

    expect(decodeFlushes(encodeFlush(records), [counts])).toBe(0);

    expect(toCounted(counts)).toEqual(records);
  });

  it('sums appended flushes of several replicas, and unions their probabilities', () => {
    const first = encodeFlush([record('A', 'GET', 10, { exact: 10, errors: 2, outcomes: 4, probabilities: ['0.100000'] })]);
    const second = encodeFlush([record('A', 'GET', 5, { probabilities: ['0.200000'] }), record('B', 'PUT', 1)]);
    const counts: IntervalCounts = new Map();

    decodeFlushes(first + second, [counts]);

    expect(counts.get('A')?.get('GET')).toEqual({
      sampled: 2,
      requests: 15,
      exact: 10,
      errors: 2,
      // Outcomes seen: 4 from the first flush, all 5 requests of the second.
      outcomes: 9,
      probabilities: new Set(['0.100000', '0.200000']),
    });
    expect(counts.get('B')?.get('PUT')?.requests).toBe(1);
  });

  it('adds to every target given, and keeps to one service when asked', () => {
    const text = encodeFlush([record('A', 'GET', 3), record('B', 'GET', 4)]);
    const whole: IntervalCounts = new Map();
    const part: IntervalCounts = new Map();

    decodeFlushes(text, [whole, part], 'B');

    expect([...whole.keys()]).toEqual(['B']);
    expect(part.get('B')?.get('GET')?.requests).toBe(4);
  });

  it('skips lines it cannot read instead of failing the whole read', () => {
    const good = encodeFlush([record('A', 'GET', 3)]);
    const counts: IntervalCounts = new Map();

    const skipped = decodeFlushes(`{broken\n${good}[42]\n["A","x",1]\n`, [counts]);

    expect(skipped).toBe(2);
    expect(toCounted(counts)).toEqual([record('A', 'GET', 3)]);
  });
});
