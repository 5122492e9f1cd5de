import {
  ServerCredentials,
  experimental,
  type experimental as Experimental,
} from '@grpc/grpc-js';
import type { CertificateFiles, TlsMaterial } from './certificate-files';

type CaListener = Experimental.CaCertificateUpdateListener;
type IdentityListener = Experimental.IdentityCertificateUpdateListener;

/**
 * gRPC server credentials fed from CertificateFiles: grpc-js rebuilds its secure context on
 * every update, so new connections get a rotated certificate while open ones keep theirs.
 */
export function grpcServerCredentials(certificates: CertificateFiles | undefined): ServerCredentials {
  if (!certificates) return ServerCredentials.createInsecure();
  const provider = new MaterialProvider(certificates);
  const mutual = certificates.material.ca !== undefined;
  // One provider serves both roles, so the argument order of this experimental API cannot matter.
  return experimental.createCertificateProviderServerCredentials(provider, mutual ? provider : null, mutual);
}

class MaterialProvider implements Experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private readonly certificates: CertificateFiles) {
    certificates.onChange((material) => {
      for (const listener of this.caListeners) listener(caUpdate(material));
      for (const listener of this.identityListeners) listener(identityUpdate(material));
    });
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    // Later, as grpc-js's own providers do: its server registers for updates only after this returns.
    process.nextTick(listener, caUpdate(this.certificates.material));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(listener, identityUpdate(this.certificates.material));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

const caUpdate = (material: TlsMaterial) => (material.ca ? { caCertificate: material.ca } : null);
const identityUpdate = (material: TlsMaterial) => ({ certificate: material.cert, privateKey: material.key });
