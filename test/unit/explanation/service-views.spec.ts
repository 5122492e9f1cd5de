import { explainService, summarize } from '../../../src/explanation/service-views';
import { adaptiveStrategy } from '../../../src/sampling/adaptive-strategy';
import type { OperationInputs } from '../../../src/sampling/calculator';
import { summariesOf } from '../../../src/engine/service-summaries';
import type { RecordedExplanation } from '../../../src/store/explanation-codec';
import type { NewProbabilities, ProbabilitiesSnapshot } from '../../../src/store/store';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };

/** What the leader saved; replicas serve its served part and read the rest per service. */
const saved = {
  version: 7,
  computedAt: Date.UTC(2026, 0, 1),
  probabilities: { checkout: { cart: 0.0005, pay: 0.01, quiet: 0.02 } },
  qps: { checkout: { cart: 2, pay: 1.1, quiet: 0 } },
  traffic: {
    checkout: {
      cart: { requestsPerSecond: 2000, sampledPerSecond: 2, errorRate: 0.01 },
      pay: { requestsPerSecond: 110, sampledPerSecond: 1.1, errorRate: 0 },
    },
  },
  inputs: {
    checkout: {
      cart: { previous: 0.001, target: 1, adaptive: true, withinTolerance: false },
      pay: { previous: 0.01, target: 1, adaptive: true, withinTolerance: true },
      quiet: { previous: 0.01, target: 1, adaptive: true, withinTolerance: false },
    },
  },
} satisfies NewProbabilities & { version: number };

const computed: ProbabilitiesSnapshot = {
  version: saved.version,
  computedAt: saved.computedAt,
  probabilities: saved.probabilities,
  qps: saved.qps,
};
const recorded: RecordedExplanation = { traffic: saved.traffic.checkout, inputs: saved.inputs.checkout };

function explain(probabilities: Record<string, number>, extra: Partial<Parameters<typeof explainService>[0]> = {}) {
  const view = explainService({
    service: 'checkout',
    strategy: adaptiveStrategy(DEFAULTS, new Map(Object.entries(probabilities))),
    source: 'adaptive',
    policy: undefined,
    computed,
    recorded,
    deltaTolerance: 0.3,
    ...extra,
  });
  return Object.fromEntries(view.operations.map((op) => [op.operation, op]));
}

describe('explainService', () => {
  it('says a rate was lowered, from what, and on which inputs', () => {
    const ops = explain({ cart: 0.0005, pay: 0.01, quiet: 0.02 });
    expect(ops.cart).toMatchObject({
      probability: 0.0005,
      source: 'adaptive',
      requestsPerSecond: 2000,
      sampledPerSecond: 2,
      errorRate: 0.01,
      inputs: { previous: 0.001, target: 1, qps: 2, adaptive: true },
    });
    expect(ops.cart.reason).toBe('lowered from 0.001 to 0.0005: 2 sampled traces/s against a target of 1');
  });

  it('says a rate was kept inside the tolerance band', () => {
    expect(explain({ pay: 0.01 }).pay.reason).toBe(
      'kept at 0.01: 1.1 sampled traces/s against a target of 1 is within ±30% of the target',
    );
  });

  it('says a rate was raised because nothing was sampled', () => {
    expect(explain({ quiet: 0.02 }).quiet.reason).toBe('raised from 0.01 to 0.02: no sampled traces were seen');
  });

  it('says why a non-adaptive operation is left alone', () => {
    const view = explainService({
      service: 'checkout',
      strategy: adaptiveStrategy(DEFAULTS, new Map([['cart', 0.3]])),
      source: 'adaptive',
      policy: undefined,
      computed,
      recorded: { ...recorded, inputs: { cart: { previous: 0.3, target: 1, adaptive: false, withinTolerance: false } } },
      deltaTolerance: 0.3,
    });
    expect(view.operations.find((op) => op.operation === 'cart')?.reason).toMatch(/clients do not report the probability/);
  });

  it('names the policy that pins an operation', () => {
    const ops = explain(
      { cart: 0 },
      { source: 'policy', policy: { service: '*', policy: { mode: 'adaptive', operations: [{ operation: 'cart', samplingRate: 0 }] } } },
    );
    expect(ops.cart).toMatchObject({ source: 'policy', probability: 0, reason: 'pinned at 0 by the policy for "*"' });
  });

  it('tells an operation with traffic but no computed rate yet that the default applies', () => {
    const ops = explain({});
    expect(ops.pay).toMatchObject({ source: 'default', probability: 0.001 });
    expect(ops.pay.reason).toMatch(/default probability applies/);
  });

  it('explains a rate-limited service', () => {
    const view = explainService({
      service: 'checkout',
      strategy: { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 4 } },
      source: 'file',
      policy: undefined,
      computed,
      recorded,
      deltaTolerance: 0.3,
    });
    expect(view.operations[0]).toMatchObject({ probability: null, reason: 'rate limited to 4 traces per second (strategies file)' });
  });
});

describe('summarize', () => {
  it('adds up the traffic of every operation, from the totals the leader served', async () => {
    const strategy = adaptiveStrategy(DEFAULTS, new Map([['cart', 0.0005]]));
    const summaries = await summariesOf(saved.probabilities, saved.traffic, saved.inputs);
    expect(summarize('checkout', 'adaptive', strategy, { ...computed, summaries })).toEqual({
      service: 'checkout',
      source: 'adaptive',
      operations: 2,
      requestsPerSecond: 2110,
      sampledPerSecond: 3.1,
      // 20 errors/s of cart over 2110 requests/s.
      errorRate: 20 / 2110,
      boostedOperations: [],
    });
  });
});

describe('explainService for the samplane algorithm', () => {
  const base = {
    service: 'checkout',
    strategy: adaptiveStrategy(DEFAULTS, new Map([['cart', 0.004]])),
    source: 'adaptive' as const,
    policy: undefined,
    deltaTolerance: 0.3,
  };

  /** Why cart is served 0.004, given the inputs of the calculation that set it. */
  const reasonFor = (inputs: OperationInputs): string | undefined =>
    explainService({ ...base, computed, recorded: { ...recorded, inputs: { cart: inputs } } }).operations.find(
      (op) => op.operation === 'cart',
    )?.reason;

  it('explains a rate set from the part of one target the quiet operations of a flooded service share', () => {
    expect(
      reasonFor({ previous: 1, target: 0.004, adaptive: true, withinTolerance: false, requestRate: 1, sharedTarget: 1, estimate: 'smoothed' }),
    ).toBe(
      "set from 1 to 0.004: 1 requests/s (smoothed) against its part (0.004/s) of one target of 1/s that the service's quiet operations share while it has more operations than ADAPTIVE_MAX_OPERATIONS",
    );
  });

  it('explains a rate set from the request rate and a budget share', () => {
    expect(
      reasonFor({ previous: 0.001, target: 4, adaptive: true, withinTolerance: false, requestRate: 1000, budget: 12, estimate: 'step' }),
    ).toBe('set from 0.001 to 0.004: 1000 requests/s (step) against its fair share (4/s) of the service budget of 12/s');
  });

  it('says a quiet operation keeps its rate', () => {
    expect(reasonFor({ previous: 0.004, target: 1, adaptive: false, withinTolerance: false, estimate: 'idle' })).toMatch(
      /no requests were seen/,
    );
  });
});
