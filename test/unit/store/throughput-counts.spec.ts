import type { CountedOperation } from '../../../src/sampling/counted-operation';
import { NO_PROBABILITIES, lowestProbability } from '../../../src/sampling/throughput';
import { COUNT, COUNT_WIDTH, PackedCounts } from '../../../src/store/packed-counts';
import { decodeFlushes, decodePacked } from '../../../src/store/flush-decoding';
import { FlushLineScanner } from '../../../src/store/flush-line-scanner';
import { encodeFlush } from '../../../src/store/flush-batch';
import { FlushBlockNames, blockHead } from '../../../src/store/flush-blocks';
import { type IntervalCounts, addFields, intervalLine, toCounted } from '../../../src/store/throughput-counts';

const AWKWARD = ['plain', 'line\nbreak', '["json"]', 'tab\tand "quotes"', 'lone \ud800', '__proto__', 'ünïcødé 🚀'];
const AT = 1_767_225_600_000;
/** One interval holding the flush instant. */
const AROUND = [AT - 60_000, AT + 60_000];

function record(service: string, operation: string, requests: number, extra: Partial<CountedOperation> = {}): CountedOperation {
  return { service, operation, sampled: 1, requests, errors: 0, probabilities: ['0.100000'], ...extra };
}

function decode(text: string, bounds = AROUND, service?: string): { intervals: IntervalCounts[]; skipped: number } {
  const intervals: IntervalCounts[] = bounds.slice(1).map(() => new Map());
  const skipped = decodeFlushes(text, bounds, intervals, service);
  return { intervals, skipped };
}

