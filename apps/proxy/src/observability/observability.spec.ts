// Metrics and spans after real proxied requests (official clients → proxy → fake upstream).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../config/proxy.config';
import { CollectingSink } from '../e2e/harness';
import { createProxyApp } from '../proxy.app';
import type { ProxyApp } from '../proxy.app';
import { createProxyLogger } from './proxy.logger';
import type { TracedExchangeRecord } from './observing-exchange.sink';
import { failOpenLabel } from './proxy.metrics';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parse the Prometheus text exposition into samples. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('proxy observability after real requests', () => {
  let upstream: FakeUpstream;
  let proxy: ProxyApp;
  let url: string;
  const sink = new CollectingSink();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(async () => {
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
    const config = loadProxyConfig({
      LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
      LEEWAY_OPENAI_BASE_URL: upstream.url,
      LEEWAY_LOG_LEVEL: 'silent',
      LEEWAY_SECRET_KEY: 'observability-secret-0123456789',
      LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
    });
    proxy = await createProxyApp({
      config,
      exchangeSink: sink,
      logger: createProxyLogger(process.env['DEBUG_OBS'] ? 'debug' : 'silent'),
      defaultMetrics: true,
      telemetry: { enabled: true, tracer: provider.getTracer('leeway'), shutdown: () => provider.shutdown() },
    });
    url = await proxy.listen(0);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    await provider.shutdown();
  });

  it('records a non-streaming Anthropic and a streaming OpenAI exchange in metrics and spans', async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 });
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 });
    upstream.script({ text: 'Hello there.' });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5-20250929', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    const first = (await sink.nth(1)) as TracedExchangeRecord;
    upstream.script({ text: 'Streaming hello.', chunkBytes: 4 });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-2024-08-06', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) void chunk;
    const second = (await sink.nth(2)) as TracedExchangeRecord;

    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const samples = parseExposition(await res.text());
    const find = (name: string, labels: Record<string, string>): Sample | undefined =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

    const requestLabels = { team: 'default', status: '2xx', operation: 'chat' };
    expect(find('leeway_proxy_requests_total', { ...requestLabels, provider: 'anthropic', model_family: 'claude-sonnet-4-5' })?.value).toBe(1);
    expect(find('leeway_proxy_requests_total', { ...requestLabels, provider: 'openai', model_family: 'gpt-4o' })?.value).toBe(1);
    expect(find('leeway_proxy_request_duration_seconds_count', { provider: 'anthropic', stream: 'false' })?.value).toBe(1);
    expect(find('leeway_proxy_request_duration_seconds_count', { provider: 'openai', stream: 'true' })?.value).toBe(1);
    expect(find('leeway_proxy_overhead_seconds_count', { provider: 'openai', stream: 'true' })?.value).toBe(1);
    expect(find('leeway_proxy_upstream_ttfb_seconds_count', { provider: 'openai', model_family: 'gpt-4o' })?.value).toBe(1);
    expect(find('leeway_proxy_upstream_duration_seconds_count', { provider: 'anthropic', model_family: 'claude-sonnet-4-5' })?.value).toBe(1);
    expect(find('leeway_proxy_route_requests_total', { route: 'anthropic.messages', status: '2xx', outcome: 'complete' })?.value).toBe(1);
    expect(find('leeway_proxy_route_requests_total', { route: 'openai.chat_completions', status: '2xx', outcome: 'complete' })?.value).toBe(1);
    // Tokens as the provider reported them, by class.
    expect(first.usage.inputTokens).not.toBeNull();
    expect(find('leeway_proxy_tokens_in_total', { provider: 'anthropic', class: 'input' })?.value).toBe(first.usage.inputTokens);
    expect(find('leeway_proxy_tokens_out_total', { provider: 'anthropic' })?.value).toBe(first.usage.outputTokens);
    expect(find('leeway_proxy_tokens_out_total', { provider: 'openai' })?.value).toBe(second.usage.outputTokens);
    // Node default metrics are on.
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    // No request ids, keys or raw model versions in any label.
    for (const sample of samples) {
      for (const value of Object.values(sample.labels)) {
        expect(value).not.toContain(first.requestId);
        expect(value).not.toMatch(/sk-|20250929|2024-08-06/);
      }
    }

    const spans = exporter.getFinishedSpans();
    const root = (traceparent: string | null): ReadableSpan => {
      const span = spans.find((s) => traceparent?.includes(s.spanContext().spanId));
      expect(span).toBeDefined();
      return span!;
    };
    const chat = root(first.traceparent);
    expect(chat.name).toBe('chat claude-sonnet-4-5-20250929');
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': first.usage.inputTokens,
      'gen_ai.usage.output_tokens': first.usage.outputTokens,
      'leeway.request_id': first.requestId,
      'http.response.status_code': 200,
    });
    const streamed = root(second.traceparent);
    expect(streamed.name).toBe('chat gpt-4o-2024-08-06');
    expect(streamed.attributes['gen_ai.request.stream']).toBe(true);
    expect(streamed.attributes['gen_ai.provider.name']).toBe('openai');
    const children = spans.filter((s) => s.parentSpanContext?.spanId === streamed.spanContext().spanId).map((s) => s.name);
    expect(children).toEqual(expect.arrayContaining(['leeway.upstream', 'leeway.stream']));
    for (const child of spans.filter((s) => s.parentSpanContext?.spanId === streamed.spanContext().spanId)) {
      expect(child.spanContext().traceId).toBe(streamed.spanContext().traceId);
    }
  }, 60_000);

  it('folds request-path fail-open codes into the bounded reason label', () => {
    expect(failOpenLabel('state-unavailable')).toBe('state_unavailable');
    expect(failOpenLabel('ccr-unavailable')).toBe('ccr_unavailable');
    expect(failOpenLabel('WIRE_BAD_EDIT')).toBe('parse_error');
    expect(failOpenLabel('splice-failed')).toBe('internal');
    expect(failOpenLabel('something new')).toBe('internal');
  });
});

