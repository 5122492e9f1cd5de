import type { CalculationRecord, HistoryBounds, HistoryStore, ServicePoint } from '../history-store';

/** History for the embedded single-replica store. */
export class MemoryHistoryStore implements HistoryStore {
  private readonly services = new Map<string, { points: ServicePoint[]; writtenAt: number }>();
  private last: CalculationRecord | null = null;

  constructor(private readonly bounds: HistoryBounds) {}

  record(points: ReadonlyMap<string, ServicePoint>, calculation: CalculationRecord): Promise<void> {
    for (const [service, point] of points) {
      const entry = this.services.get(service) ?? { points: [], writtenAt: 0 };
      entry.points.push(structuredClone(point));
      if (entry.points.length > this.bounds.points) entry.points.splice(0, entry.points.length - this.bounds.points);
      entry.writtenAt = calculation.at;
      this.services.set(service, entry);
    }
    // As Redis expires them: services no longer written lose their points after retention.
    for (const [service, entry] of this.services) {
      if (calculation.at - entry.writtenAt > this.bounds.retentionMs) this.services.delete(service);
    }
    this.last = { ...calculation };
    return Promise.resolve();
  }

  read(service: string): Promise<ServicePoint[]> {
    return Promise.resolve(structuredClone(this.services.get(service)?.points ?? []));
  }

  lastCalculation(): Promise<CalculationRecord | null> {
    return Promise.resolve(this.last && { ...this.last });
  }
}
