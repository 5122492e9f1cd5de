import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256 fingerprint as Node's `getPeerCertificate().fingerprint256` writes it. */
  fingerprint: string;
}

/**
 * A throwaway CA made with `openssl`, issuing server certificates for 127.0.0.1/localhost
 * and client certificates, as an operator's PKI (or cert-manager) would.
 */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'samplane-pki-'));
  readonly caFile = join(this.dir, 'ca.pem');
  private readonly caKey = join(this.dir, 'ca.key');
  private serial = 0;

  constructor(name = 'Samplane Test CA') {
    this.run([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-keyout', this.caKey, '-out', this.caFile,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }

  get ca(): string {
    return readFileSync(this.caFile, 'utf8');
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  server(name = 'samplane'): Issued {
    return this.issue(name, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  }

  /** A certificate good as server and as client (for 127.0.0.1 unless `altNames` says): a Redis node, which also dials its primary. */
  peer(name = 'redis', altNames = 'IP:127.0.0.1,DNS:localhost'): Issued {
    return this.issue(name, `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  }

  client(name = 'reporter'): Issued {
    return this.issue(name, 'extendedKeyUsage=clientAuth\n');
  }

  private issue(name: string, extensions: string): Issued {
    const base = join(this.dir, `${name}-${++this.serial}`);
    const [keyFile, csr, certFile, ext] = ['.key', '.csr', '.pem', '.ext'].map((suffix) => base + suffix);
    writeFileSync(ext, extensions);
    this.run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr]);
    this.run([
      'x509', '-req', '-in', csr, '-CA', this.caFile, '-CAkey', this.caKey, '-set_serial', String(1000 + this.serial),
      '-days', '2', '-extfile', ext, '-out', certFile,
    ]);
    const fingerprint = this.run(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'])
      .trim()
      .replace(/^.*=/, '');
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), fingerprint };
  }

  private run(args: string[]): string {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
}
