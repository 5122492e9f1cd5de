/** One shard's flush text for one slot, and how many operation counts it carries. */
export interface SlotText {
  shard: number;
  slot: number;
  text: string;
  operations: number;
}

/** Text kept for the next flush: ~10 s of a million operations' reports to one replica (characters, mostly ASCII). */
const MAX_KEPT_CHARACTERS = 64 * 2 ** 20;

/**
 * Flush text Redis did not take, by shard and slot, written first by the next flush: a master
 * failing over, or Redis away for a few seconds, loses no counts, and they land in their own
 * slots (never the current one, where an outage's traffic would read as a spike). Kept only
 * where Redis certainly did not apply the write (see `certainlyNotApplied`), for as long as the slots are kept, up to a
 * bound (the first refused go first: the leader is likeliest to have read their slots); what
 * goes is counted dropped.
 */
export class UnwrittenSlots {
  private kept = new Map<string, SlotText>();
  private characters = 0;
  private keptOperations = 0;
  private droppedOperations = 0;
  /** Whether the last flush failed: a connection already lost then carried none of this one's writes. */
  private failing = false;

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
    this.characters = 0;
    this.keptOperations = 0;
    return taken;
  }

  /** Keeps `group`, which Redis refused with `error` (true), or drops it where the write may have been applied. */
  refused(group: SlotText, error: Error): boolean {
    if (!certainlyNotApplied(error, this.failing)) {
      this.droppedOperations += group.operations;
      return false;
    }
    this.kept.set(`${group.shard}|${group.slot}`, group);
    this.characters += group.text.length;
    this.keptOperations += group.operations;
    for (const [key, oldest] of this.kept) {
      if (this.characters <= MAX_KEPT_CHARACTERS) break;
      this.kept.delete(key);
      this.characters -= oldest.text.length;
      this.keptOperations -= oldest.operations;
      this.droppedOperations += oldest.operations;
    }
    return true;
  }

  /** How the flush whose groups were just judged ended: what its failure says of the next. */
  ended(failed: boolean): void {
    this.failing = failed;
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

/**
 * Whether a failed write certainly did not change Redis: Redis answered it with an error
 * (CLUSTERDOWN, READONLY, OOM, …), or the client never sent it (no connection, the cluster
 * not ready, or no node for its slot). A timeout leaves that unknown (written again, it might
 * count twice), and so does a connection lost under a write: ioredis fails what it had sent
 * with "max retries per request" or "aborted" (one Redis, Sentinel), never what it had not.
 * A cluster node's connection fails both kinds as "Connection is closed.": under the first
 * failing flush that is taken as a write in flight; once a flush has failed, as a write to a
 * node already down (how every write to it fails until the failover), whose counts are kept.
 */
function certainlyNotApplied(error: Error, failing: boolean): boolean {
  if (error.name === 'ReplyError') return true;
  if (/Stream isn't writeable|Cluster isn't ready|Failed to refresh slots cache|None of startup nodes is available/i.test(error.message)) return true;
  return failing && /^Connection is closed/i.test(error.message);
}
