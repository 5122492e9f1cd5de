import { JAEGER_DEFAULTS } from '../../../../src/sampling/adaptive-options';
import type { Probabilities } from '../../../../src/sampling/calculator';
import { qpsRecords } from '../../../../src/sampling/input-columns';
import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import type { SamplaneCalculatorOptions } from '../../../../src/sampling/samplane/samplane-options';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';

/** Jaeger's defaults (target 1, tolerance 0.3, initial 0.001, floor 1/60 traces/s) and a cap of 2000. */
export const OPTIONS: SamplaneCalculatorOptions = { ...JAEGER_DEFAULTS, maxOperations: 2000 };

/** service → operation → requests in the bucket. */
export type Counts = Record<string, Record<string, number>>;

export function bucket(counts: Counts, intervalSeconds = 60): ThroughputBucket {
  return {
    intervalSeconds,
    throughput: new Map(
      Object.entries(counts).map(([service, operations]) => [
        service,
        new Map(Object.entries(operations).map(([operation, count]) => [operation, { count, probabilities: [] }])),
      ]),
    ),
  };
}

/** One leader tick per bucket, as the engine runs them; the QPS as the store writes it. */
export function tick(calculator: SamplaneCalculator, counts: Counts, intervalSeconds = 60): { probabilities: Probabilities; qps: Probabilities } {
  calculator.addBucket(bucket(counts, intervalSeconds));
  const { probabilities, qps } = calculator.calculate();
  return { probabilities, qps: qpsRecords(qps) };
}

/** A calculator that has seen `rate` requests/s of service A, operation GET, for `buckets` full buckets. */
export function settledAt(rate: number, buckets = 10, options: Partial<SamplaneCalculatorOptions> = {}): SamplaneCalculator {
  const calculator = new SamplaneCalculator({ ...OPTIONS, ...options });
  for (let i = 0; i < buckets; i++) tick(calculator, { A: { GET: rate * 60 } });
  return calculator;
}
