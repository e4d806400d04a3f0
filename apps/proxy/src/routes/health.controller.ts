import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ReadinessStatus, StateStores } from '@leeway/state';
import type { FastifyReply } from 'fastify';
import { ProxyMetrics } from '../observability/proxy.metrics';
import { CompressionPool } from '../pipeline/compression.pool';
import { STATE_STORES } from '../tokens';

/** Liveness, readiness (the stores answer) and Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    @Inject(STATE_STORES) private readonly stores: Pick<StateStores, 'prefixState' | 'ccr'>,
    @Inject(ProxyMetrics) private readonly metrics: ProxyMetrics,
    @Inject(CompressionPool) private readonly compression: CompressionPool,
  ) {}

  @Get('/healthz')
  healthz(@Res() reply: FastifyReply): void {
    void reply.header('cache-control', 'no-store').send({ status: 'ok' });
  }

  @Get('/readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const t0 = performance.now();
    const [prefixState, ccr] = await Promise.all([
      this.stores.prefixState.checkReady(),
      this.stores.ccr.checkReady(),
    ]);
    if (prefixState.adapter === 'redis') {
      this.metrics.telemetry.dependencies.observeHealthCheck('redis', prefixState.ready, prefixState.ready ? (performance.now() - t0) / 1000 : null);
    }
    const compression: ReadinessStatus = {
      ready: this.compression.ready,
      adapter: this.compression.size === 0 ? 'inline' : `workers:${this.compression.size}`,
    };
    const checks: Record<string, ReadinessStatus> = { prefixState, ccr, compression };
    const ready = prefixState.ready && ccr.ready && compression.ready;
    await reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not-ready', checks });
  }

  @Get('/metrics')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.registry.metrics();
    await reply.header('content-type', this.metrics.registry.contentType).send(text);
  }
}
