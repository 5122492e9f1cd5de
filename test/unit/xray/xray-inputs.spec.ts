import type { Policy } from '../../../src/sampling/policy';
import { parseStrategiesFile } from '../../../src/sampling/strategies-file';
import { buildXRayRules } from '../../../src/sampling/xray/xray-rules';
import { composeStrategies } from '../../../src/serving/compose-strategies';
import { ServingSnapshot } from '../../../src/serving/serving-snapshot';
import type { ProbabilitiesSnapshot } from '../../../src/store/store';
import { xrayInputs } from '../../../src/xray/xray-inputs';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };
const TARGET = 1;
const computed: ProbabilitiesSnapshot = {
  version: 2,
  computedAt: 0,
  probabilities: {
    checkout: { '*': 0.02, 'GET /cart': 0.1, 'POST /pay': 0.4 },
    '*': { '*': 0.005 },
  },
  qps: { checkout: { '*': 500 }, '*': { '*': 2000 } },
};
const file = parseStrategiesFile(
  JSON.stringify({ service_strategies: [{ service: 'limited', type: 'ratelimiting', param: 7 }] }),
);

function rulesFor(policies: Record<string, Policy>) {
  const snapshot = ServingSnapshot.build(composeStrategies(file, computed, DEFAULTS, Infinity, new Map(Object.entries(policies))), 2, 0);
  const { services, fallback } = xrayInputs(snapshot, new Map(Object.entries(policies)), computed, TARGET);
  return buildXRayRules(services, fallback);
}

describe('X-Ray rules read from what Jaeger clients are served', () => {
  it('serves computed rates to adaptive fleets, the Default fleet its own computed rate', () => {
    const { populations } = rulesFor({});
    expect(populations.get('checkout')).toMatchObject({ mode: 'adaptive', rate: 0.02, fleetRequestsPerSecond: 500 });
    expect([...populations.values()].find((p) => p.operation === 'GET /cart')).toMatchObject({ mode: 'adaptive', rate: 0.1 });
    expect(populations.get('Default')).toMatchObject({ service: '*', mode: 'adaptive', rate: 0.005, fleetRequestsPerSecond: 2000 });
  });

  it('splits a rate-limited rule by its fleet’s requests as the calculation counted them', () => {
    const snapshot = ServingSnapshot.build(composeStrategies(file, computed, DEFAULTS, Infinity, new Map()), 2, 0);
    const counted: ProbabilitiesSnapshot = { ...computed, qps: { limited: { '*': 3 } }, fleetRequests: { limited: 300 } };

    const { services } = xrayInputs(snapshot, new Map(), counted, TARGET);
    const { services: older } = xrayInputs(snapshot, new Map(), { ...counted, fleetRequests: undefined }, TARGET);

    expect(services.find((s) => s.service === 'limited')).toMatchObject({ mode: 'ratelimiting', fleetRequestsPerSecond: 300 });
    // A snapshot written before the fleets were (stored format 3) served the QPS.
    expect(older.find((s) => s.service === 'limited')).toMatchObject({ fleetRequestsPerSecond: 3 });
  });

  it('keeps a rate-limited file entry rate limited', () => {
    const { rules, populations } = rulesFor({});
    expect(populations.get('limited')).toMatchObject({ mode: 'ratelimiting', maxTracesPerSecond: 7 });
    expect(rules.find((r) => r.RuleName === 'limited')).toMatchObject({ FixedRate: 0, ReservoirSize: 7 });
  });

  it('pins a probabilistic policy, and a pinned operation inside an adaptive one', () => {
    const { rules, populations } = rulesFor({
      billing: { mode: 'probabilistic', samplingRate: 0.3 },
      checkout: { mode: 'adaptive', targetSamplesPerSecond: 4, operations: [{ operation: 'POST /pay', samplingRate: 1 }] },
    });
    expect(populations.get('billing')).toMatchObject({ mode: 'fixed', rate: 0.3 });
    expect(rules.find((r) => r.RuleName === 'billing')).toMatchObject({ FixedRate: 0.3, ReservoirSize: 0 });
    expect([...populations.values()].find((p) => p.operation === 'POST /pay')).toMatchObject({ mode: 'fixed', rate: 1 });
    expect(populations.get('checkout')).toMatchObject({ mode: 'adaptive' });
    expect(rules.find((r) => r.RuleName === 'checkout')?.ReservoirSize).toBe(4);
  });

  it('serves the default policy to the Default rule', () => {
    const { rules, populations } = rulesFor({ '*': { mode: 'probabilistic', samplingRate: 0.25 } });
    expect(populations.get('Default')).toMatchObject({ mode: 'fixed', rate: 0.25 });
    expect(rules.at(-1)).toMatchObject({ RuleName: 'Default', Priority: 10000, FixedRate: 0.25 });
  });
});
