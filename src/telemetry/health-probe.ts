import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * `samplane healthcheck`: asks this container's own `/healthz`, over HTTPS when TLS files are
 * configured. Its own certificate is not verified: the probe only asks whether the process
 * answers. Resolves with the exit code (0 healthy, 1 not).
 */
export function probeHealth(env: Record<string, string | undefined>, timeoutMs = 3_000): Promise<number> {
  const port = Number(env.HTTP_PORT?.trim() || 5778);
  const tls = Boolean(env.TLS_CERT_FILE?.trim());
  const request = tls ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, ...(tls && { rejectUnauthorized: false }) },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? 0 : 1);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(1));
    req.end();
  });
}
