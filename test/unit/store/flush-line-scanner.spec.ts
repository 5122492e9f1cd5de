import type { CountedOperation } from '../../../src/sampling/counted-operation';
import { NO_PROBABILITIES, lowestProbability } from '../../../src/sampling/throughput';
import { FlushLineScanner } from '../../../src/store/flush-line-scanner';
import { decodeFlushes } from '../../../src/store/flush-decoding';
import { encodeFlush } from '../../../src/store/flush-batch';
import type { IntervalCounts } from '../../../src/store/throughput-counts';

const AT = 1_767_225_600_000;
const BOUNDS = [AT - 20_000, AT - 4000, AT + 5000];
const NAMES = ['GET /a', 'POST /b', 'line\nbreak', 'tab\tand "quotes"', 'back\\slash', 'lone \ud800', 'ünïcødé 🚀', '__proto__', '', 'DEL\u007f'];
const NUMBERS = [0, 1, 7, 123456, 0.5, 1e-7, 2.5e21, 1e300, -3, 12345678901234568, 0.1 + 0.2, 1240.25, 0.001, -0.75, 99999.99999, 1234567890.12345];

/** Deterministic pseudo-random numbers, so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function pick<T>(next: () => number, from: readonly T[]): T {
  return from[Math.floor(next() * from.length)];
}

function flushText(next: () => number): string {
  let text = '';
  for (let flush = 0; flush < 4; flush++) {
    const records: CountedOperation[] = [];
    for (let service = 0; service < 3; service++) {
      const windowMs = pick(next, [0, 1000, 5000]);
      for (let op = 0; op < 1 + Math.floor(next() * 5); op++) {
        records.push({
          service: pick(next, ['checkout', 'pay"ments', NAMES[service * 3]]),
          operation: next() < 0.7 ? `op-${op}` : pick(next, NAMES),
          sampled: pick(next, NUMBERS),
          requests: pick(next, NUMBERS),
          exact: pick(next, NUMBERS),
          errors: pick(next, NUMBERS),
          outcomes: pick(next, NUMBERS),
          probabilities: next() < 0.8 ? ['0.100000'] : pick(next, [[], ['0.200000', '0.100000'], ['a"b']]),
          windowMs,
        });
      }
    }
    text += encodeFlush(records, AT - flush * 1500);
  }
  return text;
}

/** The same text damaged here and there, as a torn or foreign value would be. */
function damaged(text: string, next: () => number): string {
  const chars = [...text];
  for (let i = 0; i < 6; i++) {
    const at = Math.floor(next() * chars.length);
    const how = next();
    if (how < 0.3) chars.splice(at, 1);
    else if (how < 0.6) chars.splice(at, 0, pick(next, ['"', ',', ']', '[', '0', '-', '.', 'e', ' ', '\\', 'x']));
    else chars[at] = pick(next, ['1', '"', ',', '0', 'e', '+']);
  }
  return chars.join('');
}

function decodeWith(text: string, scanner: FlushLineScanner, service?: string) {
  const intervals: IntervalCounts[] = BOUNDS.slice(1).map(() => new Map());
  const skipped = decodeFlushes(text, BOUNDS, intervals, service, scanner);
  return { skipped, intervals: intervals.map((interval) => [...interval].map(([name, ops]) => [name, [...ops]])) };
}

/** The reference: every line through JSON.parse. */
const JSON_ONLY = { scan: () => false } as unknown as FlushLineScanner;

