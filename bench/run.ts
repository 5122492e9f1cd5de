/**
 * `npm run bench`: every benchmark in turn, then one verdict. Exits 1 if any missed its
 * target, 2 if any could not measure.
 */
import type { Benchmark } from './support/benchmark';
import { calculation } from './calculation';
import { clientOverhead } from './client-overhead';
import { ingestThroughput } from './ingest-throughput';
import { pollThroughput } from './poll-throughput';

const BENCHMARKS: Benchmark[] = [pollThroughput, ingestThroughput, calculation, clientOverhead];

async function main(): Promise<number> {
  const verdicts: string[] = [];
  let exitCode = 0;
  for (const benchmark of BENCHMARKS) {
    console.log(`\n== ${benchmark.name}`);
    try {
      const passed = await benchmark.run();
      verdicts.push(`${passed ? 'PASS' : 'FAIL'}  ${benchmark.name}`);
      if (!passed) exitCode = Math.max(exitCode, 1);
    } catch (error) {
      console.error(`${benchmark.name} could not run: ${(error as Error).stack ?? String(error)}`);
      verdicts.push(`ERROR ${benchmark.name}`);
      exitCode = 2;
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
