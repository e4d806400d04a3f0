import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { DependencyMetrics } from './dependency-metrics';
import { BoundedLabel, OTHER_LABEL, allowListed, modelFamily, statusClass } from './labels';
import {
  EXCHANGE_BUCKETS_SECONDS,
  OVERHEAD_BUCKETS_SECONDS,
  RATIO_BUCKETS,
  TTFB_BUCKETS_SECONDS,
  createMetricsRegistry,
} from './registry';

export const PROVIDERS = ['anthropic', 'openai', 'gemini', 'bedrock', 'azure', 'passthrough'] as const;
export const OPERATIONS = ['chat', 'count_tokens', 'responses', 'passthrough'] as const;
export const TOKEN_CLASSES = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h'] as const;
export const COMPRESSOR_KINDS = ['json', 'logs', 'search', 'diff', 'code', 'text', 'html'] as const;
export const SEGMENT_RESULTS = ['compressed', 'replayed', 'unchanged', 'protected', 'below_floor', 'rejected_by_gate'] as const;
export const CACHE_PLANNER_ACTIONS = [
  'breakpoint_added',
  'client_breakpoints_respected',
  'prompt_cache_key_set',
  'volatile_prefix_warning',
  'skipped',
] as const;
export const FAIL_OPEN_REASONS = [
  'compressor_error',
  'state_unavailable',
  'time_budget',
  'parse_error',
  'policy_unavailable',
  'budget_unavailable',
  'ccr_unavailable',
  'internal',
] as const;
/** Classes of errors a request can end in (the SRE dashboard's "errors by class"). */
export const ERROR_CLASSES = [
  'upstream_4xx',
  'upstream_5xx',
  'upstream_timeout',
  'upstream_connect',
  'client_aborted',
  'invalid_request',
  'unauthorized',
  'budget_rejected',
  'internal',
] as const;
export const BUDGET_REJECTION_KINDS = ['hard', 'soft'] as const;
export const RETRIEVE_OUTCOMES = ['hit', 'miss', 'error'] as const;

export type Provider = (typeof PROVIDERS)[number];
export type TokenClass = (typeof TOKEN_CLASSES)[number];
export type CompressorKind = (typeof COMPRESSOR_KINDS)[number];
export type SegmentResult = (typeof SEGMENT_RESULTS)[number];
export type CachePlannerAction = (typeof CACHE_PLANNER_ACTIONS)[number];
export type FailOpenReason = (typeof FAIL_OPEN_REASONS)[number];
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ProxyMetricsOptions {
  /** Distinct teams labelled by name before the rest collapse into `other`. Default 50. */
  readonly maxTeams?: number;
  /** Collect Node default metrics. Default true. */
  readonly defaultMetrics?: boolean;
  /** Use this registry instead of a fresh one. */
  readonly registry?: Registry;
}

/** One finished exchange, as the proxy knows it after the last response byte. */
export interface ObservedRequest {
  readonly provider: string;
  /** Model as reported by the provider, else as requested; normalised to a family. */
  readonly model: string | null;
  readonly team: string | null;
  readonly operation: string;
  readonly stream: boolean;
  /** HTTP status returned to the client (null when the client went away first). */
  readonly httpStatus: number | null;
  /** Whole exchange, first request byte to last response byte. */
  readonly durationSeconds: number;
  /** Time Leeway itself added (planning, compression, Redis, retrieve bookkeeping). */
  readonly overheadSeconds: number;
  /** The upstream call(s), summed over retrieve rounds; null when no upstream call was made. */
  readonly upstreamSeconds: number | null;
  /** Upstream time to first byte of the first call; null when unknown. */
  readonly ttfbSeconds: number | null;
  /** Provider-reported usage; null (unknown) classes are skipped, never counted as 0. */
  readonly usage?: {
    readonly inputTokens: number | null;
    readonly cacheReadTokens: number | null;
    readonly cacheWrite5mTokens: number | null;
    readonly cacheWrite1hTokens: number | null;
    readonly outputTokens: number | null;
  };
  /** Set when the request ended in an error. */
  readonly errorClass?: ErrorClass | null;
}

export interface ObservedSegment {
  readonly kind: string;
  readonly result: SegmentResult;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
}

