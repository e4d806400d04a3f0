import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_CONTEXT, type AdminContext } from '../admin.tokens';
import { toEnvelope } from './error-envelope';

/** Every error leaves as `{statusCode, code, error, message, requestId, details}`. */
@Catch()
export class AdminErrorFilter implements ExceptionFilter {
  constructor(@Inject(ADMIN_CONTEXT) private readonly ctx: AdminContext) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toEnvelope(exception, String(req.id), this.ctx.logger);
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
