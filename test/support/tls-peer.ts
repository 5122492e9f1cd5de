import { connect } from 'node:tls';

/**
 * The certificate a listener presents to a new connection, by SHA-256 fingerprint. `h2` is
 * offered so a gRPC port answers the handshake as it would for a gRPC client.
 */
export function presentedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}
