import { type OperationThroughput, type ServiceThroughput, type ThroughputBucket, lowestProbability } from './throughput';

/**
 * Numbers per operation in a packed bucket, at these columns; `lowest` is the lowest
 * probability its list holds (see `lowestProbability`), which a bucket read without lists
 * still has. The columns are those an interval read's counts already have (`COUNT` in
 * store/packed-counts, whose column 0, the sampled spans, is not read here), so a read of
 * requests becomes a bucket without a copy.
 */
export const PACKED = { count: 1, exact: 2, errors: 3, outcomes: 4, recent: 5, lowest: 6 } as const;
/** Numbers per operation: a row's length in `PackedOperations.values`. */
export const PACKED_WIDTH = 7;

/** One service's operations of a packed bucket: row `i` is `ops[i]`, its list `lists[i]`. */
export interface PackedOperations {
  readonly ops: readonly string[];
  /**
   * Row-major (see `PACKED`); `exact` NaN where unknown, `outcomes` and the rest resolved. A
   * read's array as it is: room for more rows than `ops` names, column 0 its sampled spans.
   */
  readonly values: Float64Array;
  /** Each row's probabilities list; `NO_PROBABILITIES` each where it was read without them. */
  readonly lists: ReadonlyArray<readonly string[]>;
}

/**
 * A bucket as names, one Float64Array and the probabilities lists it already held: what a
 * calculator queues until its next calculation. As a map of objects a bucket costs about 150
 * bytes per operation (each number boxed); a new leader queues ten of them, which at 200,000
 * operations was 285 MiB held at once.
 */
export class PackedBucket {
  readonly services = new Map<string, PackedOperations>();

  private constructor(
    readonly intervalSeconds: number,
    readonly recentSeconds: number | undefined,
    /** Operations over all services. */
    readonly size: number,
  ) {}

  /** A bucket of services already packed (with a recent part `recentSeconds` long, if given). */
  static from(services: Map<string, PackedOperations>, intervalSeconds: number, recentSeconds?: number): PackedBucket {
    let rows = 0;
    for (const { ops } of services.values()) rows += ops.length;
    const packed = new PackedBucket(intervalSeconds, recentSeconds, rows);
    for (const [service, operations] of services) packed.services.set(service, operations);
    return packed;
  }

  static of(bucket: ThroughputBucket): PackedBucket {
    const rows = operationsIn(bucket);
    const packed = new PackedBucket(bucket.intervalSeconds, bucket.recentSeconds, rows);
    const block = new Float64Array(rows * PACKED_WIDTH);
    let used = 0;
    for (const [service, operations] of bucket.throughput) {
      const values = block.subarray(used * PACKED_WIDTH, (used + operations.size) * PACKED_WIDTH);
      const ops: string[] = [];
      const lists: Array<readonly string[]> = [];
      let o = 0;
      for (const [operation, t] of operations) {
        ops.push(operation);
        lists.push(t.probabilities);
        values[o + PACKED.count] = t.count;
        values[o + PACKED.exact] = t.exact ?? Number.NaN;
        values[o + PACKED.recent] = t.recent ?? 0;
        values[o + PACKED.outcomes] = t.outcomes ?? t.count;
        values[o + PACKED.errors] = t.errors ?? 0;
        values[o + PACKED.lowest] = lowestProbability(t.probabilities);
        o += PACKED_WIDTH;
      }
      used += operations.size;
      packed.services.set(service, { ops, values, lists });
    }
    return packed;
  }

  /** Back as a map of objects, for a calculator that keeps buckets as they are (lists as they were read). */
  unpacked(): ThroughputBucket {
    const throughput: ServiceThroughput = new Map();
    for (const [service, { ops, values, lists }] of this.services) {
      const operations = new Map<string, OperationThroughput>();
      ops.forEach((op, i) => {
        const at = i * PACKED_WIDTH;
        const exact = values[at + PACKED.exact];
        operations.set(op, {
          count: values[at + PACKED.count],
          ...(!Number.isNaN(exact) && { exact }),
          recent: values[at + PACKED.recent],
          outcomes: values[at + PACKED.outcomes],
          errors: values[at + PACKED.errors],
          probabilities: lists[i],
        });
      });
      throughput.set(service, operations);
    }
    return { throughput, intervalSeconds: this.intervalSeconds, ...(this.recentSeconds !== undefined && { recentSeconds: this.recentSeconds }) };
  }
}

/** The services a bucket of either form has counts for. */
export function servicesOf(bucket: ThroughputBucket | PackedBucket): Iterable<string> {
  return bucket instanceof PackedBucket ? bucket.services.keys() : bucket.throughput.keys();
}

/** Operations over all of a bucket's services, either form. */
export function operationsIn(bucket: ThroughputBucket | PackedBucket): number {
  if (bucket instanceof PackedBucket) return bucket.size;
  let rows = 0;
  for (const operations of bucket.throughput.values()) rows += operations.size;
  return rows;
}
