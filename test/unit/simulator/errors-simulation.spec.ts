import { renderChart } from '../../../src/simulator/chart';
import { type BucketCounts, toBucket } from '../../../src/simulator/engine-bucket';
import { formatTable } from '../../../src/simulator/report';
import type { Scenario } from '../../../src/simulator/scenario';
import { simulate } from '../../../src/simulator/simulation';
import { constant, step } from '../../../src/simulator/traffic';
import { runOf } from './standard-runs';

// One instance, 100 requests/s for ten minutes, a quarter of them failing from 5:00.
const failing: Scenario = {
  name: 'failing',
  title: 'failing',
  description: 'one instance, 100 requests/s, 25 % failing from 5:00',
  settings: { instances: 1, durationSeconds: 600, warmupSeconds: 0, calculationIntervalSeconds: 10, pollIntervalSeconds: 10, delaySeconds: 1 },
  operations: [{ service: 'S', operation: 'op', rate: constant(100), errorRate: step(0, 0.25, 300) }],
  tracked: [{ label: 'S op', service: 'S', operation: 'op', incidents: [[300, 600]] }],
};

describe('simulated errors', () => {
  const run = simulate(failing);
  const [meter] = run.meters;
  const sum = (values: readonly number[], from = 0, to = values.length) => values.slice(from, to).reduce((a, b) => a + b, 0);

  it('follow the error-rate curve: the true failures per second', () => {
    expect(meter.errors[299]).toBe(0);
    expect(meter.errors[300]).toBeCloseTo(25, 9);
    expect(meter.errors[599]).toBeCloseTo(25, 9);
  });

  it('fail request by request: the traces sampled of failed requests are a quarter of those sampled', () => {
    for (const algorithm of ['jaeger', 'samplane'] as const) {
      expect(sum(meter.sampledErrors[algorithm], 0, 30)).toBe(0);
      const share = sum(meter.sampledErrors[algorithm], 30) / sum(meter.sampled[algorithm], 30);
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.35);
    }
  });

  it('reach samplane, which boosts the operation, and not jaeger', () => {
    const boosted = (algorithm: 'jaeger' | 'samplane') =>
      run.calculations[algorithm].filter((c) => c.boosted.S?.op !== undefined).map((c) => c.time);
    expect(boosted('samplane')[0]).toBeGreaterThanOrEqual(300);
    expect(boosted('samplane')[0]).toBeLessThanOrEqual(321);
    expect(boosted('jaeger')).toEqual([]);
  });

  it('are expected per second from the probabilities in effect', () => {
    const p = run.calculations.samplane[run.calculations.samplane.length - 1].probabilities.S.op;
    expect(meter.expectedErrors.samplane[599]).toBeCloseTo(25 * p, 9);
  });
});

describe('the bucket an algorithm is handed', () => {
  const counts: BucketCounts = {
    requests: Float64Array.from([1000, 500]),
    recent: Float64Array.from([250, 125]),
    errors: Float64Array.from([100, 5]),
    sampled: { jaeger: Float64Array.from([2, 1]), samplane: Float64Array.from([2, 1]) },
    sampledErrors: { jaeger: Float64Array.from([1, 0]), samplane: Float64Array.from([1, 0]) },
    probabilities: { jaeger: [new Set(['0.002000']), undefined], samplane: [undefined, undefined] },
  };
  // Two entries of one operation (as a scenario lists an operation's live stretches).
  const operations = [
    { service: 'S', operation: 'op', index: 0 },
    { service: 'S', operation: 'op', index: 1 },
  ];

  it('gives samplane every request exactly, with its errors and all outcomes seen, as the engine passes reports on', () => {
    const bucket = toBucket('samplane', operations, counts.requests, counts, 2, counts.errors);
    expect(bucket.throughput.get('S')?.get('op')).toEqual({ count: 1500, exact: 1500, errors: 105, outcomes: 1500, probabilities: [] });
  });

  it('gives jaeger the sampled spans only, without errors', () => {
    const bucket = toBucket('jaeger', operations, counts.requests, counts, 2, counts.errors);
    expect(bucket.throughput.get('S')?.get('op')).toEqual({ count: 3, probabilities: ['0.002000'] });
  });
});

describe('the table of an error scenario', () => {
  it('prints, per algorithm, the calculations until the boost, errored traces/s before/during/after and the return', () => {
    const lines = formatTable([runOf('error-incident').summary]).split('\n');
    expect(lines[0]).toMatch(/\sboost\s+errored\/s\s+back$/);
    // jaeger has no boost, hence nothing to return from.
    expect(lines[2]).toMatch(/^error-incident\s+jaeger\s.*\s—\s+\d\.\d\d\/\d\.\d\d\/\d\.\d\d\s+—$/);
    expect(lines[3]).toMatch(/^error-incident\s+samplane\s.*\s\d+ \(\d+s\)\s+\d\.\d\d\/\d\.\d\d\/\d\.\d\d\s+\d+s$/);
  });
});

describe('the chart of an error scenario', () => {
  const { run, summary } = runOf('error-incident');
  const svg = renderChart(run, summary);

  it('adds a panel of errored traces sampled per second, with the incident shaded and the boost described', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg).toContain('errored traces sampled/s');
    expect(svg).toContain('fill="#ffe3e3"');
    expect(svg).toMatch(/samplane boost \d+ \(\d+ s\), errored \d\.\d\d\/\d\.\d\d\/\d\.\d\d per s, back \d+ s/);
    expect(svg).toContain('jaeger no boost');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
