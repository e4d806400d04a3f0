import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { startRequestSpan } from '@leeway/telemetry';
import type { ExchangeRecord, ExchangeSink } from '../exchange/exchange.sink';
import type { ProxyMetrics } from './proxy.metrics';

/** An exchange record with the W3C trace context of its request span (for the savings event). */
export type TracedExchangeRecord = ExchangeRecord & { readonly traceparent: string | null };

const OPERATION_OF_ROUTE: Readonly<Record<string, string>> = {
  'anthropic.messages': 'messages',
  'anthropic.count_tokens': 'count_tokens',
  'openai.chat_completions': 'chat.completions',
  'openai.responses': 'responses',
  passthrough: 'passthrough',
};

/**
 * Sits in front of the configured exchange sink: records each finished exchange in the Prometheus
 * metrics and as an OpenTelemetry request span (`chat claude-sonnet-4-5`, `gen_ai.*` and `leeway.*`
 * attributes, children `leeway.compress`, `leeway.upstream`, `leeway.stream`), then hands the record
 * on with the span's `traceparent` so the savings event — and the ingestion span — join the trace.
 *
 * The span is recorded from the record's own timings (start, optimise time, TTFB, latency): the
 * compress child covers parse + plan + splice (measured together), the upstream child starts when
 * planning ended, the stream child runs from the first to the last response byte. Never throws.
 */
export class ObservingExchangeSink implements ExchangeSink {
  constructor(
    private readonly inner: ExchangeSink,
    private readonly metrics: ProxyMetrics,
    private readonly tracer: Tracer,
  ) {}

  record(exchange: ExchangeRecord): void {
    let traceparent: string | null = null;
    try {
      this.metrics.observeExchange(exchange);
    } catch {
      // metrics must not break the request path
    }
    try {
      traceparent = this.trace(exchange);
    } catch {
      // tracing must not break the request path
    }
    const traced: TracedExchangeRecord = { ...exchange, traceparent };
    this.inner.record(traced);
  }

  private trace(x: ExchangeRecord): string | null {
    const start = x.startedAt;
    const end = start + x.latencyMs;
    const span = startRequestSpan(this.tracer, {
      operation: OPERATION_OF_ROUTE[x.route] ?? 'passthrough',
      provider: x.provider,
      requestModel: x.model,
      requestId: x.requestId,
      team: x.tenant === 'unknown' ? null : x.tenant,
      stream: x.stream,
      sessionId: x.session,
      parent: ROOT_CONTEXT,
      startTime: start,
    });
    const traceparent = span.traceparent();
    if (traceparent === null) {
      span.end({ httpStatus: x.status || null, endTime: end });
      return null;
    }
    if (x.optimization !== 'skipped' || x.optimizeMs > 0) {
      span.recordChild('compress', start, start + x.optimizeMs, {
        'leeway.optimization': x.optimization,
        'leeway.tokens.before': x.tokensBefore,
        'leeway.tokens.after': x.tokensAfter,
        'leeway.segments.total': x.segments.total,
        'leeway.segments.compressed': x.segments.compressed,
        'leeway.segments.replayed': x.segments.replayed,
        'leeway.segments.protected': x.segments.protected,
        ...(x.failOpenReason ? { 'leeway.fail_open.reason': x.failOpenReason } : {}),
      });
    }
    const forwarded = x.status > 0 && (x.leewayError === null || x.leewayError.startsWith('PRX_UPSTREAM'));
    if (forwarded) {
      const upstreamStart = start + x.optimizeMs;
      span.recordChild('upstream', upstreamStart, x.ttfbMs === null ? end : start + x.ttfbMs, {
        'http.request.method': x.method,
        'url.path': x.path,
        'http.response.status_code': x.status,
        'leeway.request.bytes': x.forwardedBytes,
      });
      if (x.ttfbMs !== null) {
        span.recordChild('stream', start + x.ttfbMs, end, { 'leeway.response.bytes': x.responseBytes, 'leeway.stream.outcome': x.outcome });
      }
    }
    span.setCompression({ tokensBefore: x.tokensBefore, tokensAfter: x.tokensAfter, segmentsCompressed: x.segments.compressed });
    // The record's model is the requested one (the response's is not kept apart): no gen_ai.response.model.
    span.setResponse({
      finishReasons: x.stopReason ? [x.stopReason] : undefined,
      usage: {
        inputTokens: x.usage.inputTokens,
        outputTokens: x.usage.outputTokens,
        cacheReadTokens: x.usage.cacheReadTokens,
        cacheCreationTokens: sumKnown(x.usage.cacheWrite5mTokens, x.usage.cacheWrite1hTokens),
        reasoningTokens: x.usage.reasoningTokens,
      },
    });
    span.end({ httpStatus: x.status || null, errorCode: x.leewayError, endTime: end });
    return traceparent;
  }
}

function sumKnown(a: number | null, b: number | null): number | null {
  if (a === null && b === null) return null;
  return (a ?? 0) + (b ?? 0);
}
