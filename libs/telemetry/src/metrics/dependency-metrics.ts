import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { allowListed } from './labels';

export const DEPENDENCIES = ['redis', 'postgres'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** Health of Redis / PostgreSQL as seen by one app (the SRE dashboard's health row). */
export class DependencyMetrics {
  private readonly up: Gauge<'dependency'>;
  private readonly pingSeconds: Histogram<'dependency'>;

  constructor(registry: Registry) {
    this.up = new Gauge({
      name: 'leeway_dependency_up',
      help: 'Whether the last health check of a dependency succeeded (1) or failed (0).',
      labelNames: ['dependency'] as const,
      registers: [registry],
    });
    this.pingSeconds = new Histogram({
      name: 'leeway_dependency_ping_seconds',
      help: 'Round-trip time of dependency health checks.',
      labelNames: ['dependency'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    });
  }

  /** Record one health check: `seconds` is null when the check failed before a reply. */
  observeHealthCheck(dependency: Dependency, healthy: boolean, seconds: number | null = null): void {
    const label = allowListed(DEPENDENCIES, dependency);
    this.up.set({ dependency: label }, healthy ? 1 : 0);
    if (seconds !== null && Number.isFinite(seconds) && seconds >= 0) this.pingSeconds.observe({ dependency: label }, seconds);
  }
}
