/** Time as the engine sees it; tests substitute a manual clock instead of sleeping. */
export interface Clock {
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
