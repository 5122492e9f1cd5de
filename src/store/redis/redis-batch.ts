import { Cluster } from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { StoreUnavailableError } from '../store';
import type { RedisConnection } from './redis-client';
import { hashTagOf } from './redis-keys';

/**
 * Commands grouped by hash tag. On one Redis every group goes in one pipeline (one round
 * trip); on a cluster each group is a pipeline of its own, sent to its node in parallel, since
 * a cluster pipeline may only touch one slot. Results come back per group, in command order.
 */
export class RedisBatch {
  private readonly groups = new Map<string, Command[]>();

  constructor(private readonly client: RedisConnection) {}

  /**
   * Adds commands to `group` (keys sharing one hash tag); returns the batch for chaining.
   * `settled`, for `settle`, is given the outcome of each command `command` added.
   */
  add(group: string, command: (pipeline: ChainableCommander) => void, settled?: (outcomes: Array<Error | undefined>) => void): this {
    const commands = this.groups.get(group);
    const entry = { command, settled };
    if (commands) commands.push(entry);
    else this.groups.set(group, [entry]);
    return this;
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * Runs the batch as `exec` does, each command's outcome apart: undefined where it succeeded,
   * else its error (every command's, where its pipeline failed whole), given to the `settled`
   * of the `add` that made it. Redis refusing some writes (a full Redis), or a cluster node
   * going away, fails only the commands it refused. Resolves to the first error, if any.
   */
  async settle(): Promise<Error | undefined> {
    let first: Error | undefined;
    const run = async (groups: Command[][]): Promise<void> => {
      const pipeline = this.client.pipeline();
      // Where each `add`'s commands sit in the pipeline.
      const spans: Array<{ settled: Command['settled']; start: number; end: number }> = [];
      for (const commands of groups) {
        for (const { command, settled } of commands) {
          const start = pipeline.length;
          command(pipeline);
          spans.push({ settled, start, end: pipeline.length });
        }
      }
      let results: Array<[Error | null, unknown]> | null = null;
      let whole: Error | undefined;
      try {
        results = await pipeline.exec();
      } catch (error) {
        whole = error as Error;
      }
      if (!results) whole ??= new Error('pipeline was discarded');
      for (const { settled, start, end } of spans) {
        const outcomes = whole || !results ? new Array<Error>(end - start).fill(whole as Error) : results.slice(start, end).map(([error]) => error ?? undefined);
        first ??= outcomes.find((error) => error);
        settled?.(outcomes);
      }
    };
    if (this.groups.size === 0) return undefined;
    if (!(this.client instanceof Cluster)) await run([...this.groups.values()]);
    else await Promise.all([...this.groups.values()].map((commands) => run([commands])));
    return first;
  }

  /** group → results of its commands; any failed command fails the batch. */
  async exec(): Promise<Map<string, unknown[]>> {
    const results = new Map<string, unknown[]>();
    if (this.groups.size === 0) return results;
    if (!(this.client instanceof Cluster)) {
      const pipeline = this.client.pipeline();
      const counts: Array<[string, number]> = [];
      for (const [group, commands] of this.groups) {
        for (const { command } of commands) command(pipeline);
        counts.push([group, pipeline.length]);
      }
      const values = await execPipeline(pipeline);
      let start = 0;
      for (const [group, end] of counts) {
        results.set(group, values.slice(start, end));
        start = end;
      }
      return results;
    }
    await Promise.all(
      [...this.groups].map(async ([group, commands]) => {
        const pipeline = this.client.pipeline();
        for (const { command } of commands) command(pipeline);
        results.set(group, await execPipeline(pipeline));
      }),
    );
    return results;
  }
}

interface Command {
  command: (pipeline: ChainableCommander) => void;
  settled?: (outcomes: Array<Error | undefined>) => void;
}

/** One command (or script), its failure reported as the store being unavailable. */
export async function redisCall<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
  }
}

export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  let results: [Error | null, unknown][] | null;
  try {
    results = await pipeline.exec();
  } catch (error) {
    throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
  }
  if (!results) throw new StoreUnavailableError('redis: pipeline was discarded');
  return results.map(([error, value]) => {
    if (error) throw new StoreUnavailableError(`redis: ${error.message}`, { cause: error });
    return value;
  });
}

/** Expires (or with 0 deletes) keys, grouped by their shard's hash tag. */
export async function expireKeys(client: RedisConnection, keys: string[], ttlMs: number): Promise<void> {
  const batch = new RedisBatch(client);
  for (const key of keys) {
    batch.add(hashTagOf(key), (pipeline) => (ttlMs > 0 ? pipeline.pexpire(key, ttlMs) : pipeline.del(key)));
  }
  await batch.exec();
}
