import { execFile, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ServiceError, credentials, status } from '@grpc/grpc-js';
import { STRATEGIES_WITH_DEFAULT_FILE } from '../fixtures/e2e/strategy-files';
import { SamplingManagerClient } from '../support/grpc-clients';
import { healthcheckExit } from '../support/healthcheck';
import { httpsRequest } from '../support/https-client';
import { ThroughputReportClient } from '../support/ingest-grpc-clients';
import { otlpExport } from '../support/otlp-export';
import { SamplaneProcess } from '../support/samplane-process';
import { type Issued, TestPki } from '../support/test-pki';
import { presentedFingerprint } from '../support/tls-peer';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const TOKEN = 'collector-token-93b1f0';
const REPORT = { service: 'shop', operations: [{ operation: 'GET /', count: 10, sampled: 1 }] };

/** What curl says about one request: its exit code and the HTTP status (000 when none). */
async function curl(args: string[]): Promise<{ exit: number; status: string }> {
  try {
    const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', ...args]);
    return { exit: 0, status: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { exit: failed.code, status: failed.stdout };
  }
}

const grpcError = (promise: Promise<unknown>): Promise<ServiceError | undefined> =>
  promise.then(
    () => undefined,
    (error: ServiceError) => error,
  );

/** TLS on both listeners, with certificates and a CA made by openssl, as SDKs and pipelines use them. */
describe('TLS, end to end', () => {
  const pki = new TestPki();
  let first: Issued;
  let live: { certFile: string; keyFile: string };
  let samplane: SamplaneProcess;

  const install = (issued: Issued) => {
    copyFileSync(issued.keyFile, live.keyFile);
    copyFileSync(issued.certFile, live.certFile);
  };

  beforeAll(async () => {
    first = pki.server();
    live = { certFile: join(pki.dir, 'tls.crt'), keyFile: join(pki.dir, 'tls.key') };
    install(first);
    samplane = await SamplaneProcess.start(
      {
        TLS_CERT_FILE: live.certFile,
        TLS_KEY_FILE: live.keyFile,
        TLS_RELOAD_INTERVAL: '200ms',
        INGEST_TOKENS: `collector:${TOKEN}`,
        STRATEGIES_FILE: STRATEGIES_WITH_DEFAULT_FILE,
      },
      { ca: pki.ca },
    );
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  it('serves HTTPS polls to clients that trust the CA, curl included, and refuses plaintext', async () => {
    const poll = await httpsRequest(`${samplane.url}/sampling?service=web`, { ca: pki.ca });
    expect(poll.status).toBe(200);
    expect(JSON.parse(poll.body)).toMatchObject({ probabilisticSampling: { samplingRate: 0.4 } });
    expect(poll.fingerprint).toBe(first.fingerprint);

    expect(await curl(['--cacert', pki.caFile, `${samplane.url}/sampling?service=web`])).toEqual({ exit: 0, status: '200' });
    // Not trusted without the CA, and no plaintext answer on the port at all.
    expect((await curl([`${samplane.url}/healthz`])).exit).toBe(60);
    expect((await curl([`http://127.0.0.1:${samplane.httpPort}/healthz`])).status).toBe('000');
    await expect(fetch(`http://127.0.0.1:${samplane.httpPort}/healthz`)).rejects.toThrow();
    // The image's HEALTHCHECK speaks HTTPS when TLS files are set.
    expect(await healthcheckExit({ HTTP_PORT: String(samplane.httpPort), TLS_CERT_FILE: live.certFile })).toBe(0);
    expect(await healthcheckExit({ HTTP_PORT: String(samplane.httpPort) })).toBe(1);
  });

  it('serves the OpenTelemetry JS Jaeger remote sampler over https', async () => {
    const probe = spawn(process.execPath, [join(__dirname, '..', 'support', 'jaeger-sampler-probe.js'), samplane.url, 'web', '20000'], {
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: pki.caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    probe.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    probe.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => probe.once('exit', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });
    const { sampled, decisions } = JSON.parse(output) as { sampled: number; decisions: number };
    // 0.4 served; 20,000 decisions put the share within ±0.03 with overwhelming probability.
    expect(sampled / decisions).toBeGreaterThan(0.37);
    expect(sampled / decisions).toBeLessThan(0.43);
  });

  it('serves grpc-js clients with TLS credentials and refuses plaintext ones', async () => {
    const secure = new SamplingManagerClient(samplane.grpcAddress, credentials.createSsl(Buffer.from(pki.ca)));
    const plain = new SamplingManagerClient(samplane.grpcAddress);
    try {
      expect(await secure.getSamplingStrategy('web')).toMatchObject({ probabilisticSampling: { samplingRate: 0.4 } });
      expect((await grpcError(plain.getSamplingStrategy('web')))?.code).toBe(status.UNAVAILABLE);
    } finally {
      secure.close();
      plain.close();
    }
    const withToken = new ThroughputReportClient(samplane.grpcAddress, {
      credentials: credentials.createSsl(Buffer.from(pki.ca)),
      authorization: `Bearer ${TOKEN}`,
    });
    const withoutToken = new ThroughputReportClient(samplane.grpcAddress, { credentials: credentials.createSsl(Buffer.from(pki.ca)) });
    try {
      expect(await withToken.report(REPORT)).toEqual({ accepted: 1 });
      expect((await grpcError(withoutToken.report(REPORT)))?.code).toBe(status.UNAUTHENTICATED);
    } finally {
      withToken.close();
      withoutToken.close();
    }
  });

  it('takes OTLP from the OpenTelemetry proto exporter over https with a token header', async () => {
    const url = `${samplane.url}/v1/traces`;
    expect(await otlpExport({ url, service: 'shop', names: ['GET /'], ca: pki.ca, headers: { authorization: `Bearer ${TOKEN}` } })).toMatchObject({
      ok: true,
    });
    expect(await otlpExport({ url, service: 'shop', names: ['GET /'], ca: pki.ca })).toMatchObject({ ok: false, status: 401 });
  });

  it('serves a rotated certificate to new connections on both ports, failing no request under load', async () => {
    let stop = false;
    let served = 0;
    const failures: string[] = [];
    const poller = async () => {
      while (!stop) {
        try {
          const answer = await httpsRequest(`${samplane.url}/sampling?service=web`, { ca: pki.ca });
          if (answer.status === 200) served++;
          else failures.push(`status ${answer.status}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    // gRPC polls on one long-lived connection, as SDKs keep theirs.
    const grpc = new SamplingManagerClient(samplane.grpcAddress, credentials.createSsl(Buffer.from(pki.ca)));
    const grpcPoller = async () => {
      while (!stop) {
        try {
          await grpc.getSamplingStrategy('web');
          served++;
        } catch (error) {
          failures.push(`gRPC: ${(error as Error).message}`);
        }
      }
    };
    const load = [poller(), poller(), poller(), grpcPoller()];
    await waitFor(() => served > 20, 'polls under way');

    const rotated = pki.server('rotated');
    install(rotated);
    await waitFor(async () => (await presentedFingerprint(samplane.httpPort, pki.ca)) === rotated.fingerprint, 'HTTPS to serve the rotated certificate');
    await waitFor(async () => (await presentedFingerprint(samplane.grpcPort, pki.ca)) === rotated.fingerprint, 'gRPC to serve the rotated certificate');
    const afterRotation = served;
    await waitFor(() => served > afterRotation + 20, 'polls after the rotation');
    stop = true;
    await Promise.all(load);
    grpc.close();
    expect(failures).toEqual([]);
    expect(await samplane.metric('samplane_tls_reloads_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(1);
  });

  it('keeps the last good certificate when a rotation leaves a broken file, and says so', async () => {
    const serving = await presentedFingerprint(samplane.httpPort, pki.ca);
    const failedBefore = await samplane.metric('samplane_tls_reloads_total', { outcome: 'failed' });
    writeFileSync(live.certFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    await waitFor(
      async () => (await samplane.metric('samplane_tls_reloads_total', { outcome: 'failed' })) > failedBefore,
      'the broken file to be counted',
    );
    await samplane.waitForOutput('serving the last good certificate');
    expect(await presentedFingerprint(samplane.httpPort, pki.ca)).toBe(serving);
    expect(await presentedFingerprint(samplane.grpcPort, pki.ca)).toBe(serving);
    expect((await httpsRequest(`${samplane.url}/healthz`, { ca: pki.ca })).status).toBe(200);

    const repaired = pki.server('repaired');
    install(repaired);
    await waitFor(async () => (await presentedFingerprint(samplane.httpPort, pki.ca)) === repaired.fingerprint, 'the repaired certificate');
  });
});

describe('mutual TLS, end to end', () => {
  const pki = new TestPki();
  const server = pki.server();
  const client = pki.client();
  let samplane: SamplaneProcess;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start(
      { TLS_CERT_FILE: server.certFile, TLS_KEY_FILE: server.keyFile, TLS_CLIENT_CA_FILE: pki.caFile },
      { ca: pki.ca, cert: client.cert, key: client.key },
    );
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  it('answers clients that present a certificate from the CA, on both ports', async () => {
    const poll = await httpsRequest(`${samplane.url}/sampling?service=web`, { ca: pki.ca, cert: client.cert, key: client.key });
    expect(poll.status).toBe(200);
    const args = ['--cacert', pki.caFile, '--cert', client.certFile, '--key', client.keyFile, `${samplane.url}/healthz`];
    expect(await curl(args)).toEqual({ exit: 0, status: '200' });
    const grpc = new SamplingManagerClient(
      samplane.grpcAddress,
      credentials.createSsl(Buffer.from(pki.ca), Buffer.from(client.key), Buffer.from(client.cert)),
    );
    try {
      expect((await grpc.getSamplingStrategy('web')).strategyType).toBe('PROBABILISTIC');
    } finally {
      grpc.close();
    }
  });

  it('refuses clients without a certificate, on both ports', async () => {
    await expect(httpsRequest(`${samplane.url}/sampling?service=web`, { ca: pki.ca })).rejects.toThrow();
    expect((await curl(['--cacert', pki.caFile, `${samplane.url}/healthz`])).status).toBe('000');
    const grpc = new SamplingManagerClient(samplane.grpcAddress, credentials.createSsl(Buffer.from(pki.ca)));
    try {
      expect((await grpcError(grpc.getSamplingStrategy('web')))?.code).toBe(status.UNAVAILABLE);
    } finally {
      grpc.close();
    }
  });

  it('refuses a certificate from another CA', async () => {
    const stranger = new TestPki('Another CA').client();
    await expect(
      httpsRequest(`${samplane.url}/sampling?service=web`, { ca: pki.ca, cert: stranger.cert, key: stranger.key }),
    ).rejects.toThrow();
  });
});
