import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { ReportFastLane } from './ingest/report-fast-lane';
import type { AppConfig } from './config/app-config';
import { GrpcServer } from './grpc/grpc-server';
import { HttpErrorFilter } from './http/error.filter';
import { SamplingHttpRoutes } from './serving/sampling-http.routes';
import { type AppLogger, NestPinoLogger } from './telemetry/logger';
import { CertificateFiles } from './tls/certificate-files';
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
  const certificates = config.tls && CertificateFiles.load(config.tls);
  let fastifyHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const adapter = new FastifyAdapter({
    // Polls and reports, the bulk of all requests, are answered ahead of Fastify when they can
    // be (SamplingHttpRoutes.serveDirect, ReportFastLane); Fastify handles everything else.
    serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) => {
      fastifyHandler = handler;
      const serve = (request: IncomingMessage, response: ServerResponse) => {
        if (!fastLane.serve?.(request, response)) handler(request, response);
      };
      const server = certificates ? httpsServer(certificates, serve) : createServer(serve);
      // Fastify applies its timeouts only to servers it creates: no request timeout, as its
      // default; the idle timeout configured.
      server.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, certificates), adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
  const polls = app.get(SamplingHttpRoutes).serveDirect;
  const reports = app.get(ReportFastLane).serveDirect;
  fastLane.serve = (request, response) => polls(request, response) || reports(request, response);
  try {
    await app.listen(config.httpPort, config.host);
  } catch (error) {
    // Modules started (the flusher joined the watermarks): shut them down, not just exit.
    await app.close().catch(() => undefined);
    throw error;
  }
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const grpcPort = app.get(GrpcServer).port ?? config.grpcPort;
  let xray: Awaited<ReturnType<typeof startXRayListener>> | undefined;
  if (config.xrayPort !== undefined && fastifyHandler) {
    try {
      // Plain HTTP, as the X-Ray daemon's port is: the SDKs that assume it speak nothing else.
      xray = await startXRayListener(fastifyHandler, config.xrayPort, config.host, config.httpKeepAliveTimeoutMs);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  logger.info({ httpPort, grpcPort, xrayPort: xray?.port, host: config.host, tls: certificates !== undefined }, 'samplane serving');
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

/** HTTPS only; a rotated certificate is used for every connection from the moment it is read. */
function httpsServer(certificates: CertificateFiles, serve: (request: IncomingMessage, response: ServerResponse) => void) {
  const { cert, key, ca } = certificates.material;
  const mutual = ca !== undefined;
  const server = createHttpsServer({ cert, key, ca, requestCert: mutual, rejectUnauthorized: mutual }, serve);
  certificates.onChange((next) => server.setSecureContext({ cert: next.cert, key: next.key, ca: next.ca }));
  return server;
}
