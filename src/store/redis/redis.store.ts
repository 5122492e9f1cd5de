import type Redis from 'ioredis';
import { type Fence, FencedOutError } from '../leader-lease';
import {
  type NewProbabilities,
  type ProbabilitiesSnapshot,
  type SamplingStore,
  StoreUnavailableError,
} from '../store';

// INCR and SET in one script so no reader ever sees a version without its data; with a fence
// (ARGV[2] = "holder|token"), only while that holder still has the lease (KEYS[3]).
const SAVE_PROBABILITIES = `
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return -1
end
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
return version`;

export class RedisStore implements SamplingStore {
  readonly kind = 'redis';
  private readonly versionKey: string;
  private readonly dataKey: string;
  private readonly leaderKey: string;

  constructor(
    private readonly client: Redis,
    keyPrefix: string,
  ) {
    this.versionKey = `${keyPrefix}probabilities:version`;
    this.dataKey = `${keyPrefix}probabilities:data`;
    this.leaderKey = `${keyPrefix}leader`;
  }

  async loadProbabilities(): Promise<ProbabilitiesSnapshot | null> {
    const [version, data] = await this.call(() => this.client.mget(this.versionKey, this.dataKey));
    if (version === null || data === null) return null;
    let parsed: NewProbabilities;
    try {
      parsed = JSON.parse(data) as NewProbabilities;
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${this.dataKey} is not JSON: ${(error as Error).message}`);
    }
    return {
      version: Number(version),
      computedAt: parsed.computedAt,
      probabilities: parsed.probabilities,
      qps: parsed.qps,
      dataThrough: parsed.dataThrough,
      traffic: parsed.traffic,
      inputs: parsed.inputs,
    };
  }

  async probabilitiesVersion(): Promise<number> {
    const version = await this.call(() => this.client.get(this.versionKey));
    return version === null ? 0 : Number(version);
  }

  async saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    const data = JSON.stringify({
      computedAt: snapshot.computedAt,
      probabilities: snapshot.probabilities,
      qps: snapshot.qps,
      dataThrough: snapshot.dataThrough,
      traffic: snapshot.traffic,
      inputs: snapshot.inputs,
    });
    const owner = fence ? `${fence.holder}|${fence.token}` : '';
    const version = Number(
      await this.call(
        () =>
          this.client.eval(SAVE_PROBABILITIES, 3, this.versionKey, this.dataKey, this.leaderKey, data, owner) as Promise<number>,
      ),
    );
    if (version < 0 && fence) throw new FencedOutError(fence.holder);
    return version;
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  onReconnect(listener: () => void): void {
    this.client.on('ready', listener);
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
  }
}