describe('flush text', () => {
  it('carries every record of a flush, whatever the names hold', () => {
    const records = AWKWARD.flatMap((service) => AWKWARD.map((operation, i) => record(service, operation, i + 0.5)));

    const { intervals, skipped } = decode(encodeFlush(records, AT));

    expect(skipped).toBe(0);
    expect(toCounted(intervals[0])).toEqual(records);
  });

  it('keeps each record with its own service and window when they interleave', () => {
    const records = [
      record('A', 'GET', 1, { windowMs: 5_000 }),
      record('A', 'PUT', 2),
      record('B', 'GET', 3, { windowMs: 5_000 }),
      record('A', 'POST', 4, { windowMs: 5_000 }),
      record('B', 'PUT', 5, { windowMs: 5_000 }),
    ];

    // Each window's counts fall one side of AT: seen at the flush, or spread over the 5 s before it.
    const [spread, instant] = decode(encodeFlush(records, AT), [AT - 5_000, AT, AT + 1_000]).intervals;

    const requests = (counts: IntervalCounts, service: string, operation: string) => counts.get(service)?.get(operation)?.requests;
    expect([requests(spread, 'A', 'GET'), requests(spread, 'A', 'POST'), requests(spread, 'B', 'GET'), requests(spread, 'B', 'PUT')]).toEqual([1, 4, 3, 5]);
    expect(requests(spread, 'A', 'PUT')).toBeUndefined();
    expect(requests(instant, 'A', 'PUT')).toBe(2);
    expect(instant.get('B')).toBeUndefined();
  });

  it("spreads a window back from where it ended, before the flush, never after it", () => {
    const records = [
      record('A', 'GET', 10, { windowMs: 1_000, endMs: AT - 400 }),
      record('A', 'PUT', 20, { windowMs: 1_000, endMs: AT - 100 }),
      // An end after the flush (another clock's) is taken as the flush.
      record('B', 'GET', 30, { windowMs: 1_000, endMs: AT + 5_000 }),
    ];

    const [early, late, after] = decode(encodeFlush(records, AT), [AT - 2_000, AT - 1_200, AT, AT + 10_000]).intervals;

    // GET's second ended 400 ms before the flush: 20 % of it before AT − 1.2 s; PUT's, none.
    expect(early.get('A')?.get('GET')?.requests).toBeCloseTo(2);
    expect(late.get('A')?.get('GET')?.requests).toBeCloseTo(8);
    expect(late.get('A')?.get('PUT')?.requests).toBeCloseTo(20);
    expect(late.get('B')?.get('GET')?.requests).toBeCloseTo(30);
    expect(after.size).toBe(0);
  });

  it('sums appended flushes of several replicas, and unions their probabilities', () => {
    const first = encodeFlush([record('A', 'GET', 10, { exact: 10, errors: 2, outcomes: 4, probabilities: ['0.100000'] })], AT);
    const second = encodeFlush([record('A', 'GET', 5, { probabilities: ['0.200000'] }), record('B', 'PUT', 1)], AT + 1);

    const [counts] = decode(first + second).intervals;

    expect(counts.get('A')?.get('GET')).toEqual({
      sampled: 2,
      requests: 15,
      exact: 10,
      errors: 2,
      // Outcomes seen: 4 from the first flush, all 5 requests of the second.
      outcomes: 9,
      probabilities: ['0.100000', '0.200000'],
      // What a calculator counts, set only once the counts become its bucket (a zero held as a
      // double, -0, so that setting it does not change the object's layout).
      count: -0,
      // No recent part was asked for.
      recent: 0,
    });
    expect(counts.get('B')?.get('PUT')?.requests).toBe(1);
  });

  it('keeps to one service when asked', () => {
    const text = encodeFlush([record('A', 'GET', 3), record('B', 'GET', 4)], AT);

    const [counts] = decode(text, AROUND, 'B').intervals;

    expect([...counts.keys()]).toEqual(['B']);
    expect(counts.get('B')?.get('GET')?.requests).toBe(4);
  });

  it('puts counts seen at one instant in the interval holding it', () => {
    const text = encodeFlush([record('A', 'GET', 3)], AT);

    const { intervals } = decode(text, [AT - 1000, AT, AT + 1000]);

    expect(intervals[0].size).toBe(0);
    expect(intervals[1].get('A')?.get('GET')?.requests).toBe(3);
  });

  it('spreads a report window over the intervals it covers, in proportion', () => {
    // 5 s of counts flushed at AT: 2 s of them fall before AT − 3 s, 3 s after.
    const text = encodeFlush([record('A', 'GET', 500, { sampled: 5, exact: 500, errors: 50, windowMs: 5000 })], AT);

    const { intervals } = decode(text, [AT - 10_000, AT - 3000, AT + 1000]);

    expect(intervals[0].get('A')?.get('GET')).toMatchObject({ requests: 200, sampled: 2, exact: 200, errors: 20, outcomes: 200 });
    expect(intervals[1].get('A')?.get('GET')).toMatchObject({ requests: 300, sampled: 3, exact: 300, errors: 30, outcomes: 300 });
  });

  it('counts the last interval’s recent part apart, in the same read', () => {
    // 500 requests over the 5 s before AT (100/s), 10 at AT − 4 s, 7 at AT; the recent part is
    // the last interval's [AT − 1 s, AT + 1 s).
    const spread = encodeFlush([record('A', 'GET', 500, { windowMs: 5000 })], AT);
    const early = encodeFlush([record('A', 'GET', 10)], AT - 4000);
    const late = encodeFlush([record('A', 'GET', 7)], AT);
    // The same instant as a line only JSON.parse reads (spaces), the other way in.
    const parsedOnly = `["A", ${AT}, 0, "PUT", 1, 4, 0, 0, 4, ["0.100000"]]\n`;
    const bounds = [AT - 10_000, AT - 3000, AT + 1000];
    const intervals: IntervalCounts[] = [new Map(), new Map()];

    decodeFlushes(spread + early + late + parsedOnly, bounds, intervals, undefined, undefined, AT - 1000);

    expect(intervals[0].get('A')?.get('GET')).toMatchObject({ requests: 210, recent: 0 });
    expect(intervals[1].get('A')?.get('GET')?.requests).toBeCloseTo(307, 9);
    expect(intervals[1].get('A')?.get('GET')?.recent).toBeCloseTo(107, 9);
    expect(intervals[1].get('A')?.get('PUT')).toMatchObject({ requests: 4, recent: 4 });
    // Without a recent part asked for, none is counted.
    const plain = decode(spread + late, bounds).intervals;
    expect(plain[1].get('A')?.get('GET')?.recent).toBe(0);
  });

  it('counts only the part of a window inside the intervals read', () => {
    const text = encodeFlush([record('A', 'GET', 100, { windowMs: 10_000 })], AT);

    const { intervals } = decode(text, [AT - 2500, AT]);

    expect(intervals[0].get('A')?.get('GET')?.requests).toBeCloseTo(25, 9);
  });

  it('reads a flush block written twice to a value once, and every other line', () => {
    const names = new FlushBlockNames();
    const [first, second] = [names.name(), names.name()];
    const a = encodeFlush([record('A', 'GET', 3)], AT);
    const b = encodeFlush([record('A', 'GET', 5), record('B', 'PUT', 7)], AT);
    const blockA = blockHead(first, 1) + a;
    const blockB = blockHead(second, 2) + b;
    // Text written without blocks (a version before them) is read wherever it falls.
    const unnamed = (requests: number) => encodeFlush([record('C', 'GET', requests)], AT);
    // A flush whose reply never came, written again with the next flush's own block.
    const value = unnamed(11) + blockA + blockB + unnamed(13) + blockA + unnamed(17) + blockB;
    // A head without a name ends a repeated block's skip: what follows is read.
    const unnamedHead = '[0,x]\n' + unnamed(19);
    const once = [record('C', 'GET', 41, { sampled: 3 }), record('A', 'GET', 8, { sampled: 2 }), record('B', 'PUT', 7)];

    const { intervals, skipped } = decode(value);
    const packed = new PackedCounts();
    decodePacked(value, AROUND[0], AROUND[1], packed);

    expect(skipped).toBe(0);
    expect(toCounted(intervals[0])).toEqual(once);
    expect(packed.services.get('A')!.values[COUNT.requests]).toBe(8);
    expect(packed.services.get('C')!.values[COUNT.requests]).toBe(41);
    expect(first).not.toBe(second);
    expect(new FlushBlockNames().name()).not.toBe(first);
    expect(toCounted(decode(blockB + blockB.split('\n')[0] + '\n' + unnamedHead).intervals[0])).toEqual([
      record('A', 'GET', 5),
      record('B', 'PUT', 7),
      record('C', 'GET', 19),
    ]);
  });

  it('skips lines it cannot read instead of failing the whole read', () => {
    const good = encodeFlush([record('A', 'GET', 3)], AT);

    const { intervals, skipped } = decode(`{broken\n${good}[42]\n["A",1,0,"x",1]\n`);

    expect(skipped).toBe(3);
    expect(toCounted(intervals[0])).toEqual([record('A', 'GET', 3)]);
  });
});

