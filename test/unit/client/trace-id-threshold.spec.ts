import { keptAt, thresholdFor } from '../../../src/client/trace-id-threshold';
import { randomTraceId, seededRandom } from '../../support/statistics';

const kept = (traceId: string, p: number): boolean => {
  const { high, low } = thresholdFor(p);
  return keptAt(traceId, high, low);
};

describe('trace id thresholds', () => {
  it('matches OpenTelemetry’s rejection thresholds (tracestate ot=th)', () => {
    // th:8 for 0.5, th:c for 0.25, th:0 for 1: the threshold's 14 hex digits, split 7 and 7.
    expect(thresholdFor(0.5)).toEqual({ high: 0x8000000, low: 0 });
    expect(thresholdFor(0.25)).toEqual({ high: 0xc000000, low: 0 });
    expect(thresholdFor(1)).toEqual({ high: 0, low: 0 });
    expect(thresholdFor(0)).toEqual({ high: 2 ** 28, low: 0 });
  });

  it('decides on the last 56 bits of the trace id, whatever the first 72', () => {
    const { high, low } = thresholdFor(0.5);

    expect(keptAt('ffffffffffffffffff80000000000000', high, low)).toBe(true);
    expect(keptAt('00000000000000000080000000000000', high, low)).toBe(true);
    expect(keptAt('ffffffffffffffffff7fffffffffffff', high, low)).toBe(false);
    // Upper-case hex reads the same.
    expect(keptAt('FFFFFFFFFFFFFFFFFF80000000000000', high, low)).toBe(true);
  });

  it('compares the low half when the high halves are equal', () => {
    // T = 0x80000010000100; 2^56 − T has few enough bits to be exact as a double.
    const { high, low } = thresholdFor((2 ** 56 - 0x80000010000100) / 2 ** 56);
    expect({ high, low }).toEqual({ high: 0x8000001, low: 0x0000100 });
    const id = (last14: string) => `${'ab'.repeat(9)}${last14}`;

    expect(keptAt(id('80000010000100'), high, low)).toBe(true);
    expect(keptAt(id('80000010000101'), high, low)).toBe(true);
    expect(keptAt(id('800000100000ff'), high, low)).toBe(false);
    expect(keptAt(id('8000000fffffff'), high, low)).toBe(false);
    expect(keptAt(id('80000020000000'), high, low)).toBe(true);
  });

  it('keeps every trace at 1, none at 0, and never a malformed id', () => {
    expect(kept('00000000000000000000000000000001', 1)).toBe(true);
    expect(kept('ffffffffffffffffffffffffffffffff', 0)).toBe(false);
    expect(kept('abc', 1)).toBe(false);
  });

  it('is consistent: a trace kept at some probability is kept at every higher one', () => {
    const random = seededRandom(7);
    const ids = Array.from({ length: 5_000 }, () => randomTraceId(random));
    const probabilities = [0.001, 0.01, 0.1, 0.3, 0.5, 0.9];
    for (const id of ids) {
      const decisions = probabilities.map((p) => kept(id, p));
      const firstKept = decisions.indexOf(true);
      if (firstKept >= 0) expect(decisions.slice(firstKept).every(Boolean)).toBe(true);
    }
    // ... and the fraction kept is the probability.
    expect(ids.filter((id) => kept(id, 0.3)).length / ids.length).toBeCloseTo(0.3, 1);
  });
});
