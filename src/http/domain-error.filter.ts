import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InvalidInputError } from '../ingest/invalid-input.error';

/** Turns domain errors into status codes, so controllers stay a decorator and one call. */
@Catch(InvalidInputError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: InvalidInputError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.code(400).send({ statusCode: 400, error: 'Bad Request', field: error.field, message: error.message });
  }
}
