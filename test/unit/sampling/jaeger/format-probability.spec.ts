import { formatProbability, formatProbabilityCached } from '../../../../src/sampling/jaeger/format-probability';
import golden from './format-probability.golden.json';

describe('formatProbability (Go strconv.FormatFloat(p, "f", 6, 64))', () => {
  it.each([
    [1, '1.000000'],
    [0.00001, '0.000010'],
    [0.00230234, '0.002302'],
    [0.1040445, '0.104044'],
    [0.10404450002098709, '0.104045'],
  ])("Jaeger's TestTruncateFloat: %p → %s", (p, expected) => {
    expect(formatProbability(p)).toBe(expected);
  });

  it('rounds exact binary ties half to even, where toFixed rounds them up', () => {
    expect(formatProbability(0.0078125)).toBe('0.007812');
    expect((0.0078125).toFixed(6)).toBe('0.007813');
    expect(formatProbability(0.0234375)).toBe('0.023438');
    expect(formatProbability(-0.0078125)).toBe('-0.007812');
  });

  it(`matches Go on ${golden.cases.length} values (ties, near-ties, random, extremes)`, () => {
    const mismatches = golden.cases
      .map(({ value, expected }) => ({ value, expected, actual: formatProbability(Number(value)) }))
      .filter(({ expected, actual }) => expected !== actual);
    expect(mismatches).toEqual([]);
  });

  it('remembers formatted values without changing one of them, zero and minus zero apart', () => {
    const values = [...golden.cases.map(({ value }) => Number(value)), 0, -0, NaN];
    // Twice over, so the second pass reads what the first remembered.
    for (const pass of [1, 2]) {
      const wrong = values.filter((p) => formatProbabilityCached(p) !== formatProbability(p));
      expect({ pass, wrong }).toEqual({ pass, wrong: [] });
    }
    expect(formatProbabilityCached(-0)).toBe('-0.000000');
    expect(formatProbabilityCached(0)).toBe('0.000000');
  });

  it('includes values on which toFixed is wrong, so the table really tests the difference', () => {
    const toFixedWrong = golden.cases.filter(({ value, expected }) => Number(value).toFixed(6) !== expected);
    expect(toFixedWrong.length).toBeGreaterThan(30);
    expect(toFixedWrong.map((c) => c.value)).toContain('0.0078125');
  });

  it('agrees with toFixed everywhere except on exact ties (odd multiples of 1/128)', () => {
    // toFixed is exact too but breaks ties upwards; an exact tie at 6 decimals needs
    // p × 10^6 to end in exactly .5, which for a double means p = odd / 128.
    let state = 7;
    const random = (): number => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const p = random() * 10 ** -Math.floor(random() * 7);
      const isTie = Number.isInteger(p * 128) && (p * 128) % 2 === 1;
      if (!isTie) expect(formatProbability(p)).toBe(p.toFixed(6));
    }
  });

  it('formats non-finite values as Go does', () => {
    expect(formatProbability(NaN)).toBe('NaN');
    expect(formatProbability(Infinity)).toBe('+Inf');
    expect(formatProbability(-Infinity)).toBe('-Inf');
  });
});
