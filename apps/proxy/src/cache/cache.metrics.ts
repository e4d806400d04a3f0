import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** Metrics of the cache planner and the retrieve loop, registered in the proxy's registry. */
export interface CacheMetrics {
  readonly breakpoints: Counter<'reason'>;
  readonly markerProblems: Counter<'code'>;
  readonly volatilePrefix: Counter<'kind' | 'where'>;
  readonly retrieveCalls: Counter<'api' | 'status'>;
  readonly retrieveRounds: Counter<'api' | 'end'>;
  readonly retrieveToolAdded: Counter<'api'>;
}

const byRegistry = new WeakMap<Registry, CacheMetrics>();

export function cacheMetrics(registry: Registry): CacheMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const registers = [registry];
  const metrics: CacheMetrics = {
    breakpoints: new Counter({
      name: 'leeway_proxy_cache_breakpoints_total',
      help: 'Anthropic cache_control breakpoints Leeway added, by reason (newest, look-back, system, tools).',
      labelNames: ['reason'] as const,
      registers,
    }),
    markerProblems: new Counter({
      name: 'leeway_proxy_cache_marker_problems_total',
      help: 'Problems found by the final-body cache_control check (Leeway markers dropped when it fails), by code.',
      labelNames: ['code'] as const,
      registers,
    }),
    volatilePrefix: new Counter({
      name: 'leeway_proxy_volatile_prefix_total',
      help: 'Requests whose system prompt or tool definitions hold a volatile value (date, uuid, request id) that breaks the prompt cache.',
      labelNames: ['kind', 'where'] as const,
      registers,
    }),
    retrieveCalls: new Counter({
      name: 'leeway_proxy_retrieve_answers_total',
      help: 'leeway_retrieve calls answered by Leeway, by API and status (found, unknown, invalid-key).',
      labelNames: ['api', 'status'] as const,
      registers,
    }),
    retrieveRounds: new Counter({
      name: 'leeway_proxy_retrieve_continuations_total',
      help: 'Client requests that needed retrieve continuations, by API and how the loop ended.',
      labelNames: ['api', 'end'] as const,
      registers,
    }),
    retrieveToolAdded: new Counter({
      name: 'leeway_proxy_retrieve_tool_requests_total',
      help: 'Forwarded requests carrying the leeway_retrieve tool, by API.',
      labelNames: ['api'] as const,
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
