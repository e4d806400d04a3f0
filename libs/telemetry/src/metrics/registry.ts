import { Registry, collectDefaultMetrics } from 'prom-client';

export interface RegistryOptions {
  /** Collect Node's default process metrics (`process_*`, `nodejs_*`). Default true. */
  readonly defaultMetrics?: boolean;
  /** Constant labels on every series (e.g. `{ app: 'proxy' }`). Never per-request values. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /**
   * Add an `app` label to every series. Default false: Prometheus' `job` label (one scrape job per app
   * in the chart and the compose stack) tells the apps apart, and series stay as the apps expose them.
   */
  readonly appLabel?: boolean;
}

/**
 * A fresh registry per app instance (several apps in one process — the embedded stack, tests — never
 * collide). Default metrics are unprefixed so standard Node dashboards work; the scrape job (or the
 * optional `app` label) tells the apps apart.
 */
export function createMetricsRegistry(app: 'proxy' | 'ingestion' | 'admin', options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ...(options.appLabel ? { app } : {}), ...options.defaultLabels });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Buckets for durations Leeway itself adds (sub-millisecond to a quarter second). */
export const OVERHEAD_BUCKETS_SECONDS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];
/** Buckets for whole exchanges and upstream calls (LLM responses run to minutes). */
export const EXCHANGE_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
/** Buckets for time to first byte. */
export const TTFB_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60];
/** Buckets for a ratio in [0, 1] (tokens after / tokens before). */
export const RATIO_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];
