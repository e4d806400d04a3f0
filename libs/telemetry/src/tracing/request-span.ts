import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes, AttributeValue, Context, Span, TimeInput, Tracer } from '@opentelemetry/api';
import { contextFromTraceparent, traceparentOf } from './trace-context';

/** OpenTelemetry SDK default attribute count limit (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`). */
export const DEFAULT_ATTRIBUTE_COUNT_LIMIT = 128;

/** Leeway operation → `gen_ai.operation.name`. */
export function genAiOperationName(operation: string): string {
  switch (operation) {
    case 'messages':
    case 'chat.completions':
    case 'responses':
    case 'chat':
      return 'chat';
    default:
      return operation;
  }
}

/** Leeway provider adapter → `gen_ai.provider.name` (well-known values of the GenAI conventions). */
export function genAiProviderName(provider: string): string {
  switch (provider) {
    case 'bedrock':
      return 'aws.bedrock';
    case 'gemini':
      return 'gcp.gemini';
    case 'azure':
      return 'azure.ai.openai';
    default:
      return provider;
  }
}

export interface ContentCaptureSettings {
  /** Record prompt/response content on spans. Off by default (content may be sensitive). */
  readonly enabled: boolean;
  /** Most recent messages recorded (older ones are counted, not recorded). Default 16. */
  readonly maxMessages?: number;
  /** Characters kept of each recorded value. Default 2048. */
  readonly maxChars?: number;
}

export interface RequestSpanStart {
  /** `messages`, `chat.completions`, `responses`, `count_tokens`, `passthrough`. */
  readonly operation: string;
  readonly provider: string;
  readonly requestModel: string | null;
  readonly requestId: string;
  readonly team: string | null;
  readonly policy?: string | null;
  readonly stream: boolean;
  readonly sessionId?: string | null;
  /** Parent context; default the active one. */
  readonly parent?: Context;
  readonly content?: ContentCaptureSettings;
  /** The attribute limit the tracer provider enforces. Default 128 (the SDK default). */
  readonly attributeCountLimit?: number;
  /** When the request started, for a span recorded after the fact (default now). */
  readonly startTime?: TimeInput;
}

export interface ResponseAttributes {
  readonly responseModel?: string | null;
  readonly responseId?: string | null;
  readonly finishReasons?: readonly string[];
  /** Provider-reported usage; null means unknown and is left unset (never recorded as 0). */
  readonly usage?: {
    readonly inputTokens: number | null;
    readonly outputTokens: number | null;
    readonly cacheReadTokens: number | null;
    readonly cacheCreationTokens: number | null;
    readonly reasoningTokens?: number | null;
  };
  /** Billed cost, when the proxy knows it (integer micro-USD). */
  readonly costMicros?: number | null;
}

export interface ContentMessage {
  readonly role: string;
  readonly content: string;
}

export type ChildSpanName = 'parse' | 'compress' | 'upstream' | 'stream' | 'retrieve' | 'cache_plan' | 'budget';

/**
 * One proxied request as a span named `{operation} {model}` (`chat claude-sonnet-4-5`) carrying the
 * GenAI semantic-convention attributes and Leeway's own `leeway.*` ones.
 *
 * Attribute order is deliberate: identity, model, usage and cost go first as soon as they are known;
 * prompt/response content (only when enabled) is written last, at `end()`, and only into the attribute
 * slots left under the limit — so a 200-message conversation can never push usage out of the span.
 */
