import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';

/** Fastify's body-parsing failures (not JSON, empty, too large, unsupported type). */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'of a length that does not match content-length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty, but content-type says JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'larger than the limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'of an unsupported content-type',
};

/**
 * Gives body-parsing failures the same shape as every other refusal, naming the body as the
 * field; everything else keeps Nest's default handling.
 */
@Catch()
export class BodyErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    // Nest's Fastify adapter wraps Fastify's error in an HttpException, keeping it as the cause.
    const fastifyError = (error as { cause?: unknown } | null)?.cause ?? error;
    const code = (fastifyError as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' ? BODY_ERRORS[code] : undefined;
    if (!reason) {
      super.catch(error, host);
      return;
    }
    const status = (fastifyError as { statusCode?: number }).statusCode ?? 400;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.code(status).send({
      statusCode: status,
      error: status === 413 ? 'Payload Too Large' : status === 415 ? 'Unsupported Media Type' : 'Bad Request',
      field: '(body)',
      message: `(body): ${reason}`,
    });
  }
}
