/**
 * Polls per second of `GET /sampling` over HTTPS, as a ratio against a bare `node:https`
 * server with the same certificate answering the same bytes: what Samplane's fast lane keeps
 * of its speed once TLS carries it. Same method as the plaintext poll benchmark (alternating
 * rounds, median of per-round ratios); BENCH_ROUNDS and BENCH_ROUND_SECONDS apply.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './support/benchmark';
import { ChildServer, freePort } from './support/child-server';
import { positiveIntegerFromEnv } from './support/env';
import { type LoadProfile, type RoundResult, measureRound, median } from './support/load';
import { strategiesFile } from './support/strategies-fixture';

const SERVICE = 'checkout';
const POLL_PATH = `/sampling?service=${SERVICE}`;
const TARGET_THROUGHPUT_RATIO = 0.8;
// Unpipelined only, which is how SDKs poll: with autocannon pipelining over TLS, the bare
// node:https server resets connections as Samplane does, so such rounds measure neither.
const PROFILES: LoadProfile[] = [
  { connections: 10, pipelining: 1 },
  { connections: 50, pipelining: 1 },
];
const ROUNDS = positiveIntegerFromEnv('BENCH_ROUNDS', 5);
const ROUND_SECONDS = positiveIntegerFromEnv('BENCH_ROUND_SECONDS', 3);
const WARM_UP_SECONDS = 3;
const NOT_COPIED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export const tlsPollThroughput: Benchmark = { name: 'TLS poll throughput', run };

async function run(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'samplane-bench-tls-'));
  const servers: ChildServer[] = [];
  try {
    const { certFile, keyFile } = selfSigned(dir);
    const ca = readFileSync(certFile, 'utf8');
    const strategiesPath = join(dir, 'strategies.json');
    writeFileSync(strategiesPath, strategiesFile(SERVICE, 50));
    const httpPort = await freePort();
    const samplane = await ChildServer.start({
      name: 'samplane',
      script: CLI,
      args: ['serve'],
      env: {
        HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        STRATEGIES_FILE: strategiesPath,
        TLS_CERT_FILE: certFile,
        TLS_KEY_FILE: keyFile,
      },
      port: httpPort,
      readyPath: '/healthz',
      ca,
    });
    servers.push(samplane);

    const reference = await samplane.get(POLL_PATH);
    const headers: Record<string, string> = {};
    reference.headers.forEach((value, name) => {
      if (!NOT_COPIED.has(name)) headers[name] = value;
    });
    const keepAlive = /timeout=(\d+)/.exec(reference.headers.get('keep-alive') ?? '');
    const bodyPath = join(dir, 'body.json');
    writeFileSync(bodyPath, reference.body);
    const barePort = await freePort();
    const bare = await ChildServer.start({
      name: 'bare https',
      script: join(__dirname, 'bare-https-server.js'),
      env: {
        PORT: String(barePort),
        BODY_FILE: bodyPath,
        HEADERS: JSON.stringify(headers),
        KEEP_ALIVE_SECONDS: keepAlive ? keepAlive[1] : '',
        CERT_FILE: certFile,
        KEY_FILE: keyFile,
      },
      port: barePort,
      readyPath: POLL_PATH,
      ca,
    });
    servers.push(bare);
    if (!(await bare.get(POLL_PATH)).body.equals(reference.body)) throw new Error('the bare server does not answer the same bytes');
    console.log(`GET ${POLL_PATH} over HTTPS: ${reference.body.length}-byte body from samplane and a bare node:https server`);

    let passed = true;
    for (const profile of PROFILES) {
      for (const server of servers) await measureRound(server, POLL_PATH, profile, WARM_UP_SECONDS);
      const ratios: number[] = [];
      // CPU per poll is steadier than req/s on a busy machine: other work slows both alike.
      const cpuRatios: number[] = [];
      const rates: Record<string, number[]> = { samplane: [], bare: [] };
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 === 1 ? servers : [...servers].reverse();
        const results = new Map<ChildServer, RoundResult>();
        for (const server of order) results.set(server, await measureRound(server, POLL_PATH, profile, ROUND_SECONDS));
        const own = (results.get(samplane) as RoundResult).requestsPerSecond;
        const base = (results.get(bare) as RoundResult).requestsPerSecond;
        const ownCpu = (results.get(samplane) as RoundResult).serverCpuPerRequest;
        const baseCpu = (results.get(bare) as RoundResult).serverCpuPerRequest;
        if (ownCpu !== undefined && baseCpu !== undefined) cpuRatios.push(baseCpu / ownCpu);
        rates.samplane.push(own);
        rates.bare.push(base);
        ratios.push(own / base);
        console.log(`  round ${round}: samplane ${Math.round(own)} req/s, bare https ${Math.round(base)} req/s, ratio ${(own / base).toFixed(2)}`);
      }
      const ratio = median(ratios);
      const ok = ratio >= TARGET_THROUGHPUT_RATIO;
      passed &&= ok;
      console.log(
        `${profile.connections} connections, pipelining ${profile.pipelining}: samplane ${Math.round(median(rates.samplane))} req/s, ` +
          `bare https ${Math.round(median(rates.bare))} req/s, ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_THROUGHPUT_RATIO}): ${ok ? 'PASS' : 'FAIL'}; ` +
          `bare/samplane CPU per poll ${cpuRatios.length > 0 ? median(cpuRatios).toFixed(2) : 'n/a'}`,
      );
    }
    return passed;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed certificate for 127.0.0.1, trusted by the benchmark as its own CA. */
function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=samplane-bench', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}
