import type { TimeSlicer } from '../../common/time-slicer';

/** How far the heap may grow past what was live at the last collection, at least. */
export const MIN_HEAP_SLACK_BYTES = 64 * 2 ** 20;
/** And as a share of what was live: a collection costs about what is live, so it is paid per that much allocated. */
export const HEAP_SLACK_SHARE = 0.5;

/**
 * Keeps the calculation thread's heap near what it holds. A calculation's transients (a large
 * fleet's interval read as text, the snapshot and state encoded to be saved) are garbage within
 * seconds, but V8 lets an old generation grow to several times what was live before collecting
 * it, and a process keeps what its heap once took: at a million operations this thread's heap
 * reached 530–650 MiB around 120–210 MiB live. Checked where the calculation yields anyway.
 */
export class HeapBound {
  private limit: number;

  constructor(
    /** A full collection. */
    private readonly gc: () => void,
    /** Bytes in use on this thread's heap. */
    private readonly used: () => number,
  ) {
    this.limit = this.limitAbove(used());
  }

  /** Collects now, and measures from what is live after. */
  collect(): void {
    this.gc();
    this.limit = this.limitAbove(this.used());
  }

  /** Collects if the heap has outgrown the slack since the last collection. */
  check(): void {
    if (this.used() > this.limit) this.collect();
  }

  /** `slicer`, checking the heap at each yield. */
  slicer(slicer: TimeSlicer): TimeSlicer {
    return {
      due: () => slicer.due(),
      yield: () => {
        this.check();
        return slicer.yield();
      },
    };
  }

  private limitAbove(live: number): number {
    return live + Math.max(MIN_HEAP_SLACK_BYTES, live * HEAP_SLACK_SHARE);
  }
}
