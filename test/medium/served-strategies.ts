import { RedisKeys } from '../../src/store/redis/redis-keys';
import { redisCli } from '../support/redis-cli';
import type { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

/**
 * These tests play the leader and write snapshots themselves; the process's own engine must
 * not write over them. With these knobs it contends for the lease and calculates only once
 * every 20 minutes and every hour, far beyond any test.
 */
export const IDLE_ENGINE_ENV = { ADAPTIVE_LEADER_LEASE: '1h', ADAPTIVE_CALCULATION_INTERVAL: '1h' };

/** Takes the leader lease in Redis for the test, so a process started next is a follower. */
export async function holdLeaderLease(port: number, keyPrefix = 'samplane:'): Promise<void> {
  await redisCli(port, 'SET', new RedisKeys(keyPrefix).leader, 'medium-test|1', 'PX', String(3_600_000));
}

/** The adaptive answer with Jaeger's defaults and no computed operations. */
export const DEFAULT_ANSWER = {
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.001 },
  operationSampling: {
    defaultSamplingProbability: 0.001,
    defaultLowerBoundTracesPerSecond: 0.016666666666666666,
    perOperationStrategies: [],
    defaultUpperBoundTracesPerSecond: 0,
  },
};

/** The adaptive answer for a service whose operations have computed probabilities. */
export function adaptiveAnswer(rates: Record<string, number>): unknown {
  return {
    ...DEFAULT_ANSWER,
    operationSampling: {
      ...DEFAULT_ANSWER.operationSampling,
      perOperationStrategies: Object.entries(rates)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([operation, samplingRate]) => ({
        operation,
        probabilisticSampling: { samplingRate },
      })),
    },
  };
}

interface PolledAnswer {
  operationSampling?: { perOperationStrategies?: { operation: string }[] };
}

/** A poll's answer with its operations in a stable order, to compare whole answers. */
export async function pollSorted(samplane: SamplaneProcess, service: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(`${samplane.url}/sampling?service=${encodeURIComponent(service)}`, { signal });
  if (response.status !== 200) throw new Error(`poll for ${service} answered ${response.status}`);
  const body = (await response.json()) as PolledAnswer;
  body.operationSampling?.perOperationStrategies?.sort((a, b) => a.operation.localeCompare(b.operation));
  return body;
}

/** Resolves once polls for `service` are answered with `expected`. */
export async function waitUntilServed(samplane: SamplaneProcess, service: string, expected: unknown): Promise<void> {
  let last: unknown;
  try {
    await waitFor(async () => {
      last = await pollSorted(samplane, service);
      return JSON.stringify(last) === JSON.stringify(expected);
    }, `polls for ${service} to be answered with the expected strategy`);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nexpected ${JSON.stringify(expected)}\nlast     ${JSON.stringify(last)}\n${samplane.output}`,
      { cause: error },
    );
  }
}

export interface Readyz {
  status: number;
  body: { status: string; checks: Record<string, { status: string; kind?: string; reason?: string }> };
}

export async function readyz(samplane: SamplaneProcess): Promise<Readyz> {
  const response = await fetch(`${samplane.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readyz['body'] };
}

/** Resolves once /readyz answers `status`; on time-out, says what it answered instead. */
export async function waitUntilReadyz(samplane: SamplaneProcess, status: 200 | 503): Promise<Readyz> {
  let last: Readyz | undefined;
  try {
    return await waitFor(async () => {
      last = await readyz(samplane);
      return last.status === status && last;
    }, `/readyz to answer ${status}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast answer ${JSON.stringify(last)}\n${samplane.output}`, {
      cause: error,
    });
  }
}
