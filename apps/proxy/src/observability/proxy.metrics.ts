import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { FAIL_OPEN_REASONS, ProxyMetrics as TelemetryProxyMetrics, allowListed, createMetricsRegistry } from '@leeway/telemetry';
import type { ErrorClass, FailOpenReason, SegmentResult } from '@leeway/telemetry';
import type { ExchangeRecord } from '../exchange/exchange.sink';

const LEGACY_SEGMENT_RESULTS: Readonly<Record<string, SegmentResult>> = {
  protected: 'protected',
  replayed: 'replayed',
  compressed: 'compressed',
  kept: 'unchanged',
  unchanged: 'unchanged',
};

/** The operation label of a route (`OPERATIONS` of the telemetry lib). */
function operationOf(route: string): string {
  switch (route) {
    case 'anthropic.messages':
    case 'openai.chat_completions':
      return 'chat';
    case 'openai.responses':
      return 'responses';
    case 'anthropic.count_tokens':
      return 'count_tokens';
    default:
      return 'passthrough';
  }
}

/**
 * The proxy's fail-open reasons (optimizer and splice codes such as `state-unavailable`,
 * `WIRE_*`, `splice-failed`) folded into the bounded `reason` label.
 */
export function failOpenLabel(reason: string): FailOpenReason {
  const normalised = reason.trim().toLowerCase().replace(/-/g, '_');
  if ((FAIL_OPEN_REASONS as readonly string[]).includes(normalised)) return normalised as FailOpenReason;
  if (normalised.startsWith('wire_') || normalised.includes('parse') || normalised.includes('json')) return 'parse_error';
  if (normalised.includes('timeout') || normalised.includes('budget_exceeded')) return 'time_budget';
  if (normalised.includes('state') || normalised.includes('redis')) return 'state_unavailable';
  if (normalised.includes('ccr')) return 'ccr_unavailable';
  if (normalised.includes('compress') || normalised.includes('worker')) return 'compressor_error';
  return 'internal';
}

const ERROR_CLASS_OF_CODE: Readonly<Record<string, ErrorClass>> = {
  PRX_BAD_JSON: 'invalid_request',
  PRX_BAD_REQUEST: 'invalid_request',
  PRX_NOT_FOUND: 'invalid_request',
  PRX_METHOD_NOT_ALLOWED: 'invalid_request',
  PRX_BODY_TOO_LARGE: 'invalid_request',
  PRX_UNSUPPORTED_MEDIA_TYPE: 'invalid_request',
  PRX_UNSUPPORTED_ENCODING: 'invalid_request',
  PRX_UNAUTHORIZED: 'unauthorized',
  PRX_FORBIDDEN: 'unauthorized',
  PRX_BUDGET_EXCEEDED: 'budget_rejected',
  PRX_RATE_LIMITED: 'budget_rejected',
  PRX_UPSTREAM_UNREACHABLE: 'upstream_connect',
  PRX_UPSTREAM_BAD_RESPONSE: 'upstream_5xx',
  PRX_UPSTREAM_TIMEOUT: 'upstream_timeout',
};

/** Error class of a finished exchange (bounded), or null when it succeeded. */
export function errorClassOf(record: ExchangeRecord): ErrorClass | null {
  if (record.clientAborted) return 'client_aborted';
  if (record.leewayError) return ERROR_CLASS_OF_CODE[record.leewayError] ?? 'internal';
  if (record.status >= 500) return 'upstream_5xx';
  if (record.status >= 400) return 'upstream_4xx';
  return null;
}

/** Counter-like adapter used by the request path (`metrics.failOpen.inc({ reason })`). */
interface LabelledInc<L extends string> {
  inc(labels: Record<L, string>, value?: number): void;
}

/**
 * The proxy's Prometheus metrics: the telemetry library's `ProxyMetrics` (names, allow-listed labels,
 * bounded team label) plus a few route-level series. One registry per app instance, so several
 * proxies in one process (tests, the embedded stack) do not collide. The request path records through
 * the small adapters below; whole exchanges are recorded by `observeExchange` (see
 * `ObservingExchangeSink`).
 */
export class ProxyMetrics {
  readonly registry: Registry;
  readonly telemetry: TelemetryProxyMetrics;

  /** Requests by route, status class and outcome (all closed sets). */
  readonly requests: Counter<'route' | 'status' | 'outcome'>;
  /** Whole exchange duration by route. */
  readonly requestSeconds: Histogram<'route'>;
  /** Prefix-state / CCR store failures, by (allow-listed) code. */
  readonly stateErrors: LabelledInc<'code'>;
  /** Upstream failures answered by Leeway, by (allow-listed) code. */
  readonly upstreamErrors: LabelledInc<'code'>;
  /** Time spent planning and applying edits before forwarding. */
  readonly optimizeSeconds: Histogram;
  /** Estimated tokens removed by compression, by provider (the per-team series is `leeway_proxy_tokens_saved_total`). */
  readonly tokensSaved: LabelledInc<'provider'>;
  /**
   * Fail-open events (I5) as the code paths report them (`state-unavailable`, wire codes …; reasons are
   * code constants, a closed set). Requests that failed open are counted by `leeway_proxy_fail_open_total`
   * with the normalised reason.
   */
  readonly failOpen: Counter<'reason'>;
  /** Segments by result (the optimizer does not report kinds: kind is `other`). */
  readonly segments: LabelledInc<'result'>;

