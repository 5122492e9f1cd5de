import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { parse as parseQuery } from 'fast-querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MetricsService } from '../telemetry/metrics.service';
import { ifNoneMatchHits, pollCacheControl } from './conditional-poll';
import { StrategyProvider } from './strategy-provider';

/** Jaeger's exact words, which operators grep for. */
export const SERVICE_PARAM_ERROR = "'service' parameter must be provided once";
export const POLL_PATHS = ['/sampling', '/api/sampling'] as const;
const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * The poll endpoints, registered on Fastify directly rather than through a Nest controller:
 * they are the hottest path in the service and need none of Nest's guards, pipes or
 * interceptors, so each poll is one query lookup, one map lookup and one write of bytes
 * encoded when the snapshot was built. Every answer carries the entity tag computed with those
 * bytes; a poller echoing it in `If-None-Match` gets an empty 304.
 *
 * Query parsing is Fastify's (WHATWG-like): `+` is a space, and a malformed percent-escape is
 * kept literally, so an SDK that does not encode `%` in its service name still finds its
 * strategy.
 */
@Injectable()
export class SamplingHttpRoutes implements OnModuleInit {
  private readonly cacheControl: string;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly provider: StrategyProvider,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cacheControl = pollCacheControl(config.pollMaxAgeMs);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const url of POLL_PATHS) {
      fastify.route({ method: 'GET', url, handler: this.poll });
      fastify.route({ method: [...OTHER_METHODS], url, handler: this.refuseMethod });
    }
  }

  private readonly poll = (request: FastifyRequest, reply: FastifyReply): void => {
    const started = performance.now();
    const service = (request.query as Record<string, unknown>).service;
    if (typeof service !== 'string') {
      reply.code(400).header('content-type', 'text/plain; charset=utf-8').send(SERVICE_PARAM_ERROR);
      this.metrics.recordPoll('http', 'bad_request', (performance.now() - started) / 1000);
      return;
    }
    const entry = this.provider.lookup(service);
    this.metrics.servicePolled(service, 'http', entry !== this.provider.snapshot.fallback);
    reply.header('etag', entry.etag).header('cache-control', this.cacheControl);
    if (ifNoneMatchHits(request.headers['if-none-match'], entry.etag)) {
      reply.code(304).send();
      this.metrics.recordPoll('http', 'not_modified', (performance.now() - started) / 1000);
      return;
    }
    reply.header('content-type', 'application/json').send(entry.json);
    this.metrics.recordPoll('http', 'ok', (performance.now() - started) / 1000);
  };

  /**
   * The fast lane, called by the HTTP server before Fastify (see `main.ts`): answers a plain
   * `GET /sampling?service=…` from Node's own request, skipping Fastify's request and reply
   * objects and the hooks Nest's adapter runs on every route, which together cost more than
   * the poll itself. Whatever it does not recognise exactly — another method or HEAD, no or a
   * repeated `service`, an encoded or absolute-form path — it leaves to the routes above by
   * returning false, so behaviour has one definition and this lane only answers sooner. It
   * parses the query with Fastify's own parser, so a service name means the same in both.
   */
  readonly serveDirect = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET') return false;
    const url = request.url ?? '';
    const queryStart = url.indexOf('?');
    if (queryStart === -1) return false;
    const path = url.slice(0, queryStart);
    if (path !== POLL_PATHS[0] && path !== POLL_PATHS[1]) return false;
    const service = (parseQuery(url.slice(queryStart + 1)) as Record<string, unknown>).service;
    if (typeof service !== 'string') return false;
    const started = performance.now();
    const entry = this.provider.lookup(service);
    this.metrics.servicePolled(service, 'http', entry !== this.provider.snapshot.fallback);
    if (ifNoneMatchHits(request.headers['if-none-match'], entry.etag)) {
      response.writeHead(304, { etag: entry.etag, 'cache-control': this.cacheControl });
      response.end();
      this.metrics.recordPoll('http', 'not_modified', (performance.now() - started) / 1000);
      return true;
    }
    const json = entry.json;
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': json.length,
      etag: entry.etag,
      'cache-control': this.cacheControl,
    });
    response.end(json);
    this.metrics.recordPoll('http', 'ok', (performance.now() - started) / 1000);
    return true;
  };

  private readonly refuseMethod = (request: FastifyRequest, reply: FastifyReply): void => {
    reply
      .code(405)
      .header('allow', 'GET, HEAD')
      .header('content-type', 'text/plain; charset=utf-8')
      .send(`method ${request.method} is not allowed on ${request.routeOptions.url}; use GET`);
    this.metrics.recordPoll('http', 'method_not_allowed', 0);
  };
}
