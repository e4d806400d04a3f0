import { Controller, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { schemaStatus } from '@leeway/db';
import { ADMIN_CONTEXT, type AdminContext } from '../admin.tokens';
import { AdminRoute } from '../auth/admin-route.decorator';
import { AdminHttpError } from '../http/admin-http.error';
import { DOCS_HTML } from './docs-page';
import { buildOpenApiDocument } from './openapi-document';

@Controller()
export class MetaController {
  private document: Record<string, unknown> | null = null;
  private lastSchemaWarning = Number.NEGATIVE_INFINITY;

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
    let schema;
    try {
      schema = await schemaStatus(this.ctx.database.sql);
    } catch (cause) {
      throw new AdminHttpError('GEN_UNAVAILABLE', 'database unavailable', null, { cause });
    }
    // Not ready while the schema is older than this code (the migration Job has not run, or failed).
    if (!schema.current) {
      // 5xx bodies are generic (STYLE.md); the reason goes to the log, at most once a minute per probe storm.
      const at = this.ctx.now().getTime();
      if (at - this.lastSchemaWarning >= 60_000) {
        this.lastSchemaWarning = at;
        this.ctx.logger.warn({ pending: schema.pending, failed: schema.failed }, 'not ready: database schema is behind this code (run the migrations)');
      }
      throw new AdminHttpError('GEN_UNAVAILABLE', 'database schema is behind this code');
    }
    return { status: 'ready', database: this.ctx.database.engine };
  }
}
