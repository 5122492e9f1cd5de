import { parseDurationMs } from '../config/duration';
import type { OperationSettings } from './calculator';
import type { Policy } from './policy';

/** What an adaptive policy asks of the engine for one operation; nothing for other modes. */
export function policySettings(policy: Policy, operation: string): OperationSettings | undefined {
  if (policy.mode !== 'adaptive') return undefined;
  const own = policy.operations?.find((op) => op.operation === operation);
  return {
    targetSamplesPerSecond: own?.targetSamplesPerSecond ?? policy.targetSamplesPerSecond,
    budgetTracesPerSecond: policy.budgetTracesPerSecond,
    minSamplingProbability: policy.minSamplingProbability,
    maxSamplingProbability: policy.maxSamplingProbability,
    ...(errorBoostOf(own?.errorBoost ?? policy.errorBoost) ?? {}),
  };
}

/** A policy's error boost as the engine reads it (durations in seconds). */
function errorBoostOf(boost: Policy['errorBoost']): Pick<OperationSettings, 'errorBoost'> | undefined {
  if (boost === undefined) return undefined;
  if (boost === false) return { errorBoost: false };
  return {
    errorBoost: {
      ...(boost.targetErrorSamplesPerSecond !== undefined && { targetErrorSamplesPerSecond: boost.targetErrorSamplesPerSecond }),
      ...(boost.maxSamplingProbability !== undefined && { maxSamplingProbability: boost.maxSamplingProbability }),
      ...(boost.cooldown !== undefined && { cooldownSeconds: parseDurationMs(boost.cooldown) / 1000 }),
    },
  };
}

/**
 * What decides every operation's settings, as plain data: the policies by service (`*` for the
 * default) and the services the strategies file serves (the default policy skips them). A
 * calculation thread receives it and resolves settings as the serving side does.
 */
export interface SettingsView {
  policies: Array<[string, Policy]>;
  fileServices: string[];
}

/** The settings of one operation: its service's policy, else `*` unless the file serves it. */
export function operationSettingsOf(
  policies: ReadonlyMap<string, Policy>,
  fileServices: { has(service: string): boolean } | undefined,
  service: string,
  operation: string,
): OperationSettings | undefined {
  const policy = policies.get(service) ?? (fileServices?.has(service) ? undefined : policies.get('*'));
  return policy && policySettings(policy, operation);
}
