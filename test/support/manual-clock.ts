import type { Cancel, Clock } from '../../src/engine/clock';
import { type TimeSlicer, UNSLICED } from '../../src/common/time-slicer';

interface Timer {
  at: number;
  seq: number;
  /** Set for an interval: it is re-armed this far after each run. */
  every: number | undefined;
  task: () => void;
}

/**
 * The engine's clock for tests: time moves only through `advance`, which runs every timer that
 * falls due on the way, in time order, with the clock set to each timer's time, and lets the
 * work each one starts settle before the next. Engine tasks start promises they do not return
 * (`void this.contend()`), so settling waits for the event loop rather than for a promise.
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = 1_767_225_600_000) {
    this.time = start;
  }

  /** Work never yields: it is done where the test left the clock, however loaded the machine. */
  slicer(): TimeSlicer {
    return UNSLICED;
  }

  now(): number {
    return this.time;
  }

  setTimeout(task: () => void, delayMs: number): Cancel {
    return this.add(task, Math.max(0, delayMs), undefined);
  }

  setInterval(task: () => void, intervalMs: number): Cancel {
    // As Node does: an interval below 1 ms runs every millisecond, never in a tight loop.
    const every = Math.max(1, intervalMs);
    return this.add(task, every, every);
  }

  /** Timers waiting, for checking that a stopped component left nothing scheduled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await this.settle();
    for (;;) {
      const due = this.next(target);
      if (!due) break;
      this.time = due.at;
      if (due.every === undefined) this.timers = this.timers.filter((t) => t !== due);
      else {
        due.at += due.every;
        due.seq = this.seq++;
      }
      const result: unknown = due.task();
      if (result instanceof Promise) await result;
      await this.settle();
    }
    this.time = target;
  }

  /**
   * Lets work already started finish: a callback queued with setImmediate runs only once the
   * microtask queue is empty, so every chain of promises that waits only on other promises
   * (as the memory stores' do) has resolved by then.
   */
  settle(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  private add(task: () => void, delayMs: number, every: number | undefined): Cancel {
    const timer: Timer = { at: this.time + delayMs, seq: this.seq++, every, task };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  private next(target: number): Timer | undefined {
    let next: Timer | undefined;
    for (const t of this.timers) {
      if (t.at > target) continue;
      if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    }
    return next;
  }
}

/**
 * One replica's view of a shared manual clock: the same time, but its timers can all be
 * stopped at once, as when the process dies (nothing is released, its lease simply lapses).
 */
export class ProcessClock implements Clock {
  private readonly cancels = new Set<Cancel>();
  private dead = false;

  constructor(private readonly clock: ManualClock) {}

  slicer(): TimeSlicer {
    return UNSLICED;
  }

  now(): number {
    return this.clock.now();
  }

  setTimeout(task: () => void, delayMs: number): Cancel {
    return this.track((done) =>
      this.clock.setTimeout(() => {
        done();
        task();
      }, delayMs),
    );
  }

  setInterval(task: () => void, intervalMs: number): Cancel {
    return this.track(() => this.clock.setInterval(task, intervalMs));
  }

  /** Stops every timer of this process; timers it asks for later never run. */
  kill(): void {
    this.dead = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  private track(start: (done: () => void) => Cancel): Cancel {
    if (this.dead) return () => undefined;
    let cancel: Cancel = () => undefined;
    const done = () => this.cancels.delete(cancel);
    const inner = start(done);
    cancel = () => {
      inner();
      done();
    };
    this.cancels.add(cancel);
    return cancel;
  }
}
