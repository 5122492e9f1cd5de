import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { GrpcServer } from './grpc/grpc-server';
import { BodyErrorFilter } from './http/body-error.filter';
import { DomainErrorFilter } from './http/domain-error.filter';
import { SamplingHttpRoutes } from './serving/sampling-http.routes';
import { type AppLogger, NestPinoLogger } from './telemetry/logger';
import { startXRayListener } from './xray/xray-listener';

export interface RunningServer {
  app: NestFastifyApplication;
  httpPort: number;
  grpcPort: number;
  /** The `XRAY_PORT` listener's port, when it is on. */
  xrayPort: number | undefined;
  close(): Promise<void>;
}

/** Builds and starts one replica; tests call it in-process, `samplane serve` from the CLI. */
export async function startServer(config: AppConfig, logger: AppLogger): Promise<RunningServer> {
  // Filled in once the app is built; until then every request goes to Fastify.
  const fastLane: { serve?: (request: IncomingMessage, response: ServerResponse) => boolean } = {};
  let fastifyHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const adapter = new FastifyAdapter({
    // Polls, the bulk of all requests, are answered ahead of Fastify when they can be (see
    // SamplingHttpRoutes.serveDirect); Fastify handles everything else.
    serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) => {
      fastifyHandler = handler;
      const server = createServer((request, response) => {
        if (!fastLane.serve?.(request, response)) handler(request, response);
      });
      // Fastify applies its timeouts only to servers it creates; these are its defaults.
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
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
  // Filters run last-registered first: domain errors, then body-parsing failures, then Nest's default.
  app.useGlobalFilters(new BodyErrorFilter(app.getHttpAdapter()), new DomainErrorFilter());
  fastLane.serve = app.get(SamplingHttpRoutes).serveDirect;
  await app.listen(config.httpPort, config.host);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get(GrpcServer).port ?? config.grpcPort;
  let xray: Awaited<ReturnType<typeof startXRayListener>> | undefined;
  if (config.xrayPort !== undefined && fastifyHandler) {
    try {
      xray = await startXRayListener(fastifyHandler, config.xrayPort, config.host);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  logger.info({ httpPort, grpcPort, xrayPort: xray?.port, host: config.host }, 'samplane serving');
  return {
    app,
    httpPort,
    grpcPort,
    xrayPort: xray?.port,
    close: async () => {
      await xray?.close();
      await app.close();
    },
  };
}
