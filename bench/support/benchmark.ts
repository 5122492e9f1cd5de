/** One benchmark `bench/run.ts` runs; it prints its own report as it goes. */
export interface Benchmark {
  name: string;
  /** Resolves with whether the benchmark met its target; rejects if it could not measure. */
  run(): Promise<boolean>;
}
