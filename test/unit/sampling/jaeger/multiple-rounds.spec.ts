import { JaegerCalculator } from '../../../../src/sampling/jaeger/jaeger-calculator';
import type { ServiceThroughput } from '../../../../src/sampling/throughput';

/**
 * Scenario: Jaeger TestCalculateProbabilitiesAndQPSMultiple, nine leader rounds with the
 * production calculator (cap 1.0). Target 1, tolerance 0.002, initial 0.001, minimum 0,
 * calculation buckets 5, aggregation buckets 10, 60 s buckets. Each operation is
 * [count, reported probability].
 */
type Round = Record<string, Record<string, [number, string]>>;

const rounds: { bucket: Round; expected: Record<string, Record<string, number>>; why: string }[] = [
  {
    why: 'first sight: everything is adaptive; A/GET and B/PUT are under target and double',
    bucket: { svcA: { GET: [3, '0.001000'], PUT: [60, '0.001000'] }, svcB: { PUT: [15, '0.001000'] } },
    expected: { svcA: { GET: 0.002, PUT: 0.001 }, svcB: { PUT: 0.002 } },
  },
  {
    why:
      'A/GET not reported: its last round only assumed adaptive, so it is left; ' +
      'B/PUT reports 0.002 (lower bound only) and doubles',
    bucket: { svcA: { PUT: [60, '0.001000'] }, svcB: { GET: [30, '0.001000'], PUT: [0, '0.002000'] } },
    expected: { svcA: { GET: 0.002, PUT: 0.001 }, svcB: { PUT: 0.004, GET: 0.002 } },
  },
  {
    why: 'A/GET reports 0.002 (lower bound) and doubles; B/PUT not reported but was adaptive last round: doubles',
    bucket: { svcA: { GET: [0, '0.002000'], PUT: [60, '0.001000'] }, svcB: { GET: [30, '0.001000'] } },
    expected: { svcA: { GET: 0.004, PUT: 0.001 }, svcB: { PUT: 0.008, GET: 0.002 } },
  },
  {
    why: 'A/GET sampled at 0.004 at last; B/PUT reports 0.001: no longer adaptive, kept',
    bucket: {
      svcA: { GET: [1, '0.004000'], PUT: [60, '0.001000'] },
      svcB: { GET: [30, '0.001000'], PUT: [15, '0.001000'] },
    },
    expected: { svcA: { GET: 0.008, PUT: 0.001 }, svcB: { PUT: 0.008, GET: 0.002 } },
  },
  {
    why: 'A/GET silent but adaptive last round: doubles; A/PUT falls to 30/60 at initial probability and rises',
    bucket: { svcA: { PUT: [30, '0.001000'] }, svcB: { GET: [30, '0.001000'], PUT: [15, '0.001000'] } },
    expected: { svcA: { GET: 0.016, PUT: 0.001468867216804201 }, svcB: { PUT: 0.008, GET: 0.002 } },
  },
  {
    why: 'A/GET silent: doubles again; B/PUT reports 0.008: adaptive again, doubles',
    bucket: { svcA: { PUT: [30, '0.001000'] }, svcB: { GET: [30, '0.001000'], PUT: [1, '0.008000'] } },
    expected: { svcA: { GET: 0.032, PUT: 0.001468867216804201 }, svcB: { PUT: 0.016, GET: 0.002 } },
  },
  {
    why: 'A/GET and B/PUT silent: both keep doubling',
    bucket: { svcA: { PUT: [30, '0.001000'] }, svcB: { GET: [15, '0.001000'] } },
    expected: { svcA: { GET: 0.064, PUT: 0.001468867216804201 }, svcB: { PUT: 0.032, GET: 0.002 } },
  },
  {
    why: 'still silent: still doubling',
    bucket: { svcA: { PUT: [20, '0.001000'] }, svcB: { GET: [10, '0.001000'] } },
    expected: { svcA: { GET: 0.128, PUT: 0.001468867216804201 }, svcB: { PUT: 0.064, GET: 0.002 } },
  },
  {
    why: 'A/GET and B/PUT report their served values at high rates: both fall',
    bucket: {
      svcA: { PUT: [20, '0.001000'], GET: [120, '0.128000'] },
      svcB: { PUT: [60, '0.064000'], GET: [10, '0.001000'] },
    },
    expected: {
      svcA: { GET: 0.0882586677054928, PUT: 0.001468867216804201 },
      svcB: { PUT: 0.09587513707888091, GET: 0.002 },
    },
  },
];

function throughput(round: Round): ServiceThroughput {
  return new Map(
    Object.entries(round).map(([service, ops]) => [
      service,
      new Map(Object.entries(ops).map(([op, [count, p]]) => [op, { count, probabilities: [p] }])),
    ]),
  );
}

describe('nine leader rounds', () => {
  const calculator = new JaegerCalculator({
    targetSamplesPerSecond: 1,
    deltaTolerance: 0.002,
    calculationBuckets: 5,
    aggregationBuckets: 10,
    initialSamplingProbability: 0.001,
    minSamplingProbability: 0,
    increaseCap: 1,
  });
  const results = rounds.map(({ bucket }) => {
    calculator.addBucket({ throughput: throughput(bucket), intervalSeconds: 60 });
    return calculator.calculate().probabilities;
  });

  it.each(rounds.map((round, i) => [i + 1, round.why, i] as const))('round %d: %s', (_n, _why, i) => {
    expect(results[i]).toEqual(rounds[i].expected);
  });
});