export class RequestSpan {
  readonly span: Span;
  /** The context to run children and the upstream call in. */
  readonly context: Context;
  private readonly keys = new Set<string>();
  private readonly limit: number;
  private readonly contentSettings: ContentCaptureSettings;
  private pendingInput: readonly ContentMessage[] = [];
  private pendingOutput: readonly ContentMessage[] = [];
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    start: RequestSpanStart,
  ) {
    const operation = genAiOperationName(start.operation);
    const name = start.requestModel ? `${operation} ${start.requestModel}` : operation;
    const parent = start.parent ?? context.active();
    this.limit = start.attributeCountLimit ?? DEFAULT_ATTRIBUTE_COUNT_LIMIT;
    this.contentSettings = start.content ?? { enabled: false };
    this.span = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: start.startTime }, parent);
    this.context = trace.setSpan(parent, this.span);
    this.set({
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': genAiProviderName(start.provider),
      'gen_ai.system': genAiProviderName(start.provider),
      'gen_ai.request.model': start.requestModel ?? undefined,
      'gen_ai.request.stream': start.stream,
      'leeway.request_id': start.requestId,
      'leeway.operation': start.operation,
      'leeway.team': start.team ?? undefined,
      'leeway.policy': start.policy ?? undefined,
      'gen_ai.conversation.id': start.sessionId ?? undefined,
    });
  }

  /** W3C traceparent of this span, for the savings event. */
  traceparent(): string | null {
    return traceparentOf(this.span);
  }

  setPolicy(policy: string): void {
    this.set({ 'leeway.policy': policy });
  }

  setCompression(input: { tokensBefore: number; tokensAfter: number; segmentsCompressed: number; kinds?: readonly string[] }): void {
    this.set({
      'leeway.tokens.before': input.tokensBefore,
      'leeway.tokens.after': input.tokensAfter,
      'leeway.segments.compressed': input.segmentsCompressed,
      'leeway.compression.kinds': input.kinds ? [...input.kinds] : undefined,
    });
  }

  setCachePlan(input: { actions: readonly string[]; breakpointsAdded?: number; predictedCacheReadTokens?: number | null }): void {
    this.set({
      'leeway.cache.actions': [...input.actions],
      'leeway.cache.breakpoints_added': input.breakpointsAdded,
      'leeway.cache.predicted_read_tokens': input.predictedCacheReadTokens ?? undefined,
    });
  }

  setRetrieveRounds(rounds: number): void {
    this.set({ 'leeway.retrieve.rounds': rounds });
  }

  setResponse(response: ResponseAttributes): void {
    const usage = response.usage;
    this.set({
      'gen_ai.response.model': response.responseModel ?? undefined,
      'gen_ai.response.id': response.responseId ?? undefined,
      'gen_ai.response.finish_reasons': response.finishReasons ? [...response.finishReasons] : undefined,
      'gen_ai.usage.input_tokens': usage?.inputTokens ?? undefined,
      'gen_ai.usage.output_tokens': usage?.outputTokens ?? undefined,
      'gen_ai.usage.cache_read.input_tokens': usage?.cacheReadTokens ?? undefined,
      'gen_ai.usage.cache_creation.input_tokens': usage?.cacheCreationTokens ?? undefined,
      'gen_ai.usage.reasoning.output_tokens': usage?.reasoningTokens ?? undefined,
      'leeway.cost.micro_usd': response.costMicros ?? undefined,
    });
  }

  /** Queue content for the span; recorded at `end()` only when capture is enabled, capped. */
  captureContent(input: readonly ContentMessage[], output: readonly ContentMessage[] = []): void {
    if (!this.contentSettings.enabled) return;
    this.pendingInput = input;
    this.pendingOutput = output;
  }

  /** Run `work` inside a child span (`leeway.compress`, `leeway.upstream`, `leeway.retrieve`, …). */
  async child<T>(name: ChildSpanName, work: (span: Span) => Promise<T> | T, attributes: Attributes = {}): Promise<T> {
    return runInChildSpan(this.tracer, this.context, name, work, attributes);
  }

  /** Record a child span whose timing is already known (a request recorded after the fact). */
  recordChild(name: ChildSpanName, startTime: TimeInput, endTime: TimeInput, attributes: Attributes = {}): void {
    const kind = name === 'upstream' ? SpanKind.CLIENT : SpanKind.INTERNAL;
    this.tracer.startSpan(`leeway.${name}`, { kind, attributes, startTime }, this.context).end(endTime);
  }

  end(outcome: { httpStatus: number | null; errorCode?: string | null; error?: unknown; endTime?: TimeInput } = { httpStatus: null }): void {
    if (this.ended) return;
    this.ended = true;
    this.set({ 'http.response.status_code': outcome.httpStatus ?? undefined });
    if (outcome.errorCode || (outcome.httpStatus !== null && outcome.httpStatus >= 500)) {
      this.set({ 'error.type': outcome.errorCode ?? String(outcome.httpStatus) });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorCode ?? undefined });
    }
    if (outcome.error instanceof Error) this.span.recordException({ name: outcome.error.name, message: outcome.error.message });
    this.writeContent();
    this.span.end(outcome.endTime);
  }

  private writeContent(): void {
    if (!this.contentSettings.enabled) return;
    const maxChars = this.contentSettings.maxChars ?? 2048;
    const maxMessages = this.contentSettings.maxMessages ?? 16;
    // Two bookkeeping attributes, then two attributes per message, within the slots left.
    const free = this.limit - this.keys.size - 2;
    const outputSlots = Math.min(this.pendingOutput.length * 2, Math.max(0, free));
    const inputSlots = Math.max(0, free - outputSlots);
    const inputCount = Math.min(this.pendingInput.length, maxMessages, Math.floor(inputSlots / 2));
    const outputCount = Math.floor(outputSlots / 2);
    const firstInput = this.pendingInput.length - inputCount;
    const attributes: Attributes = {
      'leeway.content.messages_total': this.pendingInput.length,
      'leeway.content.messages_recorded': inputCount,
    };
    for (let i = 0; i < inputCount; i += 1) {
      const message = this.pendingInput[firstInput + i]!;
      attributes[`gen_ai.prompt.${firstInput + i}.role`] = message.role.slice(0, 32);
      attributes[`gen_ai.prompt.${firstInput + i}.content`] = message.content.slice(0, maxChars);
    }
    for (let i = 0; i < outputCount; i += 1) {
      const message = this.pendingOutput[i]!;
      attributes[`gen_ai.completion.${i}.role`] = message.role.slice(0, 32);
      attributes[`gen_ai.completion.${i}.content`] = message.content.slice(0, maxChars);
    }
    this.set(attributes);
  }

  private set(attributes: Record<string, AttributeValue | undefined>): void {
    for (const [key, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      if (!this.keys.has(key) && this.keys.size >= this.limit) continue;
      this.keys.add(key);
      this.span.setAttribute(key, value);
    }
  }
}

