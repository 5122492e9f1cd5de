#!/usr/bin/env node
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReplayInputError, parseReplayInput, runReplay } from './sampling/replay';

const USAGE = `usage: samplane <command>

commands:
  serve           run the service (configured by environment variables; see README)
  healthcheck     exit 0 if the service on HTTP_PORT answers /healthz (the container's HEALTHCHECK)
  replay FILE     run an adaptive algorithm over the throughput rounds in FILE (JSON, or - for
                  standard input) and print the probabilities of each round as JSON
  simulate [SCENARIO|all] [--out DIR] [--json]
                  run jaeger and samplane side by side on simulated traffic (all standard
                  scenarios by default), print a summary table (--json: the full summary as
                  JSON) and write one SVG chart per scenario to DIR (default ./simulation)
`;

/** Exit code for input the command cannot use, as for a configuration error. */
const EXIT_BAD_INPUT = 2;

async function serve(): Promise<void> {
  // Loaded here, not at the top: the server's dependency tree takes a second or more to load,
  // which every other command (replay) would otherwise pay for nothing.
  const [{ loadConfig }, { startServer }, { createLogger }] = await Promise.all([
    import('./config/load-config'),
    import('./main'),
    import('./telemetry/logger'),
  ]);
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`samplane: configuration error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    logger.fatal({ reason: (error as Error).message }, 'start-up failed');
    process.exit(1);
  }
  const running = server;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ reason: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Sets `process.exitCode` rather than calling `process.exit`, which could cut off a large
 * document still being written to a pipe.
 */
function replay(args: string[]): void {
  if (args.length !== 1) {
    process.stderr.write(`samplane: replay takes exactly one FILE\n\n${USAGE}`);
    process.exitCode = EXIT_BAD_INPUT;
    return;
  }
  const [file] = args;
  const fail = (message: string): void => {
    process.stderr.write(`samplane replay: ${message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  };
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    fail(`cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`);
    return;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail(`${file}: not valid JSON: ${(error as Error).message}`);
    return;
  }
  let output;
  try {
    output = runReplay(parseReplayInput(document));
  } catch (error) {
    if (!(error instanceof ReplayInputError)) throw error;
    fail(`${file}: ${error.message}`);
    return;
  }
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

async function simulate(args: string[]): Promise<void> {
  const { UnknownScenarioError, formatTable, reportScenarios, selectScenarios } = await import('./simulator/report');
  const fail = (message: string): void => {
    process.stderr.write(`samplane simulate: ${message}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  };
  let name: string | undefined;
  let out = 'simulation';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--out') {
      const dir = args[++i];
      if (dir === undefined || dir === '') return fail('--out takes a directory');
      out = dir;
    } else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg.startsWith('-')) return fail(`unknown option "${arg}"`);
    else if (name === undefined) name = arg;
    else return fail(`one scenario at most, got "${name}" and "${arg}"`);
  }
  let scenarios;
  try {
    scenarios = selectScenarios(name ?? 'all');
  } catch (error) {
    if (!(error instanceof UnknownScenarioError)) throw error;
    return fail(error.message);
  }
  const reports = reportScenarios(scenarios);
  try {
    mkdirSync(out, { recursive: true });
    for (const report of reports) writeFileSync(join(out, report.chartName), report.svg);
  } catch (error) {
    process.stderr.write(`samplane simulate: cannot write the charts to ${out}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const summaries = reports.map((r) => r.summary);
  process.stdout.write(json ? `${JSON.stringify(summaries, null, 2)}\n` : `${formatTable(summaries)}\n`);
  if (!json) process.stdout.write(`\ncharts: ${reports.map((r) => join(out, r.chartName)).join(', ')}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
    case undefined:
      await serve();
      return;
    case 'healthcheck': {
      const { probeHealth } = await import('./telemetry/health-probe');
      process.exitCode = await probeHealth(process.env);
      return;
    }
    case 'replay':
      replay(args);
      return;
    case 'simulate':
      await simulate(args);
      return;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`samplane: unknown command "${command}"\n\n${USAGE}`);
      process.exit(2);
  }
}

void main(process.argv.slice(2));
