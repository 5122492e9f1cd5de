import { previewPolicy } from '../../../src/explanation/policy-preview';
import { type AdaptiveOptions, JAEGER_DEFAULTS } from '../../../src/sampling/adaptive-options';
import { adaptiveStrategy } from '../../../src/sampling/adaptive-strategy';
import type { Policy } from '../../../src/sampling/policy';
import { SamplaneCalculator } from '../../../src/sampling/samplane/samplane-calculator';
import { bucket } from '../sampling/samplane/fixtures';

const OPTIONS: AdaptiveOptions = { ...JAEGER_DEFAULTS, algorithm: 'samplane', calculationIntervalMs: 60_000, delayMs: 0, leaderLeaseMs: 30_000, maxOperations: 2000 };
const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };

/** checkout: GET /cart at 1,000 requests/s and POST /pay at 100, served what a target of 1 gives. */
function preview(draft: Policy) {
  const served = new Map([
    ['GET /cart', 0.001],
    ['POST /pay', 0.01],
  ]);
  return previewPolicy({
    service: 'checkout',
    draft,
    current: adaptiveStrategy(DEFAULTS, served),
    computed: {
      version: 3,
      computedAt: 0,
      probabilities: { checkout: Object.fromEntries(served) },
    },
    recorded: {
      traffic: {
        'GET /cart': { requestsPerSecond: 1000, sampledPerSecond: 1, errorRate: 0 },
        'POST /pay': { requestsPerSecond: 100, sampledPerSecond: 1, errorRate: 0 },
      },
      inputs: {},
    },
    buckets: [0, 1, 2].map(() => ({ ...bucket({ checkout: { 'GET /cart': 60_000, 'POST /pay': 6000 } }) })),
    options: OPTIONS,
    defaults: DEFAULTS,
    createCalculator: (options) => new SamplaneCalculator(options),
  });
}

describe('previewPolicy', () => {
  it('calculates an adaptive draft with the engine’s calculator, beside what is served now', () => {
    const result = preview({ mode: 'adaptive', targetSamplesPerSecond: 10 });
    expect(result.buckets).toBe(3);
    const [cart, pay] = result.operations;
    expect(cart).toMatchObject({ operation: 'GET /cart', requestsPerSecond: 1000, current: { probability: 0.001, expectedSampledPerSecond: 1 } });
    expect(cart.draft.probability).toBeCloseTo(0.01, 6);
    expect(pay.draft.probability).toBeCloseTo(0.1, 6);
    expect(result.total.current.expectedSampledPerSecond).toBeCloseTo(2);
    expect(result.total.draft.expectedSampledPerSecond).toBeCloseTo(20);
  });

  it('shares a draft budget among the operations and pins what the draft pins', () => {
    const result = preview({ mode: 'adaptive', budgetTracesPerSecond: 6, operations: [{ operation: 'POST /pay', samplingRate: 0.5 }] });
    const [cart, pay] = result.operations;
    expect(pay.draft).toEqual({ probability: 0.5, expectedSampledPerSecond: 50 });
    expect(cart.draft.expectedSampledPerSecond).toBeLessThanOrEqual(6 + 1e-9);
    expect(result.total.budgetTracesPerSecond).toBe(6);
  });

  it('serves a probabilistic draft’s rate, and caps a rate-limited one at its limit', () => {
    const probabilistic = preview({ mode: 'probabilistic', samplingRate: 0.2 });
    expect(probabilistic.operations.map((op) => op.draft.probability)).toEqual([0.2, 0.2]);
    expect(probabilistic.total.draft.expectedSampledPerSecond).toBeCloseTo(220);
    const limited = preview({ mode: 'ratelimiting', maxTracesPerSecond: 3 });
    expect(limited.operations.map((op) => op.draft.probability)).toEqual([null, null]);
    expect(limited.total.draft.expectedSampledPerSecond).toBe(3);
  });
});
