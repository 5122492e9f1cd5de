import type { ServiceHistory } from '../api';
import { Chart, type Line } from '../components/chart';

/** The service's last calculations: per operation probability, requests and sampled traces, and its total against its budget. */
export function HistoryCharts({ history }: { history: ServiceHistory }) {
  const points = history.points;
  if (points.length === 0) {
    return <p>No calculation history for this service yet (history is kept for the busiest services; it fills with each calculation).</p>;
  }
  const times = points.map((p) => Date.parse(p.at) / 1000);
  const names = [...new Set(points.flatMap((p) => p.operations.map((o) => o.operation)))].sort();
  const perOperation = (field: 'probability' | 'requestsPerSecond' | 'sampledPerSecond'): Line[] =>
    names.map((name) => ({
      label: name,
      values: points.map((p) => p.operations.find((o) => o.operation === name)?.[field] ?? null),
    }));
  const totals: Line[] = [
    { label: 'sampled traces/s seen', values: points.map((p) => p.sampledPerSecond) },
    { label: 'expected at the computed rates', values: points.map((p) => p.expectedSampledPerSecond) },
  ];
  if (points.some((p) => p.budgetTracesPerSecond !== undefined)) {
    totals.push({ label: 'budget', values: points.map((p) => p.budgetTracesPerSecond ?? null), dash: true });
  } else if (points.some((p) => p.targetSamplesPerSecond !== undefined)) {
    totals.push({ label: 'target', values: points.map((p) => p.targetSamplesPerSecond ?? null), dash: true });
  }
  return (
    <div class="charts">
      <Chart title="Probability per operation" unit="computed probability" times={times} lines={perOperation('probability')} log />
      <Chart title="Requests per operation" unit="requests/s" times={times} lines={perOperation('requestsPerSecond')} />
      <Chart title="Sampled traces per operation" unit="traces/s" times={times} lines={perOperation('sampledPerSecond')} />
      <Chart title="Service total against its budget" unit="sampled traces/s" times={times} lines={totals} />
    </div>
  );
}
