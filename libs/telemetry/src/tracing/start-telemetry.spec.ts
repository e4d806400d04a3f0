import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { context, propagation, trace } from '@opentelemetry/api';
import type { tracing } from '@opentelemetry/sdk-node';
import { startRequestSpan } from './request-span';
import { startTelemetry } from './start-telemetry';

describe('startTelemetry', () => {
  afterEach(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('starts nothing without an endpoint: spans are no-ops', async () => {
    const handle = startTelemetry({ serviceName: 'leeway-test' });
    expect(handle.enabled).toBe(false);
    const span = startRequestSpan(handle.tracer, { operation: 'messages', provider: 'anthropic', requestModel: 'm', requestId: 'r', team: null, stream: false });
    expect(span.traceparent()).toBeNull();
    span.end({ httpStatus: 200 });
    await handle.shutdown();
  });

  it('exports through the SDK with the service name when an exporter is configured', async () => {
    const collected: tracing.ReadableSpan[] = [];
    // InMemorySpanExporter forgets its spans on shutdown; this one keeps them.
    const exporter: tracing.SpanExporter = {
      export: (spans, done) => {
        collected.push(...spans);
        done({ code: 0 });
      },
      shutdown: async () => undefined,
    };
    const handle = startTelemetry({ serviceName: 'leeway-test', spanExporter: exporter });
    expect(handle.enabled).toBe(true);
    const span = startRequestSpan(handle.tracer, { operation: 'messages', provider: 'anthropic', requestModel: 'm', requestId: 'r', team: null, stream: false });
    span.end({ httpStatus: 200 });
    await handle.shutdown(); // flushes (export waits for asynchronously detected resource attributes)
    const [exported] = collected;
    expect(exported?.name).toBe('chat m');
    expect(exported?.resource.attributes['service.name']).toBe('leeway-test');
  });

  it('shuts down within the timeout even when the collector never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createServer(() => undefined); // accepts and never responds
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const handle = startTelemetry({ serviceName: 'leeway-test', otlpEndpoint: `http://127.0.0.1:${port}`, shutdownTimeoutMs: 300 });
      const span = handle.tracer.startSpan('x');
      span.end();
      const began = performance.now();
      await handle.shutdown();
      expect(performance.now() - began).toBeLessThan(1500);
      await handle.shutdown(); // idempotent
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