/**
 * The proxy's Prometheus metrics. Apps call the typed methods; label names and values are this
 * module's business (allow-lists, bounded team label, model families).
 */
export class ProxyMetrics {
  readonly registry: Registry;
  readonly dependencies: DependencyMetrics;
  private readonly teams: BoundedLabel;

  private readonly requests: Counter<'provider' | 'model_family' | 'team' | 'operation' | 'status'>;
  private readonly errors: Counter<'provider' | 'error_class'>;
  private readonly requestSeconds: Histogram<'provider' | 'stream'>;
  private readonly overheadSeconds: Histogram<'provider' | 'stream'>;
  private readonly upstreamSeconds: Histogram<'provider' | 'model_family'>;
  private readonly ttfbSeconds: Histogram<'provider' | 'model_family'>;
  private readonly tokensIn: Counter<'provider' | 'model_family' | 'team' | 'class'>;
  private readonly tokensOut: Counter<'provider' | 'model_family' | 'team'>;
  private readonly tokensSaved: Counter<'kind' | 'team'>;
  private readonly compressionRatio: Histogram<'kind'>;
  private readonly segments: Counter<'kind' | 'result'>;
  private readonly retrieveCalls: Counter<'provider' | 'outcome'>;
  private readonly cachePlannerActions: Counter<'provider' | 'action'>;
  private readonly cacheReadPredicted: Counter<'provider' | 'model_family'>;
  private readonly cacheReadActual: Counter<'provider' | 'model_family'>;
  private readonly failOpen: Counter<'reason'>;
  private readonly budgetUtilisation: Gauge<'team'>;
  private readonly budgetRejections: Counter<'team' | 'kind'>;
  private readonly spoolDepth: Gauge;

