import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startRequestSpan, withIngestionSpan } from './request-span';
import { contextFromTraceparent, traceparentOf } from './trace-context';

function setup() {
  const exporter = new InMemorySpanExporter();
  // Default span limits (128 attributes), as the SDK applies them in production.
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, tracer: provider.getTracer('leeway') };
}

const start = {
  operation: 'messages',
  provider: 'anthropic',
  requestModel: 'claude-sonnet-4-5',
  requestId: 'req_1',
  team: 'payments',
  policy: 'balanced@3',
  stream: true,
};

function finish(span: ReturnType<typeof startRequestSpan>): void {
  span.setCompression({ tokensBefore: 12_000, tokensAfter: 3_000, segmentsCompressed: 4, kinds: ['json', 'logs'] });
  span.setCachePlan({ actions: ['breakpoint_added', 'breakpoint_added'], breakpointsAdded: 2, predictedCacheReadTokens: 9000 });
  span.setRetrieveRounds(1);
  span.setResponse({
    responseModel: 'claude-sonnet-4-5-20250929',
    responseId: 'msg_1',
    finishReasons: ['end_turn'],
    usage: { inputTokens: 120, outputTokens: 80, cacheReadTokens: 9100, cacheCreationTokens: null },
    costMicros: 4321,
  });
}

const CORE: Record<string, unknown> = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.system': 'anthropic',
  'gen_ai.request.model': 'claude-sonnet-4-5',
  'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
  'gen_ai.usage.input_tokens': 120,
  'gen_ai.usage.output_tokens': 80,
  'gen_ai.usage.cache_read.input_tokens': 9100,
  'gen_ai.response.finish_reasons': ['end_turn'],
  'leeway.team': 'payments',
  'leeway.policy': 'balanced@3',
  'leeway.tokens.before': 12_000,
  'leeway.tokens.after': 3_000,
  'leeway.segments.compressed': 4,
  'leeway.retrieve.rounds': 1,
  'leeway.cache.actions': ['breakpoint_added', 'breakpoint_added'],
  'leeway.cost.micro_usd': 4321,
  'http.response.status_code': 200,
};

describe('request spans', () => {
  // NodeSDK installs this context manager in production; children must see their span as active.
  beforeEach(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  it('names the span {operation} {model} and records gen_ai and leeway attributes with children', async () => {
    const { exporter, tracer } = setup();
    const span = startRequestSpan(tracer, start);
    await span.child('compress', () => 1);
    const upstreamTraceparent = await span.child('upstream', () => traceparentOf(context.active()));
    await span.child('retrieve', () => undefined, { 'leeway.retrieve.round': 1 });
    finish(span);
    span.end({ httpStatus: 200 });

    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'chat claude-sonnet-4-5')!;
    expect(root).toBeDefined();
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.attributes).toMatchObject(CORE);
    // Unknown usage stays unknown (I8): no zero written.
    expect(root.attributes).not.toHaveProperty('gen_ai.usage.cache_creation.input_tokens');
    // Content is off by default.
    expect(Object.keys(root.attributes).some((k) => k.startsWith('gen_ai.prompt.'))).toBe(false);
    const children = spans.filter((s) => s !== root);
    expect(children.map((s) => s.name).sort()).toEqual(['leeway.compress', 'leeway.retrieve', 'leeway.upstream']);
    for (const child of children) {
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    }
    const upstream = children.find((s) => s.name === 'leeway.upstream')!;
    expect(upstream.kind).toBe(SpanKind.CLIENT);
    expect(upstreamTraceparent).toBe(`00-${upstream.spanContext().traceId}-${upstream.spanContext().spanId}-01`);
  });

  it('keeps identity, model, usage and cost on a 200-message conversation with content capture on', () => {
    const { exporter, tracer } = setup();
    const span = startRequestSpan(tracer, { ...start, content: { enabled: true, maxMessages: 500, maxChars: 100 } });
    const messages = Array.from({ length: 200 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.repeat(50) }));
    span.captureContent(messages, [{ role: 'assistant', content: 'done' }]);
    finish(span);
    span.end({ httpStatus: 200 });
    const [root] = exporter.getFinishedSpans() as [ReadableSpan];
    expect(root.droppedAttributesCount).toBe(0);
    expect(root.attributes).toMatchObject(CORE);
    expect(Object.keys(root.attributes).length).toBeLessThanOrEqual(128);
    expect(root.attributes['leeway.content.messages_total']).toBe(200);
    const recorded = root.attributes['leeway.content.messages_recorded'] as number;
    expect(recorded).toBeGreaterThan(10);
    expect(recorded).toBeLessThan(200);
    // The most recent messages are the ones recorded, each capped.
    expect(root.attributes['gen_ai.prompt.199.content']).toBe(messages[199]!.content.slice(0, 100));
    expect(root.attributes).not.toHaveProperty('gen_ai.prompt.0.content');
    expect(root.attributes['gen_ai.completion.0.content']).toBe('done');
  });

  it('marks 5xx and error codes as errors', () => {
    const { exporter, tracer } = setup();
    const span = startRequestSpan(tracer, { ...start, requestModel: null });
    span.end({ httpStatus: 504, errorCode: 'PRX_UPSTREAM_TIMEOUT' });
    const [root] = exporter.getFinishedSpans() as [ReadableSpan];
    expect(root.name).toBe('chat');
    expect(root.status.code).toBe(2);
    expect(root.attributes['error.type']).toBe('PRX_UPSTREAM_TIMEOUT');
  });

  it('carries the trace to ingestion through the event traceparent', async () => {
    const { exporter, tracer } = setup();
    const span = startRequestSpan(tracer, start);
    const traceparent = span.traceparent();
    span.end({ httpStatus: 200 });
    expect(traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
    await withIngestionSpan(tracer, { traceparent, requestId: 'req_1', partition: 2 }, () => undefined);
    const [proxySpan, ingestSpan] = exporter.getFinishedSpans() as [ReadableSpan, ReadableSpan];
    expect(ingestSpan.name).toBe('process leeway:events');
    expect(ingestSpan.kind).toBe(SpanKind.CONSUMER);
    expect(ingestSpan.spanContext().traceId).toBe(proxySpan.spanContext().traceId);
    expect(ingestSpan.parentSpanContext?.spanId).toBe(proxySpan.spanContext().spanId);
  });

  it('starts a new root for a missing or malformed traceparent', async () => {
    const { exporter, tracer } = setup();
    await withIngestionSpan(tracer, { traceparent: 'garbage', requestId: 'r' }, () => undefined);
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
    expect(trace.getSpanContext(contextFromTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`))).toBeUndefined();
  });
});
