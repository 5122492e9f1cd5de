import { JAEGER_DEFAULTS } from '../../../../../src/sampling/adaptive-options';
import type { OperationInputs } from '../../../../../src/sampling/calculator';
import { SamplaneCalculator } from '../../../../../src/sampling/samplane/samplane-calculator';
import type { SamplaneCalculatorOptions } from '../../../../../src/sampling/samplane/samplane-options';
import type { ThroughputBucket } from '../../../../../src/sampling/throughput';

/** Jaeger's defaults and the error boost's own (1 errored trace/s, cap 0.1, 5 minutes). */
export const OPTIONS: SamplaneCalculatorOptions = { ...JAEGER_DEFAULTS, maxOperations: 2000 };
/** The acceptance check's interval. */
export const SECONDS = 2;

/** operation → [requests per second, error rate]; counted exactly, as reporters send them. */
export type Load = Record<string, [number, number]>;

export function bucket(service: string, load: Load, seconds = SECONDS): ThroughputBucket {
  const operations = new Map(
    Object.entries(load).map(([operation, [rate, errorRate]]) => {
      const count = rate * seconds;
      return [operation, { count, exact: count, errors: Math.round(count * errorRate), probabilities: [] }];
    }),
  );
  return { intervalSeconds: seconds, throughput: new Map([[service, operations]]) };
}

export interface Round {
  probabilities: Record<string, number>;
  inputs: Record<string, OperationInputs>;
}

/** Runs `calculations` ticks of one load on service S and returns every round. */
export function run(calculator: SamplaneCalculator, load: Load, calculations: number, service = 'S'): Round[] {
  const rounds: Round[] = [];
  for (let i = 0; i < calculations; i++) {
    calculator.addBucket(bucket(service, load));
    const { probabilities } = calculator.calculate();
    rounds.push({ probabilities: probabilities[service] ?? {}, inputs: calculator.lastInputs()[service] ?? {} });
  }
  return rounds;
}

/** Errored traces per second sampled in a round, for one operation of a load. */
export function erroredSampled(round: Round, load: Load, operation: string): number {
  const [rate, errorRate] = load[operation];
  return round.probabilities[operation] * rate * errorRate;
}

export const boosted = (round: Round, operation: string): boolean => round.inputs[operation]?.errors?.boost !== undefined;

export function newCalculator(options: Partial<SamplaneCalculatorOptions> = {}): SamplaneCalculator {
  return new SamplaneCalculator({ ...OPTIONS, ...options });
}
