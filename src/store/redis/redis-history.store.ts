import { UNSLICED } from '../../common/time-slicer';
import { decodePoint, encodePoint } from '../history-point-codec';
import type { CalculationRecord, HistoryBounds, HistoryStore, ServicePoint } from '../history-store';
import { RedisBatch, redisCall } from './redis-batch';
import type { RedisConnection } from './redis-client';
import { RedisKeys, hashTagOf } from './redis-keys';

/**
 * One list per service, newest point first (see `encodePoint`), trimmed to the bound and expiring once its service
 * is no longer written; all services of a calculation in one round trip (one per hash tag on a
 * cluster).
 */
export class RedisHistoryStore implements HistoryStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly client: RedisConnection,
    keyPrefix: string,
    private readonly bounds: HistoryBounds,
  ) {
    this.keys = new RedisKeys(keyPrefix);
  }

  async record(points: ReadonlyMap<string, ServicePoint>, calculation: CalculationRecord, slicer = UNSLICED): Promise<void> {
    const batch = new RedisBatch(this.client);
    for (const [service, point] of points) {
      const key = this.keys.historyPoints(service);
      const encoded = encodePoint(point);
      batch.add(hashTagOf(key), (pipeline) =>
        pipeline.lpush(key, encoded).ltrim(key, 0, this.bounds.points - 1).pexpire(key, this.bounds.retentionMs),
      );
      if (slicer.due()) await slicer.yield();
    }
    batch.add('control', (pipeline) => pipeline.set(this.keys.historyCalculation, JSON.stringify(calculation)));
    await batch.exec();
  }

  /** The service's points, with those an earlier version wrote (until they expire) before them. */
  async read(service: string): Promise<ServicePoint[]> {
    const last = this.bounds.points - 1;
    const [points, earlier] = await Promise.all([
      redisCall(() => this.client.lrange(this.keys.historyPoints(service), 0, last)),
      redisCall(() => this.client.lrange(this.keys.history(service), 0, last)),
    ]);
    // Each list newest first; a leader of either version may have written the newer points.
    const read = [...points.map(decodePoint), ...earlier.map((item) => JSON.parse(item) as ServicePoint)];
    return read.sort((a, b) => b.at - a.at).slice(0, this.bounds.points).reverse();
  }

  async lastCalculation(): Promise<CalculationRecord | null> {
    const data = await redisCall(() => this.client.get(this.keys.historyCalculation));
    return data === null ? null : (JSON.parse(data) as CalculationRecord);
  }
}
