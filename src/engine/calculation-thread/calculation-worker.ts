import { setPriority } from 'node:os';

/**
 * The calculation thread's entry. It runs at a lower priority than the serving thread, so on a
 * busy machine the kernel gives a poll its turn first; lowered before anything else is loaded,
 * since loading the engine is itself a second of CPU beside a replica that is still starting.
 */
export const CALCULATION_THREAD_NICE = 10;

try {
  // Linux keeps a nice value per thread: this lowers this thread only.
  setPriority(CALCULATION_THREAD_NICE);
} catch {
  // Not permitted here: the calculation still runs, only without the lower priority.
}
void import('./calculation-worker-run');
