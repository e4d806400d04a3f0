import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { DependencyMetrics } from './dependency-metrics';
import { OTHER_LABEL, allowListed, statusClass } from './labels';
import { createMetricsRegistry } from './registry';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
/** A route template (`/v1/teams/:teamId`), never a concrete URL: no query, no digits-only segments. */
const ROUTE_TEMPLATE = /^\/[\w\-/:.{}]{0,127}$/;

export interface AdminMetricsOptions {
  /** Distinct route templates labelled before the rest collapse into `other`. Default 100. */
  readonly maxRoutes?: number;
  readonly defaultMetrics?: boolean;
  readonly registry?: Registry;
}

/** The admin API's metrics: requests by route template and status. */
export class AdminMetrics {
  readonly registry: Registry;
  readonly dependencies: DependencyMetrics;
  private readonly routes = new Set<string>();
  private readonly maxRoutes: number;
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly requestSeconds: Histogram<'route' | 'method'>;

  constructor(options: AdminMetricsOptions = {}) {
    const registry = options.registry ?? createMetricsRegistry('admin', { defaultMetrics: options.defaultMetrics ?? true });
    this.registry = registry;
    this.dependencies = new DependencyMetrics(registry);
    this.maxRoutes = options.maxRoutes ?? 100;
    this.requests = new Counter({
      name: 'leeway_admin_requests_total',
      help: 'Admin API requests by route template, method and status class.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    });
    this.requestSeconds = new Histogram({
      name: 'leeway_admin_request_duration_seconds',
      help: 'Admin API request duration by route template.',
      labelNames: ['route', 'method'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** `routeTemplate` is the matched route pattern (Fastify `request.routeOptions.url`), not the raw URL. */
  observeRequest(input: { routeTemplate: string | null; method: string; status: number; durationSeconds: number }): void {
    const route = this.routeLabel(input.routeTemplate);
    const method = allowListed(METHODS, input.method);
    this.requests.inc({ route, method, status: statusClass(input.status) });
    if (Number.isFinite(input.durationSeconds) && input.durationSeconds >= 0) {
      this.requestSeconds.observe({ route, method }, input.durationSeconds);
    }
  }

  private routeLabel(template: string | null): string {
    if (!template || !ROUTE_TEMPLATE.test(template) || /\/\d+(?:\/|$)/.test(template)) return 'unmatched';
    if (this.routes.has(template)) return template;
    if (this.routes.size >= this.maxRoutes) return OTHER_LABEL;
    this.routes.add(template);
    return template;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
