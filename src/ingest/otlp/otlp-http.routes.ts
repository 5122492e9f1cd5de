import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { IngestMetrics } from '../../telemetry/ingest-metrics';
import { IngestService } from '../ingest.service';
import type { Reporter } from '../reporter-auth';
import { INGEST_LIMITS } from '../ingest-limits';
import { DomainError, FieldError } from '../../errors/domain-error';
import { grpcCode } from '../../errors/grpc-status';
import { httpRefusal } from '../../errors/http-status';
import { ExportResponseType, decodeProtobufSpans } from './otlp-decode';
import { decodeJsonSpans } from './otlp-json';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/**
 * OTLP/HTTP trace receiver (`POST /v1/traces`), in its own Fastify scope so it can take raw
 * protobuf and compressed bodies up to its own size limit. Answers follow the OTLP spec: the
 * response in the request's encoding, partial success naming rejected spans, 400 with a
 * `google.rpc.Status`-shaped message for a body that cannot be read.
 */
@Injectable()
export class OtlpHttpRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly ingest: IngestService,
    private readonly metrics: IngestMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register((scope, _options, done) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INGEST_LIMITS.otlpBodyBytes }, (_req, body, next) =>
        next(null, body),
      );
      scope.post(
        '/v1/traces',
        // Credentials before the body: an unauthenticated sender cannot make this buffer 16 MiB.
        { bodyLimit: INGEST_LIMITS.otlpBodyBytes, onRequest: (request, reply) => this.authenticate(request, reply) },
        (request, reply) => this.export(request, reply),
      );
      done();
    });
  }

  private async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    try {
      reporters.set(request, this.ingest.authenticate('otlp', request.headers.authorization));
      return undefined;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.fail(reply, contentTypeOf(request) === JSON_TYPE, error);
      return reply;
    }
  }

  private async export(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const contentType = contentTypeOf(request);
    const isJson = contentType === JSON_TYPE;
    const reporter = reporters.get(request);
    if (!reporter) throw new Error('OTLP export reached without authentication');
    let outcome;
    try {
      if (!isJson && contentType !== PROTOBUF) {
        this.metrics.refused('otlp', 'unsupported_media_type');
        throw new FieldError('content-type', `must be ${PROTOBUF} or ${JSON_TYPE}`, 'unsupported_media_type');
      }
      outcome = this.ingest.acceptSpans(await this.decode(request, isJson), 'http', reporter);
    } catch (error) {
      if (error instanceof DomainError) return this.fail(reply, isJson, error);
      throw error;
    }
    const partialSuccess =
      outcome.rejectedSpans > 0 ? { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.errorMessage ?? '' } : undefined;
    if (isJson) {
      await reply.code(200).header('content-type', JSON_TYPE).send(partialSuccess ? { partialSuccess } : {});
      return;
    }
    const message = ExportResponseType.fromObject(partialSuccess ? { partialSuccess } : {});
    await reply.code(200).header('content-type', PROTOBUF).send(Buffer.from(ExportResponseType.encode(message).finish()));
  }

  private async decode(request: FastifyRequest, isJson: boolean) {
    try {
      const body = await this.decompress(request.headers['content-encoding'], request.body as Buffer | undefined);
      return isJson ? decodeJsonSpans(parseJson(body)) : decodeProtobufSpans(body);
    } catch (error) {
      if (error instanceof RangeError) {
        this.metrics.refused('otlp', 'too_large');
        throw new FieldError('(body)', error.message, 'too_large');
      }
      this.metrics.refused('otlp', 'invalid');
      throw error instanceof DomainError ? error : new FieldError('(body)', (error as Error).message);
    }
  }

  private async decompress(encoding: string | string[] | undefined, body: Buffer | undefined): Promise<Buffer> {
    const raw = body ?? Buffer.alloc(0);
    const name = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase();
    const limit = { maxOutputLength: INGEST_LIMITS.otlpBodyBytes };
    try {
      if (name === 'gzip') return await gunzipAsync(raw, limit);
      if (name === 'deflate') return await inflateAsync(raw, limit);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new RangeError(`decompressed body exceeds ${INGEST_LIMITS.otlpBodyBytes} bytes`, { cause: error });
      }
      throw new FieldError('(body)', `cannot decompress ${name} body: ${(error as Error).message}`);
    }
    if (name && name !== 'identity') throw new FieldError('content-encoding', `"${name}" is not supported`);
    return raw;
  }

  /** OTLP's refusal shape: a `google.rpc.Status` in JSON, the bare message beside protobuf. */
  private async fail(reply: FastifyReply, json: boolean, error: DomainError): Promise<void> {
    const { status, headers } = httpRefusal(error);
    void reply.code(status).headers(headers);
    if (json) await reply.header('content-type', JSON_TYPE).send({ code: grpcCode(error.kind), message: error.message });
    else await reply.header('content-type', 'text/plain; charset=utf-8').send(error.message);
  }
}

/** The sender `authenticate` found, from the request's first hook to its handler. */
const reporters = new WeakMap<FastifyRequest, Reporter>();

function contentTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new FieldError('(body)', `not valid JSON: ${(error as Error).message}`);
  }
}