describe('flush line scanner', () => {
  it.each(Array.from({ length: 40 }, (_, seed) => seed + 1))('reads what JSON.parse reads, counts and skips alike (seed %i)', (seed) => {
    const next = random(seed);
    const text = flushText(next);
    const scanner = new FlushLineScanner();
    const scan = scanner.scan.bind(scanner);
    let scanned = 0;
    scanner.scan = (...args) => (scan(...args) ? ++scanned > 0 : false);

    expect(decodeWith(text, scanner)).toEqual(decodeWith(text, JSON_ONLY));
    // Most lines are in the plain form, and those are read without JSON.parse.
    expect(scanned).toBeGreaterThan(0);
    // The same scanner again, remembering the names and lists it read, and for one service.
    expect(decodeWith(text, scanner)).toEqual(decodeWith(text, JSON_ONLY));
    expect(decodeWith(text, scanner, 'checkout')).toEqual(decodeWith(text, JSON_ONLY, 'checkout'));
  });

  it.each(Array.from({ length: 20 }, (_, seed) => seed + 1))('reads a line without its lists as it reads it with them, each list as its lowest probability (seed %i)', (seed) => {
    const next = random(seed * 31);
    const probabilities = ['0.100000', '0.000050', '1', '0', '-0.2', '1e-4', '2.5E-3', 'x', '', ' 0.3', '0.3 ', '00.5', '.5'];
    const records = Array.from({ length: 40 }, (_, op) => ({
      service: 'S',
      operation: `op-${op}`,
      sampled: 1,
      requests: 2,
      errors: 0,
      probabilities: Array.from({ length: Math.floor(next() * 4) }, () => pick(next, probabilities)),
    }));
    const text = encodeFlush(records, AT).trimEnd();
    const withLists = new FlushLineScanner();
    const without = new FlushLineScanner();
    // Twice with lists: the second reads each list as the one it remembers, with its lowest.
    withLists.scan(text, 0, text.length);

    expect([withLists.scan(text, 0, text.length), without.scan(text, 0, text.length, false)]).toEqual([true, true]);
    expect(without.operations.slice(0, without.operationCount)).toEqual(withLists.operations.slice(0, withLists.operationCount));
    expect(without.counts).toEqual(withLists.counts);
    for (let i = 0; i < records.length; i++) {
      expect(without.lists[i]).toBe(NO_PROBABILITIES);
      expect([records[i].probabilities, without.lowest[i]]).toEqual([records[i].probabilities, lowestProbability(withLists.lists[i])]);
      expect(withLists.lowest[i]).toBe(without.lowest[i]);
    }
  });

  it.each(Array.from({ length: 60 }, (_, seed) => seed + 1))('leaves damaged lines to JSON.parse (seed %i)', (seed) => {
    const next = random(seed * 7919);
    const text = damaged(flushText(next), next);

    expect(decodeWith(text, new FlushLineScanner())).toEqual(decodeWith(text, JSON_ONLY));
  });

  it('reads decimal fractions exactly as JSON.parse does, and leaves malformed ones to it', () => {
    const next = random(42);
    const texts = ['0.5', '-0.75', '1240.25', '0.000001', '123456789012.345', '999999999999999', '9007199254740993', '1.5e3', '12.3456789012345678'];
    for (let i = 0; i < 2000; i++) {
      const digits = 1 + Math.floor(next() * 15);
      const text = String(Math.floor(next() * 10 ** digits));
      const point = Math.floor(next() * text.length);
      texts.push(point === 0 ? text : `${text.slice(0, point)}.${text.slice(point)}`);
    }
    const scanner = new FlushLineScanner();
    for (const number of texts) {
      const line = `["S",0,0,"op",${number},${number},0,0,0,[]]`;
      expect(scanner.scan(line, 0, line.length)).toBe(true);
      expect([number, scanner.counts[0]]).toEqual([number, JSON.parse(number)]);
    }
    for (const number of ['1.', '.5', '00.5', '01', '1..2', '-', '-.5', '0.5.1']) {
      const line = `["S",0,0,"op",${number},1,0,0,0,[]]`;
      expect([number, scanner.scan(line, 0, line.length)]).toEqual([number, false]);
    }
  });

  it('reads a changed name or list at a position it remembers as what the text now holds', () => {
    const scanner = new FlushLineScanner();
    const line = (operation: string, probabilities: string[]) =>
      encodeFlush([{ service: 'S', operation, sampled: 1, requests: 2, errors: 0, probabilities }], AT).trimEnd();
    for (const [operation, probabilities] of [
      ['GET /a', ['0.100000']],
      ['GET /ab', ['0.100000']],
      ['GET /a', ['0.100000', '0.200000']],
      ['GET /a', ['0.1']],
    ] as const) {
      const text = line(operation, [...probabilities]);
      expect(scanner.scan(text, 0, text.length)).toBe(true);
      expect(scanner.operations.slice(0, scanner.operationCount)).toEqual([operation]);
      expect(scanner.lists[0]).toEqual(probabilities);
      expect([...scanner.counts.slice(0, 5)]).toEqual([1, 2, 0, 0, 2]);
    }
  });
});
