import { type Round, SECONDS, boosted, newCalculator, run } from './error-fixtures';

// Errors flap between 1 % and 15 % every 10 s for three minutes.
const calm = { GET: [500, 0.01] as [number, number] };
const failing = { GET: [500, 0.15] as [number, number] };

describe('error boost: flapping errors', () => {
  const calculator = newCalculator();
  run(calculator, calm, 60);
  const flapping: Round[] = [];
  for (let i = 0; i < 18; i++) flapping.push(...run(calculator, i % 2 === 0 ? failing : calm, 10 / SECONDS));
  const after = run(calculator, calm, 400 / SECONDS);

  it('is boosted once and stays boosted through the flapping, instead of toggling', () => {
    expect(flapping.every((r) => boosted(r, 'GET'))).toBe(true);
  });

  it('never raises the probability above what the failing buckets asked for', () => {
    // 1 errored trace/s at 75 errors/s.
    for (const round of [...flapping, ...after]) expect(round.probabilities.GET).toBeLessThanOrEqual((1 / 75) * 1.05);
  });

  it('ends once the errors stay down for a cooldown', () => {
    const last = after[after.length - 1];
    expect(boosted(last, 'GET')).toBe(false);
    expect(last.probabilities.GET).toBeCloseTo(1 / 500, 4);
  });
});
