import { ROOT_CONTEXT, TraceFlags, context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Context, Span, SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/**
 * The W3C `traceparent` of a span (or of the active span), for the savings event; null when there is
 * no valid (sampled or not) span — e.g. tracing is off.
 */
export function traceparentOf(source: Span | Context = context.active()): string | null {
  const spanContext: SpanContext | undefined =
    'spanContext' in source ? source.spanContext() : trace.getSpanContext(source);
  if (!spanContext || !isSpanContextValid(spanContext)) return null;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/**
 * A context whose parent is the (remote) span a `traceparent` names, so a span started in it joins
 * that trace. Malformed or all-zero values yield `base` unchanged.
 */
export function contextFromTraceparent(traceparent: string | null | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!traceparent) return base;
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match) return base;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  const spanContext: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return base;
  return trace.setSpanContext(base, spanContext);
}
