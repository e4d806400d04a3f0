import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The proxy's Prometheus metrics (minimal for now; the observability issue extends them). One registry
 * per app instance, so several proxies in one process (tests, the embedded stack) do not collide.
 */
export class ProxyMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'leeway_proxy_requests_total',
    help: 'Requests served, by route, status class and outcome.',
    labelNames: ['route', 'status', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly failOpen = new Counter({
    name: 'leeway_proxy_fail_open_total',
    help: 'Optimisations abandoned in favour of the original request (I5), by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly stateErrors = new Counter({
    name: 'leeway_proxy_state_errors_total',
    help: 'Prefix-state / CCR store failures, by code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'leeway_proxy_upstream_errors_total',
    help: 'Upstream failures answered by Leeway, by code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly segments = new Counter({
    name: 'leeway_proxy_segments_total',
    help: 'Compressible segments seen, by what happened to them.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly tokensSaved = new Counter({
    name: 'leeway_proxy_tokens_saved_total',
    help: 'Estimated input tokens removed by compression (before - after), by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly optimizeSeconds = new Histogram({
    name: 'leeway_proxy_optimize_seconds',
    help: 'Time spent planning and applying edits before forwarding.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly requestSeconds = new Histogram({
    name: 'leeway_proxy_request_seconds',
    help: 'Whole exchange duration (first request byte to last response byte), by route.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'leeway_proxy_' });
  }
}
