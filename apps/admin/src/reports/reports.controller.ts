import { Body, Controller, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { auditQuerySchema, priceCreateSchema, spendQuerySchema } from '@leeway/contracts';
import { AdminRoute, CallerAccess } from '../auth/admin-route.decorator';
import type { Access } from '../auth/principal';
import { validate } from '../http/admin-http.error';
import { routeSpec } from '../http/routes';
import { ReportsService } from './reports.service';

@Controller()
export class ReportsController {
  constructor(@Inject(ReportsService) private readonly reports: ReportsService) {}

  @AdminRoute('reports.spend')
  spend(@CallerAccess() access: Access, @Query() query: unknown) {
    return this.reports.spend(access, validate(spendQuerySchema, query, 'query'));
  }

  @AdminRoute('reports.spendCsv')
  async spendCsv(@CallerAccess() access: Access, @Query() query: unknown, @Res() reply: FastifyReply) {
    const q = validate(spendQuerySchema, query, 'query');
    const csv = await this.reports.spendCsv(access, q);
    await reply
      .status(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="leeway-spend-${q.from}-${q.to}.csv"`)
      .send(csv);
  }

  @AdminRoute('pricing.list')
  async listPrices(@Query() query: unknown) {
    const q = validate(routeSpec('pricing.list').query!, query, 'query') as { provider?: string };
    return { items: await this.reports.listPrices(q.provider) };
  }

  @AdminRoute('pricing.create')
  createPrice(@CallerAccess() access: Access, @Body() body: unknown) {
    return this.reports.createPrice(access, validate(priceCreateSchema, body, 'body'));
  }

  @AdminRoute('audit.list')
  async audit(@CallerAccess() access: Access, @Query() query: unknown) {
    return { items: await this.reports.audit(access, validate(auditQuerySchema, query, 'query')) };
  }
}
