import type { AdaptiveCalculator, Probabilities } from './calculator';
import { formatProbability } from './jaeger/format-probability';
import { JaegerCalculator } from './jaeger/jaeger-calculator';
import {
  ReplayInputError,
  type ReplayOptions,
  type SamplaneReplayOptions,
  expectObject,
  parseJaegerOptions,
  parseSamplaneOptions,
} from './replay-options';
import { SamplaneCalculator } from './samplane/samplane-calculator';
import { type ThroughputRecord, mergeThroughput } from './throughput';
import { qpsRecords } from './input-columns';

export {
  REPLAY_DEFAULT_OPTIONS,
  ReplayInputError,
  type ReplayOptions,
  SAMPLANE_REPLAY_DEFAULT_OPTIONS,
  type SamplaneReplayOptions,
} from './replay-options';

/**
 * `samplane replay`: feeds recorded or hand-written throughput through an adaptive algorithm,
 * one leader tick per round, so that its probabilities can be inspected, diffed between
 * algorithms and pinned in golden tests without running the service.
 */

export type ReplayAlgorithm = 'jaeger' | 'samplane';
const ALGORITHMS: readonly ReplayAlgorithm[] = ['jaeger', 'samplane'];

export interface ReplayRound {
  intervalSeconds: number;
  throughput: ThroughputRecord[];
}

export type ReplayInput =
  | { algorithm: 'jaeger'; options: ReplayOptions; rounds: ReplayRound[] }
  | { algorithm: 'samplane'; options: SamplaneReplayOptions; rounds: ReplayRound[] };

export interface ReplayRoundOutput {
  probabilities: Probabilities;
  /** service → operation → the QPS each probability was computed from (sampled traces per second). */
  qps: Probabilities;
  /** `samplane`: service → operation → the probability its error boost asked for, while boosted. */
  boosted?: Probabilities;
}

export interface ReplayOutput {
  rounds: ReplayRoundOutput[];
}

/** Validates a parsed replay document; options not given take the algorithm's defaults. */
export function parseReplayInput(json: unknown): ReplayInput {
  const root = expectObject(json, '(root)', ['algorithm', 'options', 'rounds']);
  const algorithm = parseAlgorithm(root.algorithm);
  const rounds = () => expectArray(root.rounds, 'rounds').map((round, i) => parseRound(round, `rounds[${i}]`));
  if (algorithm === 'samplane') return { algorithm, options: parseSamplaneOptions(root.options), rounds: rounds() };
  return { algorithm, options: parseJaegerOptions(root.options), rounds: rounds() };
}

/** Runs every round as one leader tick: prepend the round's bucket, then calculate. */
export function runReplay(input: ReplayInput): ReplayOutput {
  const calculator: AdaptiveCalculator =
    input.algorithm === 'samplane' ? new SamplaneCalculator(input.options) : new JaegerCalculator(input.options);
  const rounds = input.rounds.map((round): ReplayRoundOutput => {
    // As the engine builds buckets: exact counts and errors are samplane's alone.
    const records = input.algorithm === 'samplane' ? round.throughput : round.throughput.map(sampledOnly);
    calculator.addBucket({ throughput: mergeThroughput(records), intervalSeconds: round.intervalSeconds });
    const { probabilities, qps } = calculator.calculate();
    const result = { probabilities, qps: qpsRecords(qps) };
    const boosted = boostedOperations(calculator);
    return boosted ? { ...result, boosted } : result;
  });
  return { rounds };
}

function sampledOnly(record: ThroughputRecord): ThroughputRecord {
  return { service: record.service, operation: record.operation, count: record.count, probabilities: record.probabilities };
}

function boostedOperations(calculator: AdaptiveCalculator): Probabilities | undefined {
  let boosted: Probabilities | undefined;
  for (const [service, operations] of Object.entries(calculator.lastInputs())) {
    for (const [operation, inputs] of Object.entries(operations)) {
      const boost = inputs.errors?.boost;
      if (boost) ((boosted ??= {})[service] ??= {})[operation] = boost.probability;
    }
  }
  return boosted;
}

function parseAlgorithm(value: unknown): ReplayAlgorithm {
  if (typeof value !== 'string' || !ALGORITHMS.includes(value as ReplayAlgorithm)) {
    throw new ReplayInputError('algorithm', `expected one of ${ALGORITHMS.map((name) => `"${name}"`).join(', ')}`);
  }
  return value as ReplayAlgorithm;
}

function parseRound(value: unknown, path: string): ReplayRound {
  const round = expectObject(value, path, ['intervalSeconds', 'throughput']);
  const intervalSeconds = round.intervalSeconds;
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
    throw new ReplayInputError(`${path}.intervalSeconds`, 'expected a positive number');
  }
  const throughput = expectArray(round.throughput, `${path}.throughput`).map((record, i) =>
    parseRecord(record, `${path}.throughput[${i}]`),
  );
  return { intervalSeconds, throughput };
}

function parseRecord(value: unknown, path: string): ThroughputRecord {
  const record = expectObject(value, path, ['service', 'operation', 'count', 'exact', 'errors', 'outcomes', 'probabilities']);
  const service = expectName(record.service, `${path}.service`);
  const operation = expectName(record.operation, `${path}.operation`);
  const count = expectCount(record.count, `${path}.count`);
  const exact = countWithin(record.exact, `${path}.exact`, count, 'count');
  const outcomes = countWithin(record.outcomes, `${path}.outcomes`, count, 'count');
  const errors =
    outcomes === undefined
      ? countWithin(record.errors, `${path}.errors`, count, 'count')
      : countWithin(record.errors, `${path}.errors`, outcomes, 'outcomes');
  const probabilities =
    record.probabilities === undefined
      ? []
      : expectArray(record.probabilities, `${path}.probabilities`).map((p, i) => {
          // Any sampler param joins the set in Jaeger (a rate limit's too), so only finiteness is required.
          if (typeof p !== 'number' || !Number.isFinite(p)) {
            throw new ReplayInputError(`${path}.probabilities[${i}]`, 'expected a number');
          }
          return formatProbability(p);
        });
  return {
    service,
    operation,
    count,
    ...(exact !== undefined && { exact }),
    ...(errors !== undefined && { errors }),
    ...(outcomes !== undefined && { outcomes }),
    probabilities,
  };
}

function expectCount(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ReplayInputError(path, 'expected a non-negative integer');
  }
  return value;
}

/** An optional count that cannot exceed another field's: errors among outcomes, all within count. */
function countWithin(value: unknown, path: string, limit: number, limitName: string): number | undefined {
  if (value === undefined) return undefined;
  const count = expectCount(value, path);
  if (count > limit) throw new ReplayInputError(path, `expected at most ${limitName} (${limit})`);
  return count;
}

function expectName(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new ReplayInputError(path, 'expected a non-empty string');
  return value;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ReplayInputError(path, 'expected a list');
  return value;
}
