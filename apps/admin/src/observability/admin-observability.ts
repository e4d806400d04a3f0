import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AdminMetrics } from '@leeway/telemetry';
import type { FastifyInstance } from 'fastify';

/**
 * The admin API's Prometheus metrics: requests by route template, method and status class (Fastify
 * `onResponse`, so guard rejections and error envelopes count too), served on `GET /metrics` — a plain
 * Fastify route outside the admin auth guard and route table, like the other apps' `/metrics`. Each
 * `/readyz` answer (a database round trip) also records PostgreSQL's health (`leeway_dependency_up`).
 */
@Injectable()
export class AdminObservability implements OnModuleInit {
  readonly metrics = new AdminMetrics();

  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      this.metrics.observeRequest({
        routeTemplate: request.routeOptions.url ?? null,
        method: request.method,
        status: reply.statusCode,
        durationSeconds: reply.elapsedTime / 1000,
      });
      // The admin readiness check is a database round trip: its answer is PostgreSQL's health.
      if (request.routeOptions.url === '/readyz') {
        this.metrics.dependencies.observeHealthCheck('postgres', reply.statusCode === 200, reply.statusCode === 200 ? reply.elapsedTime / 1000 : null);
      }
      done();
    });
    fastify.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await this.metrics.render();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  }
}
