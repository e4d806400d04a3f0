import { describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { AdminMetrics } from './admin-metrics';
import { IngestionMetrics } from './ingestion-metrics';
import { ProxyMetrics } from './proxy-metrics';
import { createMetricsRegistry } from './registry';

async function series(registry: Registry, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} not registered`);
  const data = await metric.get();
  return data.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

const baseRequest = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-5-20250929',
  team: 'payments',
  operation: 'messages',
  stream: false,
  httpStatus: 200,
  durationSeconds: 1.2,
  overheadSeconds: 0.003,
  upstreamSeconds: 1.19,
  ttfbSeconds: 0.4,
  usage: { inputTokens: 100, cacheReadTokens: 2000, cacheWrite5mTokens: null, cacheWrite1hTokens: 0, outputTokens: 50 },
};

describe('ProxyMetrics', () => {
  it('records a request with bounded, normalised labels and skips unknown usage', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    metrics.observeRequest({ ...baseRequest, operation: 'chat' });
    const requests = await series(metrics.registry, 'leeway_proxy_requests_total');
    expect(requests).toEqual([
      {
        labels: { provider: 'anthropic', model_family: 'claude-sonnet-4-5', team: 'payments', operation: 'chat', status: '2xx' },
        value: 1,
      },
    ]);
    const tokensIn = await series(metrics.registry, 'leeway_proxy_tokens_in_total');
    const byClass = Object.fromEntries(tokensIn.map((s) => [s.labels.class, s.value]));
    expect(byClass).toEqual({ input: 100, cache_read: 2000, cache_write_1h: 0 });
    expect((await series(metrics.registry, 'leeway_proxy_tokens_out_total'))[0]?.value).toBe(50);
    const overhead = await series(metrics.registry, 'leeway_proxy_overhead_seconds');
    expect(overhead.find((s) => s.labels.le === 0.005)?.value).toBe(1);
    expect(overhead.find((s) => s.labels.le === 0.002)?.value).toBe(0);
  });

  it('collapses teams past the bound into other and never labels request ids', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false, maxTeams: 2 });
    for (const team of ['a', 'b', 'c', 'd']) metrics.observeRequest({ ...baseRequest, team });
    const teams = (await series(metrics.registry, 'leeway_proxy_requests_total')).map((s) => s.labels.team).sort();
    expect(teams).toEqual(['a', 'b', 'other']);
    const all = await metrics.registry.getMetricsAsJSON();
    const labelNames = new Set(all.flatMap((m) => m.values.flatMap((v) => Object.keys(v.labels))));
    for (const forbidden of ['request_id', 'key', 'key_id', 'user', 'api_key', 'session']) expect(labelNames.has(forbidden)).toBe(false);
  });

  it('records segments, savings and ratios by kind', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    metrics.observeSegment({ kind: 'json', result: 'compressed', tokensBefore: 1000, tokensAfter: 250 }, 'payments');
    metrics.observeSegment({ kind: 'weird', result: 'unchanged', tokensBefore: 10, tokensAfter: 10 }, 'payments');
    expect(await series(metrics.registry, 'leeway_proxy_tokens_saved_total')).toEqual([
      { labels: { kind: 'json', team: 'payments' }, value: 750 },
    ]);
    const ratio = await series(metrics.registry, 'leeway_proxy_compression_ratio');
    expect(ratio.find((s) => s.labels.le === 0.3 && s.labels.kind === 'json')?.value).toBe(1);
    expect(ratio.find((s) => s.labels.le === 0.2 && s.labels.kind === 'json')?.value).toBe(0);
    const segments = await series(metrics.registry, 'leeway_proxy_segments_total');
    expect(segments.map((s) => s.labels)).toContainEqual({ kind: 'other', result: 'unchanged' });
  });

  it('records fail-open, budget, cache planner, retrieve and spool metrics', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    metrics.observeFailOpen('state_unavailable');
    metrics.observeFailOpen('not-a-reason' as never);
    metrics.setBudgetUtilisation('payments', 0.42);
    metrics.observeBudgetRejection('payments', 'hard');
    metrics.observeCachePlannerAction('anthropic', 'breakpoint_added', 2);
    metrics.observeCacheReadPrediction({ provider: 'anthropic', model: 'claude-opus-4-1', predictedTokens: 900, actualTokens: 1000 });
    metrics.observeCacheReadPrediction({ provider: 'anthropic', model: 'claude-opus-4-1', predictedTokens: 900, actualTokens: null });
    metrics.observeRetrieveCall('openai', 'hit');
    metrics.setEventSpoolDepth(7);
    metrics.dependencies.observeHealthCheck('redis', false);
    expect((await series(metrics.registry, 'leeway_proxy_fail_open_total')).map((s) => [s.labels.reason, s.value])).toEqual([
      ['state_unavailable', 1],
      ['other', 1],
    ]);
    expect((await series(metrics.registry, 'leeway_proxy_budget_utilisation_ratio'))[0]?.value).toBe(0.42);
    expect((await series(metrics.registry, 'leeway_proxy_budget_rejections_total'))[0]?.labels).toEqual({ team: 'payments', kind: 'hard' });
    expect((await series(metrics.registry, 'leeway_proxy_cache_planner_actions_total'))[0]?.value).toBe(2);
    expect((await series(metrics.registry, 'leeway_proxy_cache_read_predicted_tokens_total'))[0]?.value).toBe(900);
    expect((await series(metrics.registry, 'leeway_proxy_cache_read_actual_tokens_total'))[0]?.value).toBe(1000);
    expect((await series(metrics.registry, 'leeway_proxy_retrieve_calls_total'))[0]?.labels).toEqual({ provider: 'openai', outcome: 'hit' });
    expect((await series(metrics.registry, 'leeway_proxy_event_spool_depth'))[0]?.value).toBe(7);
    expect((await series(metrics.registry, 'leeway_dependency_up'))[0]).toEqual({ labels: { dependency: 'redis' }, value: 0 });
  });

  it('serves the text exposition with default metrics, the app label only on request', async () => {
    const metrics = new ProxyMetrics();
    metrics.observeRequest(baseRequest);
    const { contentType, body } = await metrics.render();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).not.toMatch(/app="proxy"/);
    const labelled = new ProxyMetrics({ defaultMetrics: false, registry: createMetricsRegistry('proxy', { appLabel: true, defaultMetrics: false }) });
    labelled.observeRequest(baseRequest);
    expect((await labelled.render()).body).toMatch(/leeway_proxy_requests_total\{[^}]*app="proxy"/);
  });

  it('keeps registries of two instances apart', async () => {
    const a = new ProxyMetrics({ defaultMetrics: false });
    const b = new ProxyMetrics({ defaultMetrics: false });
    a.observeRequest(baseRequest);
    expect(await series(b.registry, 'leeway_proxy_requests_total')).toEqual([]);
  });
});

describe('IngestionMetrics', () => {
  it('records consumption, batches, lag, dead letters and money', async () => {
    const metrics = new IngestionMetrics({ defaultMetrics: false });
    metrics.observeConsumed('inserted', 10);
    metrics.observeBatch(10, 0.02);
    metrics.setLag(3, 1.5);
    metrics.setPending(3, 4);
    metrics.observeDeadLetter('unsupported_version:7');
    metrics.observeDeadLetter('whatever:x');
    metrics.observeLedgerRow({
      team: 'payments',
      model: 'gpt-4o-2024-08-06',
      billedMicros: 1200,
      counterfactualMicros: 2000,
      compressionSavingsMicros: 500,
      cacheReadSavingsMicros: 400,
      cacheWritePremiumMicros: 100,
    });
    expect((await series(metrics.registry, 'leeway_ingestion_events_consumed_total'))[0]).toEqual({ labels: { outcome: 'inserted' }, value: 10 });
    expect((await series(metrics.registry, 'leeway_ingestion_lag_seconds'))[0]).toEqual({ labels: { partition: '3' }, value: 1.5 });
    expect((await series(metrics.registry, 'leeway_ingestion_dead_letters_total')).map((s) => s.labels.reason)).toEqual([
      'unsupported_version',
      'other',
    ]);
    const savings = await series(metrics.registry, 'leeway_ledger_savings_micro_usd_total');
    expect(savings.map((s) => [s.labels.source, s.labels.model_family, s.value])).toEqual([
      ['compression', 'gpt-4o', 500],
      ['cache_read', 'gpt-4o', 400],
    ]);
    expect((await series(metrics.registry, 'leeway_ledger_cache_write_premium_micro_usd_total'))[0]?.value).toBe(100);
    expect((await series(metrics.registry, 'leeway_ledger_cost_micro_usd_total'))[0]?.value).toBe(1200);
  });
});

describe('AdminMetrics', () => {
  it('labels route templates, never concrete URLs', async () => {
    const metrics = new AdminMetrics({ defaultMetrics: false, maxRoutes: 1 });
    metrics.observeRequest({ routeTemplate: '/v1/teams/:teamId', method: 'GET', status: 200, durationSeconds: 0.01 });
    metrics.observeRequest({ routeTemplate: '/v1/teams/1234', method: 'GET', status: 404, durationSeconds: 0.01 });
    metrics.observeRequest({ routeTemplate: '/v1/keys', method: 'POST', status: 201, durationSeconds: 0.01 });
    metrics.observeRequest({ routeTemplate: null, method: 'GET', status: 404, durationSeconds: 0.01 });
    const routes = (await series(metrics.registry, 'leeway_admin_requests_total')).map((s) => [s.labels.route, s.labels.status]);
    expect(routes).toEqual([
      ['/v1/teams/:teamId', '2xx'],
      ['unmatched', '4xx'],
      ['other', '2xx'],
    ]);
  });
});
