import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import type { CertificateFiles } from '../tls/certificate-files';
import { TLS_CERTIFICATES } from '../tls/certificate-reloader';
import { grpcServerCredentials } from '../tls/grpc-credentials';

/**
 * The one gRPC server on GRPC_PORT. Feature modules add their services while the application
 * initialises; the port opens once every module is ready, and start-up fails if it cannot.
 * With TLS files it speaks TLS only.
 */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server = new Server({
    // Keep idle connections from SDKs that poll once a minute without pinging them to death.
    'grpc.keepalive_permit_without_calls': 1,
  });
  private boundPort: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Optional() @Inject(TLS_CERTIFICATES) private readonly certificates: CertificateFiles | undefined,
  ) {}

  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.server.addService(definition, implementation);
  }

  /** The port actually bound (differs from GRPC_PORT when that is 0). */
  get port(): number | undefined {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    const address = `${host}:${this.config.grpcPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, grpcServerCredentials(this.certificates), (error, port) =>
        error ? reject(new Error(`gRPC cannot listen on ${address}: ${error.message}`)) : resolve(port),
      );
    });
    this.logger.info({ port: this.boundPort, tls: this.certificates !== undefined }, 'gRPC listening');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.boundPort === undefined) return;
    // Let in-flight calls finish, but never let a stuck stream (a health Watch) hold the exit.
    const graceMs = Math.min(this.config.shutdownTimeoutMs, 5_000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
