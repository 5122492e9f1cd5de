import { InputColumns } from '../../../src/sampling/input-columns';
import { EngineMetrics } from '../../../src/telemetry/engine-metrics';
import { MetricsService } from '../../../src/telemetry/metrics.service';

// Nest's decorators are ES modules Jest cannot load here; the classes are built with `new`.
jest.mock('@nestjs/common', () => ({ Injectable: () => () => undefined }));

/** Series of `name` in exposition text: label sets → value. */
function series(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const cut = line.lastIndexOf(' ');
    found.set(line.slice(name.length, cut), Number(line.slice(cut + 1)));
  }
  return found;
}

describe('EngineMetrics per-operation series', () => {
  it('exports the newest calculation, at most 1,000 operation series, and counts the rest', async () => {
    const metrics = new MetricsService();
    const engine = new EngineMetrics(metrics);
    const probabilities = Object.fromEntries(
      Array.from({ length: 15 }, (_, s) => [`svc-${s}`, Object.fromEntries(Array.from({ length: 100 }, (_, o) => [`op "${o}"`, 0.5]))]),
    );
    const qps = { 'svc-0': { 'op "0"': 12 } };
    engine.computed({ old: { gone: 1 } }, {});
    engine.computed(probabilities, qps, { 'svc-0': { 'op "0"': { requestsPerSecond: 4, sampledPerSecond: 1, errorRate: 0.25 } } }, { 'svc-0': { 'op "1"': { errors: { boost: 2 } } } } as never);

    const text = await metrics.render();
    const probability = series(text, 'samplane_operation_probability');
    expect(probability.size).toBe(1000);
    expect(probability.get('{service="svc-0",operation="op \\"0\\""}')).toBe(0.5);
    expect(series(text, 'samplane_operation_qps').get('{service="svc-0",operation="op \\"0\\""}')).toBe(12);
    expect([...series(text, 'samplane_operation_error_rate').values()]).toEqual([0.25]);
    expect([...series(text, 'samplane_operation_error_boosted').keys()]).toEqual(['{service="svc-0",operation="op \\"1\\""}']);
    expect(series(text, 'samplane_operations').size).toBe(15);
    expect(text).toContain('\nsamplane_metric_series_omitted 500\n');
    // The previous calculation's series are gone.
    expect(text).not.toContain('gone');
    // Every family is described once.
    expect(text.match(/^# TYPE samplane_operation_probability gauge$/gm)).toHaveLength(1);
  });

  it('reads the QPS from a calculation’s input columns as from records', async () => {
    const metrics = new MetricsService();
    const engine = new EngineMetrics(metrics);
    const columns = InputColumns.fromRecord({
      GET: { previous: 0.5, target: 1, adaptive: true, withinTolerance: true, qps: 2.5 },
      POST: { previous: 0.5, target: 1, adaptive: true, withinTolerance: true, qps: 0.75 },
    });
    engine.computed({ api: { POST: 0.1, GET: 0.2 }, web: { home: 1 } }, { api: columns, web: { home: 3 } });

    const qps = series(await metrics.render(), 'samplane_operation_qps');
    expect(Object.fromEntries(qps)).toEqual({
      '{service="api",operation="POST"}': 0.75,
      '{service="api",operation="GET"}': 2.5,
      '{service="web",operation="home"}': 3,
    });
  });
});
