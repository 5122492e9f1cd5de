/**
 * Time and timers as the client sees them. Tests substitute a manual clock and scheduler, so
 * report windows, backoff and rate limits are driven step by step instead of by sleeping.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale: only differences are used. */
  now(): number;
}

/** Cancels a scheduled task; calling it after the task ran does nothing. */
export type Cancel = () => void;

export interface Scheduler {
  /** Runs `task` once after `delayMs`. The task must never keep the process alive. */
  schedule(delayMs: number, task: () => void): Cancel;
}

// Monotonic, so a wall-clock step (NTP, a VM resuming) cannot empty or overfill a rate limiter.
export const systemClock: Clock = { now: () => performance.now() };

export const unrefScheduler: Scheduler = {
  schedule(delayMs, task) {
    const timer = setTimeout(task, delayMs);
    // An application must be able to exit while Samplane's client still has work planned.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
