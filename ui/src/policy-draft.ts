import type { ErrorBoost, Policy } from './api';

/** The policy form's state: text as typed, so a wrong value reaches the API and its 400 names the field. */
export interface Draft {
  mode: Policy['mode'];
  samplingRate: string;
  maxTracesPerSecond: string;
  targetSamplesPerSecond: string;
  budgetTracesPerSecond: string;
  minSamplingProbability: string;
  maxSamplingProbability: string;
  lowerBoundTracesPerSecond: string;
  boost: 'default' | 'off' | 'custom';
  boostTarget: string;
  boostMax: string;
  boostCooldown: string;
  operations: { operation: string; samplingRate: string; targetSamplesPerSecond: string }[];
  description: string;
}

const text = (value: number | string | undefined): string => (value === undefined ? '' : String(value));

export function draftOf(policy: Policy | null): Draft {
  const boost = policy?.errorBoost;
  return {
    mode: policy?.mode ?? 'adaptive',
    samplingRate: text(policy?.samplingRate),
    maxTracesPerSecond: text(policy?.maxTracesPerSecond),
    targetSamplesPerSecond: text(policy?.targetSamplesPerSecond),
    budgetTracesPerSecond: text(policy?.budgetTracesPerSecond),
    minSamplingProbability: text(policy?.minSamplingProbability),
    maxSamplingProbability: text(policy?.maxSamplingProbability),
    lowerBoundTracesPerSecond: text(policy?.lowerBoundTracesPerSecond),
    boost: boost === undefined ? 'default' : boost === false ? 'off' : 'custom',
    boostTarget: boost ? text(boost.targetErrorSamplesPerSecond) : '',
    boostMax: boost ? text(boost.maxSamplingProbability) : '',
    boostCooldown: boost ? text(boost.cooldown) : '',
    operations: (policy?.operations ?? []).map((op) => ({
      operation: op.operation,
      samplingRate: text(op.samplingRate),
      targetSamplesPerSecond: text(op.targetSamplesPerSecond),
    })),
    description: policy?.description ?? '',
  };
}

/** A number where the text is one; the text itself otherwise, for the API to refuse by name. */
function value(input: string): number | string | undefined {
  const trimmed = input.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : trimmed;
}

/** Fields a mode does not use are left out, as the API would refuse them. */
export function documentOf(draft: Draft): Record<string, unknown> {
  const doc: Record<string, unknown> = { mode: draft.mode };
  const put = (key: string, input: string): void => {
    const v = value(input);
    if (v !== undefined) doc[key] = v;
  };
  if (draft.mode === 'probabilistic') put('samplingRate', draft.samplingRate);
  if (draft.mode === 'ratelimiting') put('maxTracesPerSecond', draft.maxTracesPerSecond);
  if (draft.mode === 'adaptive') {
    put('targetSamplesPerSecond', draft.targetSamplesPerSecond);
    put('budgetTracesPerSecond', draft.budgetTracesPerSecond);
    put('minSamplingProbability', draft.minSamplingProbability);
    put('maxSamplingProbability', draft.maxSamplingProbability);
    if (draft.boost === 'off') doc.errorBoost = false;
    if (draft.boost === 'custom') {
      const boost: Record<string, unknown> = {};
      const target = value(draft.boostTarget);
      const max = value(draft.boostMax);
      if (target !== undefined) boost.targetErrorSamplesPerSecond = target;
      if (max !== undefined) boost.maxSamplingProbability = max;
      if (draft.boostCooldown.trim() !== '') boost.cooldown = draft.boostCooldown.trim();
      doc.errorBoost = boost as ErrorBoost;
    }
  }
  put('lowerBoundTracesPerSecond', draft.lowerBoundTracesPerSecond);
  if (draft.operations.length > 0) {
    doc.operations = draft.operations.map((op) => {
      const entry: Record<string, unknown> = { operation: op.operation };
      const rate = value(op.samplingRate);
      const target = value(op.targetSamplesPerSecond);
      if (rate !== undefined) entry.samplingRate = rate;
      if (target !== undefined) entry.targetSamplesPerSecond = target;
      return entry;
    });
  }
  if (draft.description.trim() !== '') doc.description = draft.description;
  return doc;
}