  constructor(options: ProxyMetricsOptions = {}) {
    const registry = options.registry ?? createMetricsRegistry('proxy', { defaultMetrics: options.defaultMetrics ?? true });
    this.registry = registry;
    this.teams = new BoundedLabel(options.maxTeams ?? 50);
    this.dependencies = new DependencyMetrics(registry);
    const registers = [registry];

    this.requests = new Counter({
      name: 'leeway_proxy_requests_total',
      help: 'Requests served, by provider, model family, team, operation and HTTP status class.',
      labelNames: ['provider', 'model_family', 'team', 'operation', 'status'] as const,
      registers,
    });
    this.errors = new Counter({
      name: 'leeway_proxy_errors_total',
      help: 'Requests that ended in an error, by error class.',
      labelNames: ['provider', 'error_class'] as const,
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'leeway_proxy_request_duration_seconds',
      help: 'Whole exchange duration, first request byte to last response byte.',
      labelNames: ['provider', 'stream'] as const,
      buckets: EXCHANGE_BUCKETS_SECONDS,
      registers,
    });
    this.overheadSeconds = new Histogram({
      name: 'leeway_proxy_overhead_seconds',
      help: 'Time Leeway added to an exchange (planning, compression, state round trips).',
      labelNames: ['provider', 'stream'] as const,
      buckets: OVERHEAD_BUCKETS_SECONDS,
      registers,
    });
    this.upstreamSeconds = new Histogram({
      name: 'leeway_proxy_upstream_duration_seconds',
      help: 'Upstream call duration, summed over retrieve rounds.',
      labelNames: ['provider', 'model_family'] as const,
      buckets: EXCHANGE_BUCKETS_SECONDS,
      registers,
    });
    this.ttfbSeconds = new Histogram({
      name: 'leeway_proxy_upstream_ttfb_seconds',
      help: 'Upstream time to first response byte.',
      labelNames: ['provider', 'model_family'] as const,
      buckets: TTFB_BUCKETS_SECONDS,
      registers,
    });
    this.tokensIn = new Counter({
      name: 'leeway_proxy_tokens_in_total',
      help: 'Provider-reported input tokens by class (uncached input, cache read, cache writes).',
      labelNames: ['provider', 'model_family', 'team', 'class'] as const,
      registers,
    });
    this.tokensOut = new Counter({
      name: 'leeway_proxy_tokens_out_total',
      help: 'Provider-reported output tokens.',
      labelNames: ['provider', 'model_family', 'team'] as const,
      registers,
    });
    this.tokensSaved = new Counter({
      name: 'leeway_proxy_tokens_saved_total',
      help: 'Input tokens removed by compression (before - after), by compressor kind.',
      labelNames: ['kind', 'team'] as const,
      registers,
    });
    this.compressionRatio = new Histogram({
      name: 'leeway_proxy_compression_ratio',
      help: 'Tokens after / tokens before for each compressed segment.',
      labelNames: ['kind'] as const,
      buckets: RATIO_BUCKETS,
      registers,
    });
    this.segments = new Counter({
      name: 'leeway_proxy_segments_total',
      help: 'Compressible segments seen, by kind and what happened to them.',
      labelNames: ['kind', 'result'] as const,
      registers,
    });
    this.retrieveCalls = new Counter({
      name: 'leeway_proxy_retrieve_calls_total',
      help: 'leeway_retrieve calls answered by Leeway, by outcome.',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    });
    this.cachePlannerActions = new Counter({
      name: 'leeway_proxy_cache_planner_actions_total',
      help: 'Prompt-cache planner actions (breakpoints added, cache keys set, volatile-prefix warnings).',
      labelNames: ['provider', 'action'] as const,
      registers,
    });
    this.cacheReadPredicted = new Counter({
      name: 'leeway_proxy_cache_read_predicted_tokens_total',
      help: 'Cache-read tokens the planner predicted, for requests where it made a prediction.',
      labelNames: ['provider', 'model_family'] as const,
      registers,
    });
    this.cacheReadActual = new Counter({
      name: 'leeway_proxy_cache_read_actual_tokens_total',
      help: 'Provider-reported cache-read tokens for the same requests as the prediction.',
      labelNames: ['provider', 'model_family'] as const,
      registers,
    });
    this.failOpen = new Counter({
      name: 'leeway_proxy_fail_open_total',
      help: 'Optimisations abandoned in favour of forwarding the original request (I5), by reason.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.budgetUtilisation = new Gauge({
      name: 'leeway_proxy_budget_utilisation_ratio',
      help: 'Spent / limit of the tightest budget of a team, as last seen by this replica.',
      labelNames: ['team'] as const,
      registers,
    });
    this.budgetRejections = new Counter({
      name: 'leeway_proxy_budget_rejections_total',
      help: 'Requests over a budget: hard (rejected with 429) or soft (served, flagged).',
      labelNames: ['team', 'kind'] as const,
      registers,
    });
    this.spoolDepth = new Gauge({
      name: 'leeway_proxy_event_spool_depth',
      help: 'Savings events waiting in the local spool for the event stream.',
      registers,
    });
  }

  /** The team label for a team id (bounded; `other` past the bound). */
  teamLabel(team: string | null | undefined): string {
    return this.teams.resolve(team);
  }

  observeRequest(request: ObservedRequest): void {
    const provider = allowListed(PROVIDERS, request.provider);
    const family = modelFamily(request.model);
    const team = this.teamLabel(request.team);
    const stream = request.stream ? 'true' : 'false';
    this.requests.inc({
      provider,
      model_family: family,
      team,
      operation: allowListed(OPERATIONS, request.operation),
      status: statusClass(request.httpStatus),
    });
    if (request.errorClass) this.errors.inc({ provider, error_class: allowListed(ERROR_CLASSES, request.errorClass) });
    observeSeconds(this.requestSeconds, { provider, stream }, request.durationSeconds);
    observeSeconds(this.overheadSeconds, { provider, stream }, request.overheadSeconds);
    observeSeconds(this.upstreamSeconds, { provider, model_family: family }, request.upstreamSeconds);
    observeSeconds(this.ttfbSeconds, { provider, model_family: family }, request.ttfbSeconds);
    const usage = request.usage;
    if (usage) {
      const classes: ReadonlyArray<[TokenClass, number | null]> = [
        ['input', usage.inputTokens],
        ['cache_read', usage.cacheReadTokens],
        ['cache_write_5m', usage.cacheWrite5mTokens],
        ['cache_write_1h', usage.cacheWrite1hTokens],
      ];
      for (const [tokenClass, count] of classes) {
        if (isCount(count)) this.tokensIn.inc({ provider, model_family: family, team, class: tokenClass }, count);
      }
      if (isCount(usage.outputTokens)) this.tokensOut.inc({ provider, model_family: family, team }, usage.outputTokens);
    }
  }

