import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { lastValueFrom, of, throwError } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestionTracingInterceptor } from './ingestion-tracing';

function rpcContext(payload: unknown): ExecutionContextHost {
  const host = new ExecutionContextHost([payload, {}]);
  host.setType('rpc');
  return host;
}

describe('ingestion spans join the proxy trace', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeEach(() => {
    exporter.reset();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterEach(() => {
    context.disable();
  });

  it('records a CONSUMER span parented by the event traceparent and passes the result through', async () => {
    const proxySpan = provider.getTracer('test').startSpan('chat claude-sonnet-4-5');
    const { traceId, spanId } = proxySpan.spanContext();
    proxySpan.end();
    const interceptor = new IngestionTracingInterceptor(provider.getTracer('leeway'));
    let activeInHandler: string | undefined;
    const result = await lastValueFrom(
      interceptor.intercept(rpcContext({ requestId: 'req_42', traceparent: `00-${traceId}-${spanId}-01` }), {
        handle: () => {
          activeInHandler = trace.getSpan(context.active())?.spanContext().traceId;
          return of('acked');
        },
      }),
    );
    expect(result).toBe('acked');
    const ingest = exporter.getFinishedSpans().find((s) => s.name === 'process leeway:events')!;
    expect(ingest.kind).toBe(SpanKind.CONSUMER);
    expect(ingest.spanContext().traceId).toBe(traceId);
    expect(ingest.parentSpanContext?.spanId).toBe(spanId);
    expect(ingest.attributes['leeway.request_id']).toBe('req_42');
    expect(activeInHandler).toBe(traceId);
  });

  it('starts a new trace without a traceparent, and marks failures', async () => {
    const interceptor = new IngestionTracingInterceptor(provider.getTracer('leeway'));
    await lastValueFrom(interceptor.intercept(rpcContext({ requestId: 'r' }), { handle: () => of(undefined) }), { defaultValue: undefined });
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
    await expect(
      lastValueFrom(interceptor.intercept(rpcContext('not an object'), { handle: () => throwError(() => Object.assign(new Error('db down'), { code: 'ING_DB' })) })),
    ).rejects.toThrow('db down');
    const failed = exporter.getFinishedSpans()[1]!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['leeway.request_id']).toBe('unknown');
  });
});
