import { JaegerCalculator } from '../../../../src/sampling/jaeger/jaeger-calculator';
import { qpsRecords } from '../../../../src/sampling/input-columns';
import type { ServiceThroughput } from '../../../../src/sampling/throughput';

/**
 * Scenario: Jaeger TestCalculateProbabilitiesAndQPS. Two 60 s buckets (newest first)
 * A {GET 45, PUT 60}, B {GET 30, PUT 15} and A {GET 30}, B {GET 45}, no probabilities reported;
 * svcB was last given GET 0.16 and PUT 0.03. Target 1, tolerance 0.2, initial 0.001, minimum 0,
 * calculation buckets 10, uncapped calculator.
 */
function throughput(counts: Record<string, Record<string, number>>): ServiceThroughput {
  return new Map(
    Object.entries(counts).map(([service, ops]) => [
      service,
      new Map(Object.entries(ops).map(([op, count]) => [op, { count, probabilities: [] }])),
    ]),
  );
}

describe('probabilities and QPS of one calculation', () => {
  const calculator = new JaegerCalculator({
    targetSamplesPerSecond: 1,
    deltaTolerance: 0.2,
    calculationBuckets: 10,
    aggregationBuckets: 10,
    initialSamplingProbability: 0.001,
    minSamplingProbability: 0,
    // An infinite cap is Jaeger's test calculator: old × target / qps.
    increaseCap: Infinity,
  });
  calculator.restore({ svcB: { GET: 0.16, PUT: 0.03 } });
  calculator.addBucket({ throughput: throughput({ svcA: { GET: 30 }, svcB: { GET: 45 } }), intervalSeconds: 60 });
  calculator.addBucket({
    throughput: throughput({ svcA: { GET: 45, PUT: 60 }, svcB: { GET: 30, PUT: 15 } }),
    intervalSeconds: 60,
  });
  const result = calculator.calculate();

  it('adapts new operations and leaves those whose clients do not report the served value', () => {
    expect(result.probabilities).toEqual({ svcA: { GET: 0.00136, PUT: 0.001 }, svcB: { GET: 0.16, PUT: 0.03 } });
  });

  it('reports the weighted QPS of every operation', () => {
    expect(qpsRecords(result.qps)).toEqual({
      svcA: { GET: 0.7352941176470588, PUT: 1 },
      svcB: { GET: 0.5147058823529411, PUT: 0.25 },
    });
  });
});
