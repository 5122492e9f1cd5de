/**
 * TLS for throwaway Redis servers and sentinels: a CA, and one certificate for 127.0.0.1 good
 * for both ends (servers, their replication links, redis-cli). `authClients`: clients must show
 * a certificate the CA signed.
 */
export interface RedisTlsSetup {
  caFile: string;
  certFile: string;
  keyFile: string;
  authClients: boolean;
}

/** redis-server (or sentinel) flags that make `port` TLS only; the plain port without `tls`. */
export function tlsServerArgs(port: number, tls: RedisTlsSetup | undefined): string[] {
  if (!tls) return ['--port', String(port)];
  return [
    '--port', '0', '--tls-port', String(port),
    '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile,
    '--tls-auth-clients', tls.authClients ? 'yes' : 'no', '--tls-replication', 'yes',
  ];
}

/** redis-cli flags that reach a server of `tls`. */
export function tlsCliArgs(tls: RedisTlsSetup | undefined): string[] {
  return tls ? ['--tls', '--cacert', tls.caFile, '--cert', tls.certFile, '--key', tls.keyFile] : [];
}
