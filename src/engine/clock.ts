import { type TimeSlicer, timeSlicer } from '../common/time-slicer';

/**
 * Time and timers as the engine sees them. Tests substitute a manual clock that moves only when
 * told to, so leadership, takeover and ticks are driven step by step instead of by sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch: lease expiry and throughput slots are compared across replicas. */
  now(): number;
  /** Runs `task` once after `delayMs`. Never keeps the process alive. */
  setTimeout(task: () => void, delayMs: number): Cancel;
  /** Runs `task` every `intervalMs` until cancelled. Never keeps the process alive. */
  setInterval(task: () => void, intervalMs: number): Cancel;
  /**
   * Slices for the engine's long loops. On the system clock they follow real time; a manual
   * clock's never end, so a step's work finishes where the test left the clock, whatever the load.
   */
  slicer(): TimeSlicer;
}

/** Stops a scheduled task; calling it after the task ran, or twice, does nothing. */
export type Cancel = () => void;

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = {
  now: () => Date.now(),
  slicer: () => timeSlicer(),
  setTimeout(task, delayMs) {
    const timer = setTimeout(task, delayMs);
    // Shutdown stops the engine's timers itself; a timer must not be what holds the process.
    timer.unref();
    return () => clearTimeout(timer);
  },
  setInterval(task, intervalMs) {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
