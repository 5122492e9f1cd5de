import { request } from 'node:https';

export interface TlsClient {
  ca: string;
  cert?: string;
  key?: string;
}

export interface HttpsAnswer {
  status: number;
  body: string;
  /** The fingerprint of the certificate the server presented on this (new) connection. */
  fingerprint: string;
}

/** One request on a new TLS connection (no keep-alive), so each sees the certificate served now. */
export function httpsRequest(
  url: string,
  tls: TlsClient,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, agent: false, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const fingerprint = res.socket && 'getPeerCertificate' in res.socket ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256 : '';
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), fingerprint }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
