import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateFiles, type TlsMaterial } from '../../src/tls/certificate-files';
import { TestPki } from '../support/test-pki';

/** Rotation as `CertificateReloader` drives it, one `check` at a time (no timers). */
describe('CertificateFiles', () => {
  const pki = new TestPki();
  const first = pki.server('first');
  const files = { certFile: join(pki.dir, 'live.crt'), keyFile: join(pki.dir, 'live.key'), clientCaFile: undefined, reloadIntervalMs: 1000 };
  let certificates: CertificateFiles;
  const seen: TlsMaterial[] = [];

  beforeAll(() => {
    copyFileSync(first.certFile, files.certFile);
    copyFileSync(first.keyFile, files.keyFile);
    certificates = CertificateFiles.load(files);
    certificates.onChange((material) => seen.push(material));
  });

  it('reports unchanged files as unchanged, telling nobody', () => {
    expect(certificates.check()).toEqual({ outcome: 'unchanged' });
    expect(seen).toEqual([]);
  });

  it('keeps the last good material while a rotation is half written, then applies it', () => {
    const next = pki.server('next');
    copyFileSync(next.certFile, files.certFile);
    const halfway = certificates.check();
    expect(halfway.outcome).toBe('failed');
    expect(certificates.material.cert.toString()).toBe(first.cert);

    copyFileSync(next.keyFile, files.keyFile);
    expect(certificates.check()).toEqual({ outcome: 'applied' });
    expect(certificates.material.cert.toString()).toBe(next.cert);
    expect(seen.map((material) => material.cert.toString())).toEqual([next.cert]);
    expect(certificates.material.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses a garbage certificate and a missing file, keeping the last good one', () => {
    const good = certificates.material;
    writeFileSync(files.certFile, 'garbage');
    expect(certificates.check().outcome).toBe('failed');
    expect(certificates.material).toBe(good);
  });

  it('stops start-up on unusable files, naming the variable', () => {
    expect(() => CertificateFiles.load({ ...files, certFile: join(pki.dir, 'missing.pem') })).toThrow(/^TLS_CERT_FILE: cannot read/);
    expect(() => CertificateFiles.load({ ...files, certFile: first.certFile, keyFile: pki.server('other').keyFile })).toThrow(
      /^TLS_CERT_FILE: with TLS_KEY_FILE is not usable/,
    );
  });
});
