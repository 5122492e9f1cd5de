import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as secureJsonParse } from 'secure-json-parse';
import { DomainError, FieldError } from '../errors/domain-error';
import { httpRefusal } from '../errors/http-status';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { IngestService } from './ingest.service';

export const REPORT_PATH = '/api/v1/throughput';
/** Fastify's body limit for the whole server (see main.ts); larger bodies go its way and get its 413. */
const BODY_LIMIT = 1024 * 1024;
/** Fastify's defaults, so a body means the same in both lanes. */
const JSON_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Reports ahead of Fastify, as polls are (see `SamplingHttpRoutes.serveDirect`): a large fleet
 * sends hundreds a second, and Fastify's request, hooks and reply plus Nest's router cost more
 * than counting the report. Only the plain case is taken — `POST /api/v1/throughput`, a JSON
 * body of a stated length within the limit, not compressed — and it runs the same
 * authentication, validation and counting (`IngestService`) and answers the same bodies and
 * refusals. Anything else returns false and is Fastify's, so behaviour keeps one definition.
 */
@Injectable()
export class ReportFastLane {
  constructor(
    private readonly ingest: IngestService,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  readonly serveDirect = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'POST' || request.url !== REPORT_PATH) return false;
    const length = plainJsonLength(request);
    if (length === undefined) return false;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => this.answer(request, response, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), length));
    return true;
  };

  private answer(request: IncomingMessage, response: ServerResponse, body: Buffer, length: number): void {
    let accepted: number;
    try {
      if (body.length !== length) throw new FieldError('(body)', 'of a length that does not match content-length');
      let document: unknown;
      try {
        document = secureJsonParse(body.toString('utf8'), JSON_OPTIONS);
      } catch {
        throw new FieldError('(body)', 'not valid JSON');
      }
      accepted = this.ingest.acceptReport(document, 'http', this.ingest.authenticate('report', request.headers.authorization));
    } catch (error) {
      if (!(error instanceof DomainError)) this.logger.error({ err: error }, 'report failed');
      refuse(response, error);
      return;
    }
    send(response, 202, `{"accepted":${accepted}}`);
  }
}

/** The stated length of a JSON body within the limit, neither chunked nor compressed; else undefined. */
function plainJsonLength(request: IncomingMessage): number | undefined {
  const headers = request.headers;
  if (headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return undefined;
  const length = Number(headers['content-length']);
  if (!Number.isSafeInteger(length) || length < 1 || length > BODY_LIMIT) return undefined;
  const type = headers['content-type']?.toLowerCase().replace(/\s+/g, '');
  return type === 'application/json' || type === 'application/json;charset=utf-8' ? length : undefined;
}

function refuse(response: ServerResponse, error: unknown): void {
  if (!(error instanceof DomainError)) {
    // As Nest answers an unexpected error; the fault is ours, not the reporter's.
    send(response, 500, '{"statusCode":500,"message":"Internal server error"}');
    return;
  }
  const { status, headers, body } = httpRefusal(error);
  send(response, status, JSON.stringify(body), headers);
}

function send(response: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(json) });
  response.end(json);
}
