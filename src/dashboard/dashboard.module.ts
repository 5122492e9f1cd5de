import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';

/** Where `npm run build` puts the dashboard, beside the compiled server. */
export const DASHBOARD_DIR = join(__dirname, '..', 'ui');

/** A year: asset names carry a hash of their content, so a changed file is a new URL. */
const ASSET_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

/**
 * Serves the built dashboard: hashed assets cached for good, and its one page for `/` and every
 * `/ui/…` path (the page routes itself), revalidated on each load so a new release shows at
 * once. Polls never reach here: they are answered ahead of Fastify.
 */
@Injectable()
class DashboardRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const index = join(DASHBOARD_DIR, 'index.html');
    if (!existsSync(index)) {
      this.logger.warn({ dir: DASHBOARD_DIR }, 'dashboard not built (npm run build): / answers 503');
      const missing = (_: unknown, reply: FastifyReply) =>
        reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build`.\n');
      fastify.get('/', missing);
      fastify.get('/ui/*', missing);
      return;
    }
    const page = readFileSync(index);
    const sendPage = (_: unknown, reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
    void fastify.register(fastifyStatic, {
      root: join(DASHBOARD_DIR, 'assets'),
      prefix: '/assets/',
      // Only the files built, listed once at start-up: no file-system lookups per request.
      wildcard: false,
      index: false,
      decorateReply: false,
      maxAge: ASSET_MAX_AGE_MS,
      immutable: true,
      // The build writes .br and .gz copies; browsers that accept them get those.
      preCompressed: true,
    });
    fastify.get('/', sendPage);
    fastify.get('/ui', sendPage);
    fastify.get('/ui/*', sendPage);
  }
}

@Module({ providers: [DashboardRoutes] })
export class DashboardModule {}
