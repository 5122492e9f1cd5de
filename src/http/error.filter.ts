import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { DomainError, FieldError } from '../errors/domain-error';
import { httpRefusal } from '../errors/http-status';

/** Fastify's body-parsing failures (not JSON, empty, too large, unsupported type). */
const BODY_ERRORS: Record<string, [string, 'invalid' | 'too_large' | 'unsupported_media_type']> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['not valid JSON', 'invalid'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['of a length that does not match content-length', 'invalid'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['empty, but content-type says JSON', 'invalid'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['larger than the limit', 'too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['of an unsupported content-type', 'unsupported_media_type'],
};

/**
 * The one place HTTP answers a refusal: domain errors, rate limiting and body-parsing failures
 * all get `{statusCode, error, field?, message}`; anything else keeps Nest's default handling.
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    const refused = asDomainError(error);
    if (!refused) {
      super.catch(error, host);
      return;
    }
    const { status, headers, body } = httpRefusal(refused);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.code(status).headers(headers).send(body);
  }
}

function asDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof ThrottlerException) return new DomainError('throttled', error.message);
  // Nest's Fastify adapter wraps Fastify's error in an HttpException, keeping it as the cause.
  const fastifyError = (error as { cause?: unknown } | null)?.cause ?? error;
  const code = (fastifyError as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? BODY_ERRORS[code] : undefined;
  return known ? new FieldError('(body)', known[0], known[1]) : undefined;
}