/** Start the span of one proxied request. */
export function startRequestSpan(tracer: Tracer, start: RequestSpanStart): RequestSpan {
  return new RequestSpan(tracer, start);
}

async function runInChildSpan<T>(
  tracer: Tracer,
  parent: Context,
  name: string,
  work: (span: Span) => Promise<T> | T,
  attributes: Attributes,
): Promise<T> {
  const kind = name === 'upstream' ? SpanKind.CLIENT : SpanKind.INTERNAL;
  const span = tracer.startSpan(`leeway.${name}`, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string }).code ?? 'error' });
    if (error instanceof Error) span.recordException({ name: error.name, message: error.message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Run ingestion of one savings event in a CONSUMER span that continues the proxy's trace (the event's
 * `traceparent`); without one the span is a new root.
 */
export async function withIngestionSpan<T>(
  tracer: Tracer,
  event: { traceparent: string | null; requestId: string; partition?: number | string },
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = contextFromTraceparent(event.traceparent);
  const attributes: Attributes = {
    'messaging.system': 'redis',
    'messaging.operation.type': 'process',
    'messaging.destination.name': 'leeway:events',
    'leeway.request_id': event.requestId,
  };
  if (event.partition !== undefined) attributes['messaging.destination.partition.id'] = String(event.partition);
  const span = tracer.startSpan('process leeway:events', { kind: SpanKind.CONSUMER, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string }).code ?? 'error' });
    throw error;
  } finally {
    span.end();
  }
}
