import type { OperationSettings } from '../calculator';
import type { ErrorBoostRule } from './error-boost';
import type { SamplaneCalculatorOptions } from './samplane-options';

/** One operation's rules for a calculation: the engine's options with its policy applied. */
export interface OperationRules {
  targetSamplesPerSecond: number;
  minSamplingProbability: number;
  maxSamplingProbability: number;
  budgetTracesPerSecond: number | undefined;
  errorBoost: ErrorBoostRule;
}

const MAX_SAMPLING_PROBABILITY = 1;

export function resolveRules(
  options: SamplaneCalculatorOptions,
  errorBoost: ErrorBoostRule,
  custom: OperationSettings | undefined,
): OperationRules {
  const boost = custom?.errorBoost;
  return {
    targetSamplesPerSecond: custom?.targetSamplesPerSecond ?? options.targetSamplesPerSecond,
    minSamplingProbability: custom?.minSamplingProbability ?? options.minSamplingProbability,
    maxSamplingProbability: custom?.maxSamplingProbability ?? MAX_SAMPLING_PROBABILITY,
    budgetTracesPerSecond: custom?.budgetTracesPerSecond,
    // A policy that sets any boost field turns the boost on for its service, even where the
    // engine's default is off; `false` turns it off.
    errorBoost:
      boost === false
        ? { ...errorBoost, enabled: false }
        : boost === undefined
          ? errorBoost
          : {
              enabled: true,
              targetErrorSamplesPerSecond: boost.targetErrorSamplesPerSecond ?? errorBoost.targetErrorSamplesPerSecond,
              maxSamplingProbability: boost.maxSamplingProbability ?? errorBoost.maxSamplingProbability,
              cooldownSeconds: boost.cooldownSeconds ?? errorBoost.cooldownSeconds,
            },
  };
}

/**
 * One service's rules by operation: the few operations with a policy of their own, and one
 * default for the rest, so a service without policies costs no map of its operations.
 */
export class ServiceRules {
  private readonly own = new Map<string, OperationRules>();
  /** Whether any operation's rules carry a service budget. */
  budgeted: boolean;

  constructor(private readonly fallback: OperationRules) {
    this.budgeted = fallback.budgetTracesPerSecond !== undefined;
  }

  set(operation: string, rules: OperationRules): void {
    if (rules !== this.fallback) this.own.set(operation, rules);
    if (rules.budgetTracesPerSecond !== undefined) this.budgeted = true;
  }

  get(operation: string): OperationRules {
    return this.own.size === 0 ? this.fallback : (this.own.get(operation) ?? this.fallback);
  }
}

/** Jaeger's order: the ceiling wins over the floor when a policy sets them crossed. */
export function bounded(p: number, rule: Pick<OperationRules, 'minSamplingProbability' | 'maxSamplingProbability'>): number {
  return Math.min(rule.maxSamplingProbability, Math.max(rule.minSamplingProbability, p));
}