  /** One compressible segment and what the pipeline did with it. */
  observeSegment(segment: ObservedSegment, team: string | null): void {
    const kind = allowListed(COMPRESSOR_KINDS, segment.kind);
    this.segments.inc({ kind, result: allowListed(SEGMENT_RESULTS, segment.result) });
    if (segment.result !== 'compressed' && segment.result !== 'replayed') return;
    if (!isCount(segment.tokensBefore) || !isCount(segment.tokensAfter) || segment.tokensBefore === 0) return;
    const saved = segment.tokensBefore - segment.tokensAfter;
    if (saved > 0) this.tokensSaved.inc({ kind, team: this.teamLabel(team) }, saved);
    this.compressionRatio.observe({ kind }, Math.min(1, segment.tokensAfter / segment.tokensBefore));
  }

  /** `count` segments of one kind with one result (when per-segment token counts are not at hand). */
  observeSegmentCount(kind: string, result: SegmentResult, count: number): void {
    if (!isCount(count) || count === 0) return;
    this.segments.inc({ kind: allowListed(COMPRESSOR_KINDS, kind), result: allowListed(SEGMENT_RESULTS, result) }, count);
  }

  /** Input tokens removed by compression, when only the request total is known (no per-segment ratio). */
  observeTokensSaved(kind: string, team: string | null, tokens: number): void {
    if (!isCount(tokens) || tokens === 0) return;
    this.tokensSaved.inc({ kind: allowListed(COMPRESSOR_KINDS, kind), team: this.teamLabel(team) }, tokens);
  }

  observeRetrieveCall(provider: string, outcome: (typeof RETRIEVE_OUTCOMES)[number]): void {
    this.retrieveCalls.inc({ provider: allowListed(PROVIDERS, provider), outcome: allowListed(RETRIEVE_OUTCOMES, outcome) });
  }

  observeCachePlannerAction(provider: string, action: CachePlannerAction, count = 1): void {
    if (!isCount(count) || count === 0) return;
    this.cachePlannerActions.inc(
      { provider: allowListed(PROVIDERS, provider), action: allowListed(CACHE_PLANNER_ACTIONS, action) },
      count,
    );
  }

  /** Predicted vs provider-reported cache reads for one request (only when a prediction was made). */
  observeCacheReadPrediction(input: {
    provider: string;
    model: string | null;
    predictedTokens: number;
    actualTokens: number | null;
  }): void {
    if (!isCount(input.predictedTokens) || !isCount(input.actualTokens)) return;
    const labels = { provider: allowListed(PROVIDERS, input.provider), model_family: modelFamily(input.model) };
    this.cacheReadPredicted.inc(labels, input.predictedTokens);
    this.cacheReadActual.inc(labels, input.actualTokens);
  }

  observeFailOpen(reason: FailOpenReason): void {
    this.failOpen.inc({ reason: allowListed(FAIL_OPEN_REASONS, reason) });
  }

  /** Last seen utilisation (spent / limit) of a team's tightest budget. Teams past the bound are not tracked. */
  setBudgetUtilisation(team: string, ratio: number): void {
    const label = this.teamLabel(team);
    if (label === OTHER_LABEL || !Number.isFinite(ratio) || ratio < 0) return;
    this.budgetUtilisation.set({ team: label }, ratio);
  }

  observeBudgetRejection(team: string | null, kind: (typeof BUDGET_REJECTION_KINDS)[number]): void {
    this.budgetRejections.inc({ team: this.teamLabel(team), kind: allowListed(BUDGET_REJECTION_KINDS, kind) });
  }

  setEventSpoolDepth(depth: number): void {
    if (isCount(depth)) this.spoolDepth.set(depth);
  }

  /** Prometheus text exposition for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function isCount(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function observeSeconds<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  seconds: number | null | undefined,
): void {
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) histogram.observe(labels, seconds);
}

