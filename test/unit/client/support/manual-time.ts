import type { Cancel, Clock, Scheduler } from '../../../../src/client/timing';

/**
 * A clock and a scheduler that move only when a test says so. `advance` runs every task that
 * falls due on the way, in time order, with the clock set to each task's time.
 */
export class ManualTime implements Clock, Scheduler {
  private time = 1_000_000;
  private tasks: Array<{ at: number; seq: number; task: () => void }> = [];
  private seq = 0;

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, task: () => void): Cancel {
    const entry = { at: this.time + delayMs, seq: this.seq++, task };
    this.tasks.push(entry);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== entry);
    };
  }

  /** Tasks waiting, for checking that a shut-down component left nothing planned. */
  get pending(): number {
    return this.tasks.length;
  }

  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      this.time = due.at;
      due.task();
    }
    this.time = target;
  }
}
