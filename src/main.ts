import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { GrpcServer } from './grpc/grpc-server';
import { DomainErrorFilter } from './http/domain-error.filter';
import { type AppLogger, NestPinoLogger } from './telemetry/logger';

export interface RunningServer {
  app: NestFastifyApplication;
  httpPort: number;
  grpcPort: number;
  close(): Promise<void>;
}

/** Builds and starts one replica; tests call it in-process, `samplane serve` from the CLI. */
export async function startServer(config: AppConfig, logger: AppLogger): Promise<RunningServer> {
  const adapter = new FastifyAdapter({
    // Bounded bodies: nothing Samplane accepts is larger, and a flood must not buffer unbounded.
    bodyLimit: 1024 * 1024,
    // A poll that arrives while shutting down still gets its strategy: pollers retry only
    // after a whole interval, so a 503 here would leave them on stale rates for that long.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new DomainErrorFilter());
  await app.listen(config.httpPort, config.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get(GrpcServer).port ?? config.grpcPort;
  logger.info({ httpPort, grpcPort, host: config.host }, 'samplane serving');
  return { app, httpPort, grpcPort, close: () => app.close() };
}