describe('kept text read packed', () => {
  const FROM = AT;
  const TO = AT + 10_000;

  /** The packed counts back as objects, summed as `decodeFlushes` sums them. */
  function packedObjects(text: string, options: { service?: string; recentFrom?: number } = {}): { objects: IntervalCounts; skipped: number } {
    const counts = new PackedCounts();
    const skipped = decodePacked(text, FROM, TO, counts, options);
    const objects: IntervalCounts = new Map();
    for (const [name, { ops, values, lists }] of counts.services) {
      ops.forEach((op, row) => {
        const [sampled, requests, exact, errors, outcomes, recent] = values.subarray(row * COUNT_WIDTH, (row + 1) * COUNT_WIDTH);
        addFields(objects, name, op, sampled, requests, exact, errors, outcomes, lists[row], recent);
      });
    }
    return { objects, skipped };
  }

  function packedRecords(text: string, service?: string): { records: CountedOperation[]; skipped: number } {
    const { objects, skipped } = packedObjects(text, { service });
    return { records: toCounted(objects), skipped };
  }

  it('sums what decodeFlushes sums: repeated services and names, other forms, windows reaching outside', () => {
    const line = (service: string, startMs: number, windowMs: number, ...ops: unknown[]) => `${JSON.stringify([service, startMs, windowMs, ...ops])}\n`;
    const text =
      line('A', FROM, 10_000, 'GET', 1, 10, 5, 1, 10, ['0.1'], 'PUT', 2, 20, 0, 0, 20, ['0.2']) +
      // The same service again, and a name twice in one line.
      line('A', FROM, 10_000, 'GET', 1, 10, 5, 1, 10, ['0.3'], 'DEL', 1, 1, 1, 0, 1, [], 'DEL', 1, 1, 1, 0, 1, []) +
      // Escaped names and an exponent take JSON.parse; half of this window lies before the interval.
      line('B "quoted"', FROM - 5_000, 10_000, 'op\n1', 4, 1e2, 0, 0, 100, ['0.5'], 'op2', 1, 2, 0, 0, 2, ['0.5']) +
      // A new service whose first line repeats a name, and one without operations.
      line('F', FROM, 10_000, 'X', 1, 1, 1, 0, 1, [], 'X', 2, 2, 0, 0, 2, ['0.5']) +
      line('E', FROM, 10_000) +
      // Outside the interval, a malformed operation, and a line that is no line at all.
      line('C', TO, 10_000, 'GET', 1, 1, 1, 1, 1, []) +
      line('D', FROM, 10_000, 7, 1, 1, 1, 1, 1, []) +
      '{"not": "a line"}\n';
    const intervals: IntervalCounts[] = [new Map()];

    const skipped = decodeFlushes(text, [FROM, TO], intervals);
    const packed = packedRecords(text);

    expect(packed.records).toEqual(toCounted(intervals[0]));
    expect(packed.records.find((r) => r.service === 'A' && r.operation === 'GET')).toMatchObject({ requests: 20, probabilities: ['0.1', '0.3'] });
    expect(packed.records.find((r) => r.service === 'B "quoted"' && r.operation === 'op\n1')).toMatchObject({ requests: 50 });
    expect(packed.records.filter((r) => r.service === 'F')).toMatchObject([{ operation: 'X', requests: 3, probabilities: ['0.5'] }]);
    const counts = new PackedCounts();
    decodePacked(text, FROM, TO, counts);
    expect(counts.services.has('E')).toBe(false);
    expect(packed.skipped).toBe(skipped);
    expect(packedRecords(text, 'A').records).toEqual(toCounted(intervals[0]).filter((r) => r.service === 'A'));
  });

  it('sums a service whose lines list its operations in other orders, shorter, longer or with repeats, as decodeFlushes does', () => {
    const line = (startMs: number, ...ops: unknown[]) => `${JSON.stringify(['A', startMs, 0, ...ops])}\n`;
    const op = (name: string, requests: number, list: string[] = []) => [name, 1, requests, 0, 0, requests, list];
    const text =
      line(FROM, ...op('a', 1, ['0.1']), ...op('b', 2), ...op('c', 3)) +
      line(FROM + 1_000, ...op('a', 10), ...op('b', 20, ['0.2']), ...op('c', 30)) +
      // Not in a flush's exact form (spaces): JSON.parse reads it, and its new name takes a row.
      `["A", ${FROM + 1_500}, 0, "e", 1, 7, 0, 0, 7, ["0.5"]]\n` +
      line(FROM + 2_000, ...op('c', 100), ...op('a', 200, ['0.3']), ...op('b', 300)) +
      line(FROM + 3_000, ...op('a', 1_000), ...op('d', 2_000), ...op('b', 3_000), ...op('c', 4_000)) +
      line(FROM + 4_000, ...op('a', 5), ...op('b', 6), ...op('c', 7), ...op('d', 8), ...op('a', 9, ['0.4'])) +
      line(FROM + 5_000, ...op('b', 50_000));
    const intervals: IntervalCounts[] = [new Map()];
    decodeFlushes(text, [FROM, TO], intervals);

    const { records } = packedRecords(text);

    expect(records).toEqual(toCounted(intervals[0]));
    expect(records.map((r) => [r.operation, r.requests, r.probabilities])).toEqual([
      ['a', 1 + 10 + 200 + 1_000 + 5 + 9, ['0.1', '0.3', '0.4']],
      ['b', 2 + 20 + 300 + 3_000 + 6 + 50_000, ['0.2']],
      ['c', 3 + 30 + 100 + 4_000 + 7, []],
      ['e', 7, ['0.5']],
      ['d', 2_000 + 8, []],
    ]);
  });

  it('reads each list as its lowest probability alone when asked: the same numbers, no list made or remembered', () => {
    const line = (service: string, ...ops: unknown[]) => `${JSON.stringify([service, FROM, 0, ...ops])}\n`;
    const text =
      line('A', 'GET', 1, 10, 5, 1, 10, ['0.1', '0.3'], 'PUT', 2, 20, 0, 0, 20, ['0.25', '0.002500'], 'DEL', 1, 1, 1, 0, 1, []) +
      // Texts only Number reads (an exponent, blanks, a sign, words), and the same names again.
      line('A', 'GET', 1, 10, 5, 1, 10, ['1e-3', ' 0.2'], 'PUT', 1, 1, 0, 0, 1, ['-0.5', '0', 'abc'], 'DEL', 1, 1, 1, 0, 1, ['0.75']) +
      // An escaped name takes JSON.parse, whose lists count alike.
      line('B', 'op\n1', 4, 100, 0, 0, 100, ['0.5', '0.05'], 'op2', 1, 2, 0, 0, 2, ['0.4']);
    const scanner = new FlushLineScanner();
    const read = (lists: boolean) => {
      const counts = new PackedCounts();
      scanner.beginRead();
      decodePacked(text, FROM, TO, counts, { scanner, lists });
      return counts;
    };

    const withLists = read(true);
    // Twice without, as a calculation reads, then with again: what a read remembers does not leak into the next.
    for (const withoutLists of [read(false), read(false)]) {
      for (const [service, { ops, values, lists }] of withLists.services) {
        const without = withoutLists.services.get(service);
        expect(without?.ops).toEqual(ops);
        expect(without?.values).toEqual(values);
        expect(without?.lists.every((list) => list === NO_PROBABILITIES)).toBe(true);
        ops.forEach((_, row) => expect(values[row * COUNT_WIDTH + COUNT.lowest]).toBe(lowestProbability(lists[row])));
      }
    }
    const lowest = (counts: PackedCounts, service: string) => [...(counts.services.get(service)?.values ?? [])].filter((_, i) => i % COUNT_WIDTH === COUNT.lowest);
    expect(lowest(withLists, 'A')).toEqual([0.001, 0.0025, 0.75]);
    expect(lowest(withLists, 'B')).toEqual([0.05, 0.4]);
    const again = read(true).services.get('A')?.lists;
    expect(again).toEqual([['0.1', '0.3', '1e-3', ' 0.2'], ['0.25', '0.002500', '-0.5', '0', 'abc'], ['0.75']]);
    // Made anew: the reads without lists let the first read's go.
    expect(again?.[2]).not.toBe(withLists.services.get('A')?.lists[2]);
  });

  it("writes a kept interval's line as the bytes of JSON.stringify's array, counts to a millionth, in either form", () => {
    const FROM_ = AT - 10_000;
    const objects: IntervalCounts = new Map();
    const counts = [1 / 3, 2.0000004, 1e-7, 123456.7654321, 0];
    AWKWARD.forEach((service, i) =>
      AWKWARD.forEach((operation, k) => addFields(objects, service, operation, counts[i % 5], 10 * (k + 1) + counts[k % 5], counts[(i + k) % 5], k % 2, 7 + i, k % 3 ? [AWKWARD[k], '0.25'] : [])),
    );
    const millionths = (value: number) => Math.round(value * 1e6) / 1e6;
    const expected = (service: string) => {
      const line: unknown[] = [service, FROM_, AT - FROM_];
      for (const [operation, c] of objects.get(service)!) line.push(operation, ...[c.sampled, c.requests, c.exact, c.errors, c.outcomes].map(millionths), c.probabilities);
      return `${JSON.stringify(line)}\n`;
    };
    const packed = new PackedCounts();
    decodePacked(AWKWARD.map((service) => expected(service)).join(''), FROM_, AT, packed, { lists: true });

    for (const service of AWKWARD) {
      expect(intervalLine(objects, service, FROM_, AT)!.equals(Buffer.from(expected(service), 'utf8'))).toBe(true);
      // Read back over the same interval, the packed form writes the same line again.
      expect(intervalLine(packed, service, FROM_, AT)!.toString()).toBe(expected(service));
    }
    expect(intervalLine(objects, 'absent', FROM_, AT)).toBeUndefined();
  });

  it('leaves out of a list what is not a string, and keeps the line that carried it', () => {
    const text = `${JSON.stringify(['A', FROM, 0, 'GET', 1, 10, 5, 1, 10, [0.5, '0.25', null, { p: 1 }]])}\n`;
    const objects = decode(text, [FROM, TO]).intervals[0];
    const packed = new PackedCounts();
    decodePacked(text, FROM, TO, packed, { lists: true });

    expect([...(objects.get('A')?.get('GET')?.probabilities ?? [])]).toEqual(['0.25']);
    for (const counts of [objects, packed]) {
      expect(JSON.parse(intervalLine(counts, 'A', FROM, TO)!.toString())).toEqual(['A', FROM, TO - FROM, 'GET', 1, 10, 5, 1, 10, ['0.25']]);
    }
  });

  it('keeps, as the list of counts read without lists, their lowest probability', () => {
    const text = `${JSON.stringify(['A', FROM, 0, 'GET', 1, 10, 5, 1, 10, ['0.3', '0.125'], 'PUT', 1, 1, 0, 0, 1, []])}\n`;
    const counts = new PackedCounts();
    decodePacked(text, FROM, TO, counts, { lists: false });

    const kept = intervalLine(counts, 'A', FROM, TO);

    expect(JSON.parse(kept!.toString())).toEqual(['A', FROM, TO - FROM, 'GET', 1, 10, 5, 1, 10, ['0.125'], 'PUT', 1, 1, 0, 0, 1, []]);
  });

  it('counts the recent part apart as decodeFlushes does, flushes of several replicas summed', () => {
    const records = [record('A', 'GET', 100, { windowMs: 5_000 }), record('A', 'PUT', 10), record('B', 'GET', 3, { windowMs: 2_000 })];
    const text = encodeFlush(records, FROM + 4_000) + encodeFlush(records, FROM + 9_000) + encodeFlush(records, FROM + 12_000);
    const recentFrom = FROM + 7_000;
    const intervals: IntervalCounts[] = [new Map()];
    decodeFlushes(text, [FROM, TO], intervals, undefined, undefined, recentFrom);

    const { objects } = packedObjects(text, { recentFrom });

    expect(objects).toEqual(intervals[0]);
    expect(objects.get('A')?.get('GET')?.recent).toBeGreaterThan(0);
  });
});
