/** One shard's flush text for one slot (UTF-8), and how many operation counts it carries. */
export interface SlotText {
  shard: number;
  slot: number;
  bytes: Buffer;
  operations: number;
}

/** Text kept for the next flush: a few seconds of a million operations' reports to one replica (~17 MiB a second). */
const MAX_KEPT_BYTES = 64 * 2 ** 20;

/**
 * Flush text Redis did not take, or may not have (a reply that never came), by shard and slot,
 * written first by the next flush: a master failing over, or Redis away for a few seconds, loses
 * no counts, and they land in their own slots (never the current one, where an outage's traffic
 * would read as a spike). Each flush's text is a block its readers take once (`flush-blocks`),
 * so a write Redis had applied after all counts once. Kept for as long as the slots are kept,
 * up to a bound (the first refused go first: the leader is likeliest to have read their slots);
 * what goes is counted dropped.
 */
export class UnwrittenSlots {
  private kept = new Map<string, SlotText>();
  private bytes = 0;
  private keptOperations = 0;
  private droppedOperations = 0;

  constructor(private readonly retentionMs: number) {}

  /** Whether any text is kept. */
  get holding(): boolean {
    return this.kept.size > 0;
  }

  /**
   * The kept text still within the retention at `now` and of slots a calculation may still
   * read (not `read`), handed over; the rest, which nothing would read, counted dropped.
   */
  take(now: number, read: (slot: number) => boolean = () => false): Map<string, SlotText> {
    const taken = new Map<string, SlotText>();
    for (const [key, group] of this.kept) {
      if (group.slot + this.retentionMs > now && !read(group.slot)) taken.set(key, group);
      else this.droppedOperations += group.operations;
    }
    this.kept = new Map();
    this.bytes = 0;
    this.keptOperations = 0;
    return taken;
  }

  /** Keeps `group`, which a flush could not write (Redis refused it or did not answer). */
  keep(group: SlotText): void {
    this.kept.set(`${group.shard}|${group.slot}`, group);
    this.bytes += group.bytes.length;
    this.keptOperations += group.operations;
    for (const [key, oldest] of this.kept) {
      if (this.bytes <= MAX_KEPT_BYTES) break;
      this.kept.delete(key);
      this.bytes -= oldest.bytes.length;
      this.keptOperations -= oldest.operations;
      this.droppedOperations += oldest.operations;
    }
  }

  /** Operation counts kept for the next flush. */
  get operations(): number {
    return this.keptOperations;
  }

  /** Operation counts dropped since the last call. */
  takeDropped(): number {
    const dropped = this.droppedOperations;
    this.droppedOperations = 0;
    return dropped;
  }
}
