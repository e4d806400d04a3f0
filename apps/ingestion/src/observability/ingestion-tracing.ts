import { Inject, Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { TRACER_NAME, startTelemetry, withIngestionSpan } from '@leeway/telemetry';
import type { TelemetryHandle } from '@leeway/telemetry';
import { from, lastValueFrom } from 'rxjs';
import type { Observable } from 'rxjs';
import { loadTelemetryConfig } from '../config/telemetry.config';

/** Token for the tracer the interceptor records with (default: the global `leeway` tracer). */
export const INGESTION_TRACER = Symbol('INGESTION_TRACER');

/**
 * Starts OpenTelemetry for ingestion (OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; nothing otherwise)
 * and flushes it on shutdown, bounded. In the embedded stack the proxy's SDK, started first, stays the
 * global one.
 */
@Injectable()
export class IngestionTelemetry implements OnModuleInit, OnApplicationShutdown {
  private handle: TelemetryHandle | null = null;

  onModuleInit(): void {
    const settings = loadTelemetryConfig();
    if (settings.otlpEndpoint) this.handle = startTelemetry(settings);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handle?.shutdown();
  }
}

/**
 * Runs each savings event's handler in a CONSUMER span (`process leeway:events`) whose parent is the
 * proxy's request span, named by the event's `traceparent` — so ingestion joins the request's trace.
 */
@Injectable()
export class IngestionTracingInterceptor implements NestInterceptor {
  private readonly tracer: Tracer;

  constructor(@Inject(INGESTION_TRACER) tracer: Tracer | null) {
    this.tracer = tracer ?? trace.getTracer(TRACER_NAME);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const payload: unknown = context.switchToRpc().getData();
    const event = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const traceparent = typeof event['traceparent'] === 'string' ? event['traceparent'] : null;
    const requestId = typeof event['requestId'] === 'string' ? event['requestId'] : 'unknown';
    return from(
      withIngestionSpan(this.tracer, { traceparent, requestId }, () => lastValueFrom(next.handle(), { defaultValue: undefined })),
    );
  }
}
