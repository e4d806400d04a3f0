import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { toErrorEnvelope } from '@leeway/contracts';
import { INGESTION_HEALTH, INGESTION_METRICS, type IngestionHealth } from './ingestion-health';

@Controller()
export class HealthController {
  constructor(
    @Inject(INGESTION_HEALTH) private readonly health: IngestionHealth,
    @Inject(INGESTION_METRICS) private readonly metrics: Registry,
  ) {}

  @Get('healthz')
  healthz(@Res() reply: FastifyReply): void {
    if (this.health.isLive()) void reply.code(200).send({ status: 'ok' });
    else void reply.code(503).send(toErrorEnvelope('ING_SHUTTING_DOWN', 'shutting down', null));
  }

  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const readiness = this.health.readiness();
    if (readiness.ready) void reply.code(200).send({ status: 'ready', checks: readiness.checks, stats: readiness.stats });
    else void reply.code(503).send({ ...toErrorEnvelope('ING_NOT_READY', 'not ready', null), checks: readiness.checks });
  }

  @Get('metrics')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.metrics();
    void reply.code(200).header('content-type', this.metrics.contentType).send(text);
  }
}
