import type Redis from 'ioredis';
import type { CalculationRecord, HistoryBounds, HistoryStore, ServicePoint } from '../history-store';
import { StoreUnavailableError } from '../store';

/**
 * One list per service, newest point first, trimmed to the bound and expiring once its service
 * is no longer written; all services of a calculation in one pipeline.
 */
export class RedisHistoryStore implements HistoryStore {
  private readonly calculationKey: string;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
    private readonly bounds: HistoryBounds,
  ) {
    this.calculationKey = `${keyPrefix}history:calculation`;
  }

  async record(points: ReadonlyMap<string, ServicePoint>, calculation: CalculationRecord): Promise<void> {
    const pipeline = this.client.pipeline();
    for (const [service, point] of points) {
      const key = this.serviceKey(service);
      pipeline.lpush(key, JSON.stringify(point));
      pipeline.ltrim(key, 0, this.bounds.points - 1);
      pipeline.pexpire(key, this.bounds.retentionMs);
    }
    pipeline.set(this.calculationKey, JSON.stringify(calculation));
    const results = await this.call(() => pipeline.exec());
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw new StoreUnavailableError(`redis: ${failed[0].message}`);
  }

  async read(service: string): Promise<ServicePoint[]> {
    const items = await this.call(() => this.client.lrange(this.serviceKey(service), 0, this.bounds.points - 1));
    return items.map((item) => JSON.parse(item) as ServicePoint).reverse();
  }

  async lastCalculation(): Promise<CalculationRecord | null> {
    const data = await this.call(() => this.client.get(this.calculationKey));
    return data === null ? null : (JSON.parse(data) as CalculationRecord);
  }

  // Names are JSON-quoted: any character a service name holds stays inside its own key.
  private serviceKey(service: string): string {
    return `${this.keyPrefix}history:service:${JSON.stringify(service)}`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
  }
}
