import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { XRayRequestError } from '../sampling/xray/xray-requests';
import { MetricsService } from '../telemetry/metrics.service';
import { XRayTargetsService } from './xray-targets.service';

export const XRAY_PATHS = ['/GetSamplingRules', '/SamplingTargets'] as const;
/** The daemon's own limit is far larger than 25 documents need. */
const BODY_LIMIT = 64 * 1024;

/**
 * The X-Ray daemon's two sampling endpoints, in a Fastify scope of their own: clients send an
 * empty body, `{}` with or without a JSON content type, so the body is read raw and parsed here,
 * and refusals take X-Ray's error shape.
 */
@Injectable()
export class XRayHttpRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly xray: XRayTargetsService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register((scope, _options, done) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, next) => next(null, body));
      scope.post(XRAY_PATHS[0], { bodyLimit: BODY_LIMIT }, (request, reply) =>
        this.answer(request, reply, (body) => this.xray.rulesFor(body)),
      );
      scope.post(XRAY_PATHS[1], { bodyLimit: BODY_LIMIT }, (request, reply) =>
        this.answer(request, reply, (body) =>
          Buffer.from(JSON.stringify(this.xray.targetsFor(body, Date.now(), request.headers.authorization))),
        ),
      );
      done();
    });
  }

  private answer(request: FastifyRequest, reply: FastifyReply, handle: (body: unknown) => Buffer): FastifyReply {
    const started = performance.now();
    try {
      const json = handle(parseBody(request.body as Buffer | undefined));
      this.metrics.recordPoll('xray', 'ok', (performance.now() - started) / 1000);
      return reply.code(200).header('content-type', 'application/json').send(json);
    } catch (error) {
      if (!(error instanceof XRayRequestError)) throw error;
      this.metrics.recordPoll('xray', 'bad_request', (performance.now() - started) / 1000);
      return reply
        .code(400)
        .header('content-type', 'application/json')
        .header('x-amzn-errortype', 'InvalidRequestException')
        .send(JSON.stringify({ __type: 'InvalidRequestException', Message: error.message }));
    }
  }
}

function parseBody(raw: Buffer | undefined): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new XRayRequestError('(body)', `not JSON: ${(error as Error).message}`);
  }
}
