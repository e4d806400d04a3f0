import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK, core, resources, tracing } from '@opentelemetry/sdk-node';
import type { Tracer } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';

/** The tracer name Leeway's spans are created under. */
export const TRACER_NAME = 'leeway';

export interface TelemetrySettings {
  /** `leeway-proxy`, `leeway-ingestion`, `leeway-admin`. */
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /**
   * OTLP/HTTP (protobuf) base endpoint, e.g. `http://otel-collector:4318` — the app's config passes
   * `OTEL_EXPORTER_OTLP_ENDPOINT` here. Unset: no SDK is started and spans are no-ops.
   */
  readonly otlpEndpoint?: string | null;
  /** Extra OTLP headers (e.g. an auth header for a hosted collector). */
  readonly otlpHeaders?: Readonly<Record<string, string>>;
  /** Upper bound on how long `shutdown()` may take (flush included). Default 3000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Ratio of root traces sampled (parent-based). Default 1. */
  readonly sampleRatio?: number;
  /**
   * Export spans to this exporter instead of OTLP (tests use an in-memory exporter). When set, the
   * SDK is started even without an endpoint, with a simple (synchronous) processor.
   */
  readonly spanExporter?: tracing.SpanExporter;
}

export interface TelemetryHandle {
  /** Whether an SDK was started (false: tracing is a no-op). */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Flushes and stops the SDK; resolves within `shutdownTimeoutMs` whatever the exporter does. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Start OpenTelemetry for one service, before the app is created. Traces only: metrics are served by
 * prom-client on `/metrics`, and the SDK's log and metric exporters stay off (an empty processor /
 * reader list also stops the SDK from reading `OTEL_*_EXPORTER` from the environment). Configuration
 * is passed in, never read from the environment here.
 */
export function startTelemetry(settings: TelemetrySettings): TelemetryHandle {
  const endpoint = settings.otlpEndpoint?.trim();
  if (!endpoint && !settings.spanExporter) {
    return { enabled: false, tracer: trace.getTracer(TRACER_NAME), shutdown: async () => undefined };
  }
  const timeoutMs = settings.shutdownTimeoutMs ?? 3000;
  const processor = settings.spanExporter
    ? new tracing.SimpleSpanProcessor(settings.spanExporter)
    : new tracing.BatchSpanProcessor(
        new OTLPTraceExporter({
          url: `${endpoint!.replace(/\/+$/, '')}/v1/traces`,
          headers: { ...settings.otlpHeaders },
          timeoutMillis: Math.min(timeoutMs, 10_000),
        }),
        { exportTimeoutMillis: Math.min(timeoutMs, 10_000) },
      );
  const ratio = settings.sampleRatio ?? 1;
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    resource: resources.defaultResource().merge(
      resources.resourceFromAttributes(settings.serviceVersion ? { 'service.version': settings.serviceVersion } : {}),
    ),
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    textMapPropagator: new core.W3CTraceContextPropagator(),
    sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(ratio) }),
  });
  sdk.start();
  let stopping: Promise<void> | null = null;
  return {
    enabled: true,
    tracer: trace.getTracer(TRACER_NAME, settings.serviceVersion),
    shutdown() {
      // Flush first: a span ended before asynchronous resource detection settled is still pending.
      stopping ??= withTimeout(
        processor.forceFlush().then(
          () => sdk.shutdown(),
          () => sdk.shutdown(),
        ),
        timeoutMs,
      );
      return stopping;
    },
  };
}

/** Resolve when `work` settles or after `ms`, whichever comes first; never rejects. */
async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
