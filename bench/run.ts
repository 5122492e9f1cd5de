/**
 * `npm run bench [NAME…]`: every benchmark (or those named) in turn, then one verdict.
 * Targets the product promises (poll throughput against a bare server, the client's cost per
 * decision) gate the exit code: 1 if one is missed, 2 if one could not measure. The scale
 * targets of ingest and calculation are tracked: a miss is printed, not fatal, because they
 * mark known limits being worked on rather than regressions.
 *
 * `scale` (a whole fleet of replicas, Redis, load and pollers, minutes per size) runs only when
 * named (`npm run bench scale`): a plain `npm run bench` leaves it out.
 */
import type { Benchmark } from './support/benchmark';
import { calculation } from './calculation';
import { clientOverhead } from './client-overhead';
import { ingestThroughput } from './ingest-throughput';
import { pollThroughput } from './poll-throughput';
import { scale } from './scale';
import { tlsPollThroughput } from './tls-poll-throughput';

const BENCHMARKS: { benchmark: Benchmark; gating: boolean; onlyWhenNamed?: boolean }[] = [
  { benchmark: pollThroughput, gating: true },
  { benchmark: tlsPollThroughput, gating: true },
  { benchmark: ingestThroughput, gating: false },
  { benchmark: calculation, gating: false },
  { benchmark: clientOverhead, gating: true },
  { benchmark: scale, gating: false, onlyWhenNamed: true },
];

async function main(names: string[]): Promise<number> {
  const chosen = BENCHMARKS.filter(({ benchmark, onlyWhenNamed }) =>
    names.length === 0 ? !onlyWhenNamed : names.some((n) => benchmark.name.includes(n)),
  );
  if (chosen.length === 0) {
    console.error(`no benchmark matches ${names.join(', ')}; there are: ${BENCHMARKS.map((b) => b.benchmark.name).join(', ')}`);
    return 2;
  }
  const verdicts: string[] = [];
  let exitCode = 0;
  for (const { benchmark, gating } of chosen) {
    console.log(`\n== ${benchmark.name}`);
    try {
      const passed = await benchmark.run();
      verdicts.push(`${passed ? 'PASS' : gating ? 'FAIL' : 'MISS (tracked)'}  ${benchmark.name}`);
      if (!passed && gating) exitCode = Math.max(exitCode, 1);
    } catch (error) {
      console.error(`${benchmark.name} could not run: ${(error as Error).stack ?? String(error)}`);
      verdicts.push(`ERROR ${benchmark.name}`);
      exitCode = 2;
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
