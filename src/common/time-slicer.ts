/**
 * Long loops (a calculation, decoding a snapshot, re-encoding answers) run in slices of a few
 * milliseconds and give the event loop a turn in between, so a poll never waits behind them.
 */
export interface TimeSlicer {
  /** Whether the current slice has used its time. Cheap enough to ask every few items. */
  due(): boolean;
  /** Lets pending I/O (polls, reports) run, then starts a new slice. */
  yield(): Promise<void>;
}

/** Slices of `budgetMs` on the event loop; a long loop asks `due()` and yields when it is. */
export function timeSlicer(budgetMs = 2): TimeSlicer {
  let started = performance.now();
  return {
    due: () => performance.now() - started >= budgetMs,
    yield: () =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          started = performance.now();
          resolve();
        }),
      ),
  };
}

/** Never yields: for callers that run synchronously anyway (the simulator, tests of pure logic). */
export const UNSLICED: TimeSlicer = { due: () => false, yield: () => Promise.resolve() };

/** Runs a computation written as steps (it yields between them) to its end, synchronously. */
export function runToEnd<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Runs the same steps, giving the event loop a turn whenever a slice is used up. */
export async function runInSlices<T>(steps: Generator<void, T>, slicer: TimeSlicer): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    if (slicer.due()) await slicer.yield();
    step = steps.next();
  }
  return step.value;
}
