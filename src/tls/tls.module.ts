import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { CertificateFiles } from './certificate-files';
import { CertificateReloader, TLS_CERTIFICATES } from './certificate-reloader';

/** The certificates main.ts loaded before start-up (none: plaintext), and their reloading. */
@Global()
@Module({})
export class TlsModule {
  static with(certificates: CertificateFiles | undefined): DynamicModule {
    return {
      module: TlsModule,
      providers: [{ provide: TLS_CERTIFICATES, useValue: certificates }, CertificateReloader],
      exports: [TLS_CERTIFICATES, CertificateReloader],
    };
  }
}