describe('telemetry settings from the standard OTEL variables', () => {
  it('is off without an endpoint and parses headers and the sampling ratio', async () => {
    const { loadTelemetryConfig } = await import('../config/telemetry.config');
    expect(loadTelemetryConfig('leeway-proxy', {}).otlpEndpoint).toBeNull();
    const settings = loadTelemetryConfig('leeway-proxy', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=sre',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'edge-proxy',
    });
    expect(settings).toMatchObject({
      serviceName: 'edge-proxy',
      otlpEndpoint: 'http://collector:4318',
      otlpHeaders: { authorization: 'Bearer abc', 'x-team': 'sre' },
      sampleRatio: 0.25,
    });
    expect(loadTelemetryConfig('x', { OTEL_TRACES_SAMPLER_ARG: '7' }).sampleRatio).toBe(1);
    const { loadMetricsConfig } = await import('../config/telemetry.config');
    expect(loadMetricsConfig({}).maxTeams).toBe(50);
    expect(loadMetricsConfig({ LEEWAY_METRICS_MAX_TEAMS: '3' }).maxTeams).toBe(3);
    expect(loadMetricsConfig({ LEEWAY_METRICS_MAX_TEAMS: 'lots' }).maxTeams).toBe(50);
  });
});

describe('exchange records folded into metrics', () => {
  it('labels teams by name up to the bound, then other', async () => {
    const { ProxyMetrics } = await import('./proxy.metrics');
    const metrics = new ProxyMetrics({ defaultMetrics: false, maxTeams: 2 });
    for (const team of ['a', 'b', 'c', 'd']) metrics.telemetry.observeTokensSaved('json', team, 10);
    const series = (await metrics.registry.getSingleMetric('leeway_proxy_tokens_saved_total')!.get()).values;
    expect(series.map((s) => [s.labels['team'], s.value]).sort()).toEqual([['a', 10], ['b', 10], ['other', 20]]);
  });

  it('counts a budget rejection, its error class and the fail-open reason of a record', async () => {
    const { ProxyMetrics } = await import('./proxy.metrics');
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const base = {
      requestId: 'r1',
      provider: 'anthropic' as const,
      route: 'anthropic.messages' as const,
      method: 'POST',
      path: '/v1/messages',
      tenant: 'team-a',
      session: null,
      model: 'claude-opus-4-1-20250805',
      stream: false,
      outcome: 'error' as const,
      usage: { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWrite5mTokens: null, cacheWrite1hTokens: null, reasoningTokens: null },
      stopReason: null,
      error: null,
      clientAborted: false,
      tokensBefore: 0,
      tokensAfter: 0,
      segments: { total: 0, protected: 0, replayed: 0, compressed: 0 },
      startedAt: 0,
      latencyMs: 5,
      ttfbMs: null,
      optimizeMs: 1,
      requestBytes: 10,
      forwardedBytes: 10,
      responseBytes: 0,
    };
    metrics.observeExchange({ ...base, status: 429, leewayError: 'PRX_BUDGET_EXCEEDED', optimization: 'skipped', failOpenReason: null });
    metrics.observeExchange({ ...base, status: 200, leewayError: null, optimization: 'failed-open', failOpenReason: 'state-unavailable', outcome: 'complete' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('leeway_proxy_budget_rejections_total{team="team-a",kind="hard"} 1');
    expect(text).toContain('leeway_proxy_errors_total{provider="anthropic",error_class="budget_rejected"} 1');
    expect(text).toContain('leeway_proxy_fail_open_total{reason="state_unavailable"} 1');
    expect(text).toMatch(/leeway_proxy_requests_total\{provider="anthropic",model_family="claude-opus-4-1",team="team-a",operation="chat",status="4xx"\} 1/);
    // Unknown usage is not counted as zero (I8).
    expect(text).not.toMatch(/leeway_proxy_tokens_in_total\{/);
  });
});
