import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { TlsFiles } from '../config/app-config';
import { ConfigError } from '../config/config.errors';

/** What both listeners serve: PEM bytes, already checked to form a usable pair. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
  /** The certificate's notAfter (epoch ms). */
  expiresAt: number;
}

export type ReloadOutcome = { outcome: 'unchanged' | 'applied' } | { outcome: 'failed'; reason: string };

/**
 * The TLS files and the last good material read from them. `check` re-reads the files; new
 * bytes that form a usable certificate and key replace the material and reach every listener,
 * broken ones (a half-written rotation, a key that does not match) leave the last good in place.
 */
export class CertificateFiles {
  private current: TlsMaterial;
  private readonly listeners: ((material: TlsMaterial) => void)[] = [];

  private constructor(
    readonly files: TlsFiles,
    initial: TlsMaterial,
  ) {
    this.current = initial;
  }

  /** Reads the files at start-up: unusable ones stop it, naming the variable. */
  static load(files: TlsFiles): CertificateFiles {
    const read = (variable: string, path: string): Buffer => {
      try {
        return readFileSync(path);
      } catch (error) {
        throw new ConfigError(variable, `cannot read ${path}: ${(error as Error).message}`);
      }
    };
    const cert = read('TLS_CERT_FILE', files.certFile);
    const key = read('TLS_KEY_FILE', files.keyFile);
    const ca = files.clientCaFile === undefined ? undefined : read('TLS_CLIENT_CA_FILE', files.clientCaFile);
    try {
      return new CertificateFiles(files, material(cert, key, ca));
    } catch (error) {
      throw new ConfigError('TLS_CERT_FILE', `with TLS_KEY_FILE is not usable: ${(error as Error).message}`);
    }
  }

  get material(): TlsMaterial {
    return this.current;
  }

  /** Calls `listener` with every new material from now on. */
  onChange(listener: (material: TlsMaterial) => void): void {
    this.listeners.push(listener);
  }

  check(): ReloadOutcome {
    let next: TlsMaterial;
    try {
      const cert = readFileSync(this.files.certFile);
      const key = readFileSync(this.files.keyFile);
      const ca = this.files.clientCaFile === undefined ? undefined : readFileSync(this.files.clientCaFile);
      const now = this.current;
      if (cert.equals(now.cert) && key.equals(now.key) && (ca === undefined || (now.ca !== undefined && ca.equals(now.ca)))) {
        return { outcome: 'unchanged' };
      }
      next = material(cert, key, ca);
    } catch (error) {
      return { outcome: 'failed', reason: (error as Error).message };
    }
    this.current = next;
    for (const listener of this.listeners) listener(next);
    return { outcome: 'applied' };
  }
}

/** Throws unless the bytes are a certificate, its private key and (when given) a CA bundle. */
function material(cert: Buffer, key: Buffer, ca: Buffer | undefined): TlsMaterial {
  createSecureContext({ cert, key, ...(ca && { ca }) });
  const expiresAt = Date.parse(new X509Certificate(cert).validTo);
  return { cert, key, ca, expiresAt };
}