  constructor(options: { defaultMetrics?: boolean; maxTeams?: number } = {}) {
    this.registry = createMetricsRegistry('proxy', { defaultMetrics: options.defaultMetrics ?? true });
    this.telemetry = new TelemetryProxyMetrics({ registry: this.registry, maxTeams: options.maxTeams });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'leeway_proxy_route_requests_total',
      help: 'Requests served, by route, HTTP status class and stream outcome.',
      labelNames: ['route', 'status', 'outcome'] as const,
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'leeway_proxy_route_request_duration_seconds',
      help: 'Whole exchange duration (first request byte to last response byte), by route.',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    const stateErrors = new Counter({
      name: 'leeway_proxy_state_errors_total',
      help: 'Prefix-state / CCR store failures, by code.',
      labelNames: ['code'] as const,
      registers,
    });
    const upstreamErrors = new Counter({
      name: 'leeway_proxy_upstream_errors_total',
      help: 'Upstream failures answered by Leeway, by code.',
      labelNames: ['code'] as const,
      registers,
    });
    this.optimizeSeconds = new Histogram({
      name: 'leeway_proxy_optimize_seconds',
      help: 'Time spent planning and applying edits before forwarding.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    const savedByProvider = new Counter({
      name: 'leeway_proxy_tokens_saved_by_provider_total',
      help: 'Estimated input tokens removed by compression (before - after), by provider.',
      labelNames: ['provider'] as const,
      registers,
    });
    const codeLabel = (code: string): string => (/^[A-Z][A-Z0-9_]{2,47}$/.test(code) ? code : 'other');
    this.stateErrors = { inc: (labels, value) => stateErrors.inc({ code: codeLabel(labels.code) }, value) };
    this.upstreamErrors = { inc: (labels, value) => upstreamErrors.inc({ code: codeLabel(labels.code) }, value) };
    this.tokensSaved = {
      inc: (labels, value) => savedByProvider.inc({ provider: allowListed(['anthropic', 'openai'] as const, labels.provider) }, value),
    };
    this.failOpen = new Counter({
      name: 'leeway_proxy_fail_open_events_total',
      help: 'Fail-open events (I5) by the reason code the request path reported.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.segments = {
      inc: (labels, value = 1) => {
        const result = LEGACY_SEGMENT_RESULTS[labels.result];
        if (result && value > 0) this.telemetry.observeSegmentCount('other', result, value);
      },
    };
  }

  /**
   * Record one finished exchange: requests by provider/model family/team/status, latency, overhead,
   * upstream, TTFB, tokens by class, savings, fail-open. (The route-level series are recorded by the
   * request path itself.)
   */
  observeExchange(record: ExchangeRecord): void {
    const usage = record.usage;
    const ttfb = record.ttfbMs === null ? null : record.ttfbMs / 1000;
    const upstreamMs = record.status > 0 && record.leewayError === null ? Math.max(0, record.latencyMs - record.optimizeMs) : null;
    this.telemetry.observeRequest({
      provider: record.provider,
      model: record.model,
      team: record.tenant === 'unknown' ? null : record.tenant,
      operation: operationOf(record.route),
      stream: record.stream,
      httpStatus: record.status > 0 ? record.status : null,
      durationSeconds: record.latencyMs / 1000,
      overheadSeconds: record.optimizeMs / 1000,
      upstreamSeconds: upstreamMs === null ? null : upstreamMs / 1000,
      ttfbSeconds: ttfb,
      usage: {
        inputTokens: usage.inputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWrite5mTokens: usage.cacheWrite5mTokens,
        cacheWrite1hTokens: usage.cacheWrite1hTokens,
        outputTokens: usage.outputTokens,
      },
      errorClass: errorClassOf(record),
    });
    if (record.leewayError === 'PRX_BUDGET_EXCEEDED') {
      this.telemetry.observeBudgetRejection(record.tenant === 'unknown' ? null : record.tenant, 'hard');
    }
    const failOpenReason = record.failOpenReason ?? (record.optimization === 'failed-open' ? 'internal' : null);
    if (failOpenReason) this.telemetry.observeFailOpen(failOpenLabel(failOpenReason));
    if (record.tokensBefore > record.tokensAfter) {
      this.telemetry.observeTokensSaved('other', record.tenant === 'unknown' ? null : record.tenant, record.tokensBefore - record.tokensAfter);
    }
  }
}
