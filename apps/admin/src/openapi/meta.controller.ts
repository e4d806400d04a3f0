import { Controller, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ADMIN_CONTEXT, type AdminContext } from '../admin.tokens';
import { AdminRoute } from '../auth/admin-route.decorator';
import { AdminHttpError } from '../http/admin-http.error';
import { DOCS_HTML } from './docs-page';
import { buildOpenApiDocument } from './openapi-document';

@Controller()
export class MetaController {
  private document: Record<string, unknown> | null = null;

  constructor(@Inject(ADMIN_CONTEXT) private readonly ctx: AdminContext) {}

  @AdminRoute('meta.openapi')
  openapi() {
    this.document ??= buildOpenApiDocument();
    return this.document;
  }

  @AdminRoute('meta.docs')
  async docs(@Res() reply: FastifyReply) {
    await reply.status(200).header('content-type', 'text/html; charset=utf-8').send(DOCS_HTML);
  }

  @AdminRoute('meta.health')
  health() {
    return { status: 'ok' };
  }

  @AdminRoute('meta.ready')
  async ready() {
    try {
      await this.ctx.database.sql.query('SELECT 1');
      return { status: 'ready', database: this.ctx.database.engine };
    } catch (cause) {
      throw new AdminHttpError('GEN_UNAVAILABLE', 'database unavailable', null, { cause });
    }
  }
}
