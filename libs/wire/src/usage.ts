/**
 * Usage normalisation. Every provider's usage becomes one shape whose input classes are disjoint:
 * `inputTokens` is *uncached* input only; cache reads and writes are their own classes.
 * `null` means unknown (the provider did not report it) — never 0 for unknown (invariant I8).
 *
 * Stream taps read usage off a stream's parsed SSE events (they never touch the relayed bytes) and
 * report the outcome: `complete` (terminal event seen), `error` (an error event), `truncated` (ended
 * without a terminal event).
 */
import type { SseEvent } from './sse-parser';

export interface NormalizedUsage {
  /** Uncached input tokens. */
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWrite5mTokens: number | null;
  readonly cacheWrite1hTokens: number | null;
  /** Reasoning tokens (already included in `outputTokens`), where reported. */
  readonly reasoningTokens: number | null;
}

export const UNKNOWN_USAGE: NormalizedUsage = Object.freeze({
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWrite5mTokens: null,
  cacheWrite1hTokens: null,
  reasoningTokens: null,
});

/** Whether no field is known. */
export function isUsageUnknown(usage: NormalizedUsage): boolean {
  return (
    usage.inputTokens === null &&
    usage.outputTokens === null &&
    usage.cacheReadTokens === null &&
    usage.cacheWrite5mTokens === null &&
    usage.cacheWrite1hTokens === null &&
    usage.reasoningTokens === null
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** Anthropic's raw usage fields, as reported (snapshot semantics in streams). */
interface AnthropicRawUsage {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheCreation: number | null;
  cacheCreation5m: number | null;
  cacheCreation1h: number | null;
}

function readAnthropicRaw(u: unknown): AnthropicRawUsage {
  if (!isRecord(u)) {
    return { input: null, output: null, cacheRead: null, cacheCreation: null, cacheCreation5m: null, cacheCreation1h: null };
  }
  const cc = isRecord(u['cache_creation']) ? u['cache_creation'] : null;
  return {
    input: num(u['input_tokens']),
    output: num(u['output_tokens']),
    cacheRead: num(u['cache_read_input_tokens']),
    cacheCreation: num(u['cache_creation_input_tokens']),
    cacheCreation5m: cc ? num(cc['ephemeral_5m_input_tokens']) : null,
    cacheCreation1h: cc ? num(cc['ephemeral_1h_input_tokens']) : null,
  };
}

function normalizeAnthropicRaw(r: AnthropicRawUsage): NormalizedUsage {
  let w5 = r.cacheCreation5m;
  let w1 = r.cacheCreation1h;
  const total = r.cacheCreation;
  if (w5 === null && w1 === null) {
    // No TTL breakdown (older API versions, some compatible backends): writes were 5-minute unless the
    // total is non-zero, in which case the 1-hour share is unknown and the total is attributed to 5m.
    if (total !== null) {
      w5 = total;
      w1 = total === 0 ? 0 : null;
    }
  } else if (total !== null) {
    if (w5 === null && w1 !== null) w5 = Math.max(0, total - w1);
    if (w1 === null && w5 !== null) w1 = Math.max(0, total - w5);
  }
  return {
    inputTokens: r.input,
    outputTokens: r.output,
    cacheReadTokens: r.cacheRead,
    cacheWrite5mTokens: w5,
    cacheWrite1hTokens: w1,
    reasoningTokens: null,
  };
}

/** Anthropic `usage` (input_tokens already excludes cache reads and writes). */
export function usageFromAnthropic(usage: unknown): NormalizedUsage {
  return normalizeAnthropicRaw(readAnthropicRaw(usage));
}

/** OpenAI chat `usage`: `prompt_tokens` includes `prompt_tokens_details.cached_tokens`; normalised to uncached. */
export function usageFromOpenAiChat(usage: unknown): NormalizedUsage {
  if (!isRecord(usage)) return UNKNOWN_USAGE;
  const prompt = num(usage['prompt_tokens']);
  const details = isRecord(usage['prompt_tokens_details']) ? usage['prompt_tokens_details'] : null;
  const cached = details ? num(details['cached_tokens']) : null;
  const out = isRecord(usage['completion_tokens_details']) ? usage['completion_tokens_details'] : null;
  return {
    // Without a cached count the uncached share is not reported: prompt_tokens is an upper bound and the
    // cache-read class stays unknown.
    inputTokens: prompt === null ? null : cached === null ? prompt : Math.max(0, prompt - cached),
    outputTokens: num(usage['completion_tokens']),
    cacheReadTokens: cached,
    // OpenAI bills no cache-write class: known zero whenever usage was reported.
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: out ? num(out['reasoning_tokens']) : null,
  };
}

/** OpenAI Responses `usage`: `input_tokens` includes `input_tokens_details.cached_tokens`. */
export function usageFromOpenAiResponses(usage: unknown): NormalizedUsage {
  if (!isRecord(usage)) return UNKNOWN_USAGE;
  const input = num(usage['input_tokens']);
  const details = isRecord(usage['input_tokens_details']) ? usage['input_tokens_details'] : null;
  const cached = details ? num(details['cached_tokens']) : null;
  const out = isRecord(usage['output_tokens_details']) ? usage['output_tokens_details'] : null;
  return {
    inputTokens: input === null ? null : cached === null ? input : Math.max(0, input - cached),
    outputTokens: num(usage['output_tokens']),
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: out ? num(out['reasoning_tokens']) : null,
  };
}

export type StreamOutcome = 'complete' | 'error' | 'truncated';

export interface StreamError {
  readonly type: string;
  readonly message: string;
}

export interface ToolCallRef {
  readonly id: string | null;
  readonly name: string;
  /** `tool_use`, `server_tool_use`, `function`, `function_call`, `custom_tool_call`, ... */
  readonly type: string;
}

/** What a response (streamed or not) reported. */
export interface ResponseSummary {
  readonly outcome: StreamOutcome;
  readonly usage: NormalizedUsage;
  readonly model: string | null;
  readonly stopReason: string | null;
  readonly error: StreamError | null;
  readonly toolCalls: readonly ToolCallRef[];
}

/** Reads a stream's parsed events; `finish()` once the stream ended (or was cut). */
export interface StreamTap {
  push(event: SseEvent): void;
  finish(): ResponseSummary;
}

function parseData(event: SseEvent): unknown {
  if (event.data === null || event.data.length === 0) return undefined;
  try {
    return JSON.parse(event.data) as unknown;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function readError(v: unknown): StreamError {
  if (isRecord(v)) {
    const inner = isRecord(v['error']) ? v['error'] : v;
    return {
      type: str(inner['type']) ?? str(inner['code']) ?? 'error',
      message: str(inner['message']) ?? '',
    };
  }
  return { type: 'error', message: typeof v === 'string' ? v : '' };
}

/**
 * Anthropic Messages stream: `message_start` carries `message.usage`, each `message_delta` carries `usage`.
 * Both are snapshots (running totals), possibly repeated: per field the last reported non-null value wins,
 * nothing is summed. `message_stop` completes; an `error` event fails.
 */
export class AnthropicStreamTap implements StreamTap {
  private raw: AnthropicRawUsage = readAnthropicRaw(undefined);
  private model: string | null = null;
  private stopReason: string | null = null;
  private error: StreamError | null = null;
  private done = false;
  private readonly toolCalls: ToolCallRef[] = [];

  push(event: SseEvent): void {
    const data = parseData(event);
    if (!isRecord(data)) return;
    const type = str(data['type']) ?? event.event;
    switch (type) {
      case 'message_start': {
        const message = isRecord(data['message']) ? data['message'] : {};
        this.model = str(message['model']) ?? this.model;
        this.merge(message['usage']);
        break;
      }
      case 'message_delta': {
        const delta = isRecord(data['delta']) ? data['delta'] : {};
        this.stopReason = str(delta['stop_reason']) ?? this.stopReason;
        this.merge(data['usage']);
        break;
      }
      case 'content_block_start': {
        const block = isRecord(data['content_block']) ? data['content_block'] : {};
        const blockType = str(block['type']);
        const name = str(block['name']);
        if (blockType !== null && name !== null && blockType.endsWith('tool_use')) {
          this.toolCalls.push({ id: str(block['id']), name, type: blockType });
        }
        break;
      }
      case 'message_stop':
        this.done = true;
        break;
      case 'error':
        this.error = readError(data);
        break;
      default:
        break;
    }
  }

  private merge(usage: unknown): void {
    const next = readAnthropicRaw(usage);
    const cur = this.raw;
    this.raw = {
      input: next.input ?? cur.input,
      output: next.output ?? cur.output,
      cacheRead: next.cacheRead ?? cur.cacheRead,
      cacheCreation: next.cacheCreation ?? cur.cacheCreation,
      cacheCreation5m: next.cacheCreation5m ?? cur.cacheCreation5m,
      cacheCreation1h: next.cacheCreation1h ?? cur.cacheCreation1h,
    };
  }

  finish(): ResponseSummary {
    return {
      outcome: this.error ? 'error' : this.done ? 'complete' : 'truncated',
      usage: normalizeAnthropicRaw(this.raw),
      model: this.model,
      stopReason: this.stopReason,
      error: this.error,
      toolCalls: this.toolCalls,
    };
  }
}

/**
 * OpenAI chat completions stream: `data: {chunk}` events, `data: [DONE]` last. Usage arrives in a chunk
 * with `choices: []` when `stream_options.include_usage` is set (last reported wins). A chunk carrying
 * `error` fails the stream; no `[DONE]` means truncated.
 */
export class OpenAiChatStreamTap implements StreamTap {
  private usage: NormalizedUsage = UNKNOWN_USAGE;
  private model: string | null = null;
  private stopReason: string | null = null;
  private error: StreamError | null = null;
  private done = false;
  private readonly toolCalls: ToolCallRef[] = [];

  push(event: SseEvent): void {
    if (event.data === '[DONE]') {
      this.done = true;
      return;
    }
    const data = parseData(event);
    if (!isRecord(data)) return;
    if (event.event === 'error' || data['error'] !== undefined) {
      this.error = readError(data);
      return;
    }
    this.model ??= str(data['model']);
    if (isRecord(data['usage'])) this.usage = usageFromOpenAiChat(data['usage']);
    const choices = Array.isArray(data['choices']) ? (data['choices'] as unknown[]) : [];
    for (const choice of choices) {
      if (!isRecord(choice)) continue;
      this.stopReason = str(choice['finish_reason']) ?? this.stopReason;
      const delta = isRecord(choice['delta']) ? choice['delta'] : null;
      const calls = delta && Array.isArray(delta['tool_calls']) ? (delta['tool_calls'] as unknown[]) : [];
      for (const call of calls) {
        if (!isRecord(call)) continue;
        const fn = isRecord(call['function']) ? call['function'] : null;
        const name = fn ? str(fn['name']) : null;
        if (name !== null && name.length > 0) this.toolCalls.push({ id: str(call['id']), name, type: 'function' });
      }
    }
  }

  finish(): ResponseSummary {
    return {
      outcome: this.error ? 'error' : this.done ? 'complete' : 'truncated',
      usage: this.usage,
      model: this.model,
      stopReason: this.stopReason,
      error: this.error,
      toolCalls: this.toolCalls,
    };
  }
}

/**
 * OpenAI Responses stream: typed events `response.created` … `response.completed` (usage in
 * `response.usage`). `response.incomplete` is a terminal, billed outcome (`complete`, stop reason
 * `incomplete:<reason>`); `response.failed` and `error` fail the stream.
 */
export class OpenAiResponsesStreamTap implements StreamTap {
  private usage: NormalizedUsage = UNKNOWN_USAGE;
  private model: string | null = null;
  private stopReason: string | null = null;
  private error: StreamError | null = null;
  private done = false;
  private readonly toolCalls: ToolCallRef[] = [];

  push(event: SseEvent): void {
    const data = parseData(event);
    if (!isRecord(data)) return;
    const type = str(data['type']) ?? event.event;
    const response = isRecord(data['response']) ? data['response'] : null;
    if (response) {
      this.model = str(response['model']) ?? this.model;
      if (isRecord(response['usage'])) this.usage = usageFromOpenAiResponses(response['usage']);
    }
    switch (type) {
      case 'response.completed':
        this.done = true;
        this.stopReason = str(response?.['status']) ?? 'completed';
        break;
      case 'response.incomplete': {
        this.done = true;
        const details = response && isRecord(response['incomplete_details']) ? response['incomplete_details'] : null;
        this.stopReason = `incomplete${details && str(details['reason']) ? `:${str(details['reason'])}` : ''}`;
        break;
      }
      case 'response.failed':
        this.error = readError(response?.['error'] ?? data);
        break;
      case 'error':
        this.error = readError(data);
        break;
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const item = isRecord(data['item']) ? data['item'] : null;
        const itemType = item ? str(item['type']) : null;
        const name = item ? str(item['name']) : null;
        if (type === 'response.output_item.added' && item && itemType !== null && name !== null && itemType.endsWith('call')) {
          this.toolCalls.push({ id: str(item['call_id']) ?? str(item['id']), name, type: itemType });
        }
        break;
      }
      default:
        break;
    }
  }

  finish(): ResponseSummary {
    return {
      outcome: this.error ? 'error' : this.done ? 'complete' : 'truncated',
      usage: this.usage,
      model: this.model,
      stopReason: this.stopReason,
      error: this.error,
      toolCalls: this.toolCalls,
    };
  }
}

/** Summary of a non-streamed Anthropic Messages response body. */
export function summarizeAnthropicResponse(body: unknown): ResponseSummary {
  if (!isRecord(body)) return { outcome: 'error', usage: UNKNOWN_USAGE, model: null, stopReason: null, error: readError(body), toolCalls: [] };
  if (body['type'] === 'error') {
    return { outcome: 'error', usage: UNKNOWN_USAGE, model: null, stopReason: null, error: readError(body), toolCalls: [] };
  }
  const content = Array.isArray(body['content']) ? (body['content'] as unknown[]) : [];
  const toolCalls: ToolCallRef[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    const t = str(block['type']);
    const name = str(block['name']);
    if (t !== null && name !== null && t.endsWith('tool_use')) toolCalls.push({ id: str(block['id']), name, type: t });
  }
  return {
    outcome: 'complete',
    usage: usageFromAnthropic(body['usage']),
    model: str(body['model']),
    stopReason: str(body['stop_reason']),
    error: null,
    toolCalls,
  };
}

/** Summary of a non-streamed OpenAI chat completion body. */
export function summarizeOpenAiChatResponse(body: unknown): ResponseSummary {
  if (!isRecord(body) || body['error'] !== undefined) {
    return { outcome: 'error', usage: UNKNOWN_USAGE, model: null, stopReason: null, error: readError(body), toolCalls: [] };
  }
  const toolCalls: ToolCallRef[] = [];
  let stopReason: string | null = null;
  const choices = Array.isArray(body['choices']) ? (body['choices'] as unknown[]) : [];
  for (const choice of choices) {
    if (!isRecord(choice)) continue;
    stopReason ??= str(choice['finish_reason']);
    const message = isRecord(choice['message']) ? choice['message'] : null;
    const calls = message && Array.isArray(message['tool_calls']) ? (message['tool_calls'] as unknown[]) : [];
    for (const call of calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call['function']) ? call['function'] : null;
      const name = fn ? str(fn['name']) : null;
      if (name !== null) toolCalls.push({ id: str(call['id']), name, type: str(call['type']) ?? 'function' });
    }
  }
  return { outcome: 'complete', usage: usageFromOpenAiChat(body['usage']), model: str(body['model']), stopReason, error: null, toolCalls };
}

/** Summary of a non-streamed OpenAI Responses body. */
export function summarizeOpenAiResponsesResponse(body: unknown): ResponseSummary {
  if (!isRecord(body) || (body['error'] !== undefined && body['error'] !== null && body['object'] !== 'response')) {
    return { outcome: 'error', usage: UNKNOWN_USAGE, model: null, stopReason: null, error: readError(body), toolCalls: [] };
  }
  const toolCalls: ToolCallRef[] = [];
  const output = Array.isArray(body['output']) ? (body['output'] as unknown[]) : [];
  for (const item of output) {
    if (!isRecord(item)) continue;
    const t = str(item['type']);
    const name = str(item['name']);
    if (t !== null && name !== null && t.endsWith('call')) toolCalls.push({ id: str(item['call_id']) ?? str(item['id']), name, type: t });
  }
  const status = str(body['status']);
  const failed = status === 'failed';
  return {
    outcome: failed ? 'error' : 'complete',
    usage: usageFromOpenAiResponses(body['usage']),
    model: str(body['model']),
    stopReason: status,
    error: failed ? readError(body['error']) : null,
    toolCalls,
  };
}

/**
 * Whether an OpenAI chat stream event is the extra usage-only chunk (`choices: []`, `usage` set) that
 * `stream_options.include_usage` adds before `[DONE]`. A relay that added `include_usage` itself drops
 * exactly this event's bytes for a client that did not ask for it.
 */
export function isOpenAiUsageOnlyChunk(event: SseEvent): boolean {
  const data = event.data;
  if (data === null || data === '[DONE]' || !data.includes('"usage"')) return false;
  const parsed = parseData(event);
  if (!isRecord(parsed) || !isRecord(parsed['usage'])) return false;
  const choices = parsed['choices'];
  return Array.isArray(choices) && choices.length === 0;
}
