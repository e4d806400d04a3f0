/**
 * The OpenAI side of the fake upstream (Chat Completions and Responses): prompt tokens for counting and
 * automatic prefix caching, request validation, response bodies and exact SSE sequences.
 */
import { tokenCounter, type TokenCounter } from '@leeway/compression';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { approximateTokenCount, canonicalJson, isRecord, sha1, splitText } from './canonical';
import type { ScriptedMessage, TokenizerMode } from './script';

/** A low-detail image (OpenAI: 85 base + 170 per 512px tile; fixed here). */
export const OPENAI_IMAGE_TOKENS = 765;

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

export class OpenAiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** Tokenises prompt units (cached by content) into one token sequence. */
export class PromptTokenizer {
  private readonly cache = new Map<string, readonly number[]>();
  constructor(private readonly mode: TokenizerMode, private readonly capacity = 4096) {}

  private encodeText(text: string): readonly number[] {
    const key = text.length <= 128 ? `s:${text}` : `h:${sha1(text)}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let tokens: number[];
    if (this.mode === 'exact') {
      tokens = encode(text, NO_SPECIAL);
    } else {
      tokens = [];
      for (let i = 0; i < text.length; i += 4) {
        let h = 0;
        for (let j = i; j < Math.min(i + 4, text.length); j++) h = (h * 31 + text.charCodeAt(j)) >>> 0;
        tokens.push(h);
      }
    }
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, tokens);
    return tokens;
  }

  /** Tokens of a sequence of units: each `{role, text, extraTokens}`. */
  tokenize(units: readonly PromptUnit[]): number[] {
    const out: number[] = [];
    for (const u of units) {
      if (u.role !== null) {
        // per-message framing (`<|start|>role<|message|>`), as three pseudo tokens
        const roleId = 200_000 + (sha1(u.role).charCodeAt(0) % 64);
        out.push(200_264, roleId, 200_266);
      }
      for (const t of this.encodeText(u.text)) out.push(t);
      for (let i = 0; i < u.fixedTokens; i++) out.push(199_000 + (i % 997));
    }
    return out;
  }
}

export interface PromptUnit {
  /** Message role (framing tokens added), or null for tool definitions. */
  readonly role: string | null;
  readonly text: string;
  /** Fixed-size tokens (images). */
  readonly fixedTokens: number;
}

function contentUnitText(content: unknown): { text: string; fixed: number } {
  if (typeof content === 'string') return { text: content, fixed: 0 };
  if (!Array.isArray(content)) return { text: content === null || content === undefined ? '' : canonicalJson(content), fixed: 0 };
  let text = '';
  let fixed = 0;
  for (const part of content as unknown[]) {
    if (isRecord(part) && (part['type'] === 'text' || part['type'] === 'input_text' || part['type'] === 'output_text') && typeof part['text'] === 'string') {
      text += part['text'];
    } else if (isRecord(part) && (part['type'] === 'image_url' || part['type'] === 'input_image')) {
      text += `<image ${sha1(canonicalJson(part))}>`;
      fixed += OPENAI_IMAGE_TOKENS;
    } else {
      text += canonicalJson(part);
    }
  }
  return { text, fixed };
}

export function chatPromptUnits(body: Record<string, unknown>): PromptUnit[] {
  const units: PromptUnit[] = [];
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  for (const tool of tools) units.push({ role: null, text: canonicalJson(tool), fixedTokens: 0 });
  for (const message of body['messages'] as unknown[]) {
    if (!isRecord(message)) continue;
    const { text, fixed } = contentUnitText(message['content']);
    const calls = message['tool_calls'] !== undefined && message['tool_calls'] !== null ? canonicalJson(message['tool_calls']) : '';
    const id = typeof message['tool_call_id'] === 'string' ? `${message['tool_call_id']}\n` : '';
    units.push({ role: String(message['role']), text: `${id}${text}${calls}`, fixedTokens: fixed });
  }
  return units;
}

export function responsesPromptUnits(body: Record<string, unknown>): PromptUnit[] {
  const units: PromptUnit[] = [];
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  for (const tool of tools) units.push({ role: null, text: canonicalJson(tool), fixedTokens: 0 });
  if (typeof body['instructions'] === 'string') units.push({ role: 'developer', text: body['instructions'], fixedTokens: 0 });
  const input = body['input'];
  if (typeof input === 'string') {
    units.push({ role: 'user', text: input, fixedTokens: 0 });
  } else if (Array.isArray(input)) {
    for (const item of input as unknown[]) {
      if (!isRecord(item)) continue;
      const type = typeof item['type'] === 'string' ? item['type'] : 'message';
      if (type === 'message') {
        const { text, fixed } = contentUnitText(item['content']);
        units.push({ role: String(item['role']), text, fixedTokens: fixed });
      } else if (type.endsWith('_output')) {
        const { text, fixed } = contentUnitText(item['output']);
        units.push({ role: 'tool', text: `${String(item['call_id'])}\n${text}`, fixedTokens: fixed });
      } else if (type === 'reasoning') {
        const summary = Array.isArray(item['summary']) ? canonicalJson(item['summary']) : '';
        const encrypted = typeof item['encrypted_content'] === 'string' ? item['encrypted_content'] : '';
        units.push({ role: 'assistant', text: `${summary}${encrypted.length > 0 ? `<reasoning ${sha1(encrypted)}>` : ''}`, fixedTokens: Math.ceil(encrypted.length / 16) });
      } else {
        units.push({ role: 'assistant', text: canonicalJson(item), fixedTokens: 0 });
      }
    }
  }
  return units;
}

export function validateChatRequest(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new OpenAiRequestError(400, 'invalid_request_error', 'The request body must be a JSON object.');
  if (typeof body['model'] !== 'string') throw new OpenAiRequestError(400, 'invalid_request_error', "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (!Array.isArray(body['messages'])) throw new OpenAiRequestError(400, 'invalid_request_error', "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  return body;
}

export function validateResponsesRequest(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new OpenAiRequestError(400, 'invalid_request_error', 'The request body must be a JSON object.');
  if (typeof body['model'] !== 'string') throw new OpenAiRequestError(400, 'invalid_request_error', "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  return body;
}

export function openAiCounter(mode: TokenizerMode): TokenCounter {
  return mode === 'exact' ? tokenCounter('o200k_base') : approximateTokenCount;
}

export interface OpenAiExchange {
  readonly id: string;
  readonly model: string;
  readonly created: number;
  readonly script: ScriptedMessage;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly toolIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly request: Record<string, unknown>;
}

export function openAiOutputTokens(script: ScriptedMessage, count: TokenCounter): { output: number; reasoning: number } {
  const reasoning = script.thinking !== undefined ? count(script.thinking) : 0;
  if (script.outputTokens !== undefined) return { output: script.outputTokens, reasoning };
  let n = reasoning;
  if (script.text !== undefined) n += count(script.text);
  for (const call of script.toolCalls ?? []) n += count(`${call.name}${JSON.stringify(call.input ?? {})}`) + 6;
  return { output: Math.max(1, n), reasoning };
}

// ---- Chat Completions ----------------------------------------------------------------------------

export function chatUsageObject(ex: OpenAiExchange): Record<string, unknown> {
  return {
    prompt_tokens: ex.promptTokens,
    completion_tokens: ex.outputTokens,
    total_tokens: ex.promptTokens + ex.outputTokens,
    prompt_tokens_details: { cached_tokens: ex.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: ex.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function chatFinishReason(s: ScriptedMessage): string {
  return s.stopReason ?? ((s.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

function chatToolCalls(ex: OpenAiExchange): Record<string, unknown>[] {
  return (ex.script.toolCalls ?? []).map((call, i) => ({
    id: ex.toolIds[i],
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
  }));
}

export function chatCompletionBody(ex: OpenAiExchange): Record<string, unknown> {
  const calls = chatToolCalls(ex);
  return {
    id: ex.id,
    object: 'chat.completion',
    created: ex.created,
    model: ex.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: ex.script.text ?? null,
          refusal: null,
          annotations: [],
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: chatFinishReason(ex.script),
      },
    ],
    usage: chatUsageObject(ex),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/** `data: {chunk}` events, the usage chunk when `stream_options.include_usage`, then `data: [DONE]`. */
export function chatStreamEvents(ex: OpenAiExchange): string[] {
  const options = isRecord(ex.request['stream_options']) ? ex.request['stream_options'] : {};
  const includeUsage = options['include_usage'] === true;
  const base = { id: ex.id, object: 'chat.completion.chunk', created: ex.created, model: ex.model, service_tier: 'default', system_fingerprint: 'fp_fake' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
  const events: string[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (ex.script.text !== undefined) for (const piece of splitText(ex.script.text, 16)) events.push(chunk({ content: piece }));
  chatToolCalls(ex).forEach((call, index) => {
    const fn = call['function'] as { name: string; arguments: string };
    events.push(chunk({ tool_calls: [{ index, id: call['id'], type: 'function', function: { name: fn.name, arguments: '' } }] }));
    for (const piece of splitText(fn.arguments, 12)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, chatFinishReason(ex.script)));
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: chatUsageObject(ex) })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}

export function chatErrorEvent(type: string, message: string): string {
  return `data: ${JSON.stringify({ error: { message, type, param: null, code: null } })}\n\n`;
}

export function openAiErrorBody(type: string, message: string, param: string | null = null, code: string | null = null): Record<string, unknown> {
  return { error: { message, type, param, code } };
}

// ---- Responses ------------------------------------------------------------------------------------

export function responsesUsageObject(ex: OpenAiExchange): Record<string, unknown> {
  return {
    input_tokens: ex.promptTokens,
    input_tokens_details: { cached_tokens: ex.cachedTokens },
    output_tokens: ex.outputTokens,
    output_tokens_details: { reasoning_tokens: ex.reasoningTokens },
    total_tokens: ex.promptTokens + ex.outputTokens,
  };
}

function responseOutputItems(ex: OpenAiExchange): Record<string, unknown>[] {
  const s = ex.script;
  const items: Record<string, unknown>[] = [];
  let n = 0;
  if (s.thinking !== undefined) {
    items.push({ id: ex.itemIds[n++], type: 'reasoning', summary: [{ type: 'summary_text', text: s.thinking }], encrypted_content: `gAAAA${sha1(s.thinking)}` });
  }
  if (s.text !== undefined) {
    items.push({
      id: ex.itemIds[n++],
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: s.text, annotations: [], logprobs: [] }],
    });
  }
  (s.toolCalls ?? []).forEach((call, i) => {
    items.push({
      id: ex.itemIds[n++],
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(call.input ?? {}),
      call_id: ex.toolIds[i],
      name: call.name,
    });
  });
  return items;
}

function responseObject(ex: OpenAiExchange, status: string, output: unknown[], usage: unknown): Record<string, unknown> {
  const r = ex.request;
  return {
    id: ex.id,
    object: 'response',
    created_at: ex.created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: r['instructions'] ?? null,
    max_output_tokens: r['max_output_tokens'] ?? null,
    model: ex.model,
    output,
    parallel_tool_calls: r['parallel_tool_calls'] ?? true,
    previous_response_id: r['previous_response_id'] ?? null,
    prompt_cache_key: r['prompt_cache_key'] ?? null,
    reasoning: r['reasoning'] ?? { effort: null, summary: null },
    service_tier: 'default',
    store: r['store'] ?? true,
    temperature: r['temperature'] ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: r['tool_choice'] ?? 'auto',
    tools: r['tools'] ?? [],
    top_p: r['top_p'] ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

export function responsesBody(ex: OpenAiExchange): Record<string, unknown> {
  return responseObject(ex, 'completed', responseOutputItems(ex), responsesUsageObject(ex));
}

/** `response.created` … `response.completed`, each `event: <type>` with a `sequence_number`. */
export function responsesStreamEvents(ex: OpenAiExchange): string[] {
  let seq = 0;
  const events: string[] = [];
  const emit = (type: string, payload: Record<string, unknown>): void => {
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...payload })}\n\n`);
  };
  emit('response.created', { response: responseObject(ex, 'in_progress', [], null) });
  emit('response.in_progress', { response: responseObject(ex, 'in_progress', [], null) });
  const items = responseOutputItems(ex);
  items.forEach((item, output_index) => {
    const id = item['id'];
    if (item['type'] === 'reasoning') {
      emit('response.output_item.added', { output_index, item: { id, type: 'reasoning', summary: [] } });
      emit('response.output_item.done', { output_index, item });
    } else if (item['type'] === 'message') {
      const text = ((item['content'] as Record<string, unknown>[])[0]!['text'] as string) ?? '';
      emit('response.output_item.added', { output_index, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      emit('response.content_part.added', { item_id: id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
      for (const delta of splitText(text, 16)) emit('response.output_text.delta', { item_id: id, output_index, content_index: 0, delta, logprobs: [] });
      emit('response.output_text.done', { item_id: id, output_index, content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', { item_id: id, output_index, content_index: 0, part: { type: 'output_text', text, annotations: [], logprobs: [] } });
      emit('response.output_item.done', { output_index, item });
    } else {
      const args = String(item['arguments']);
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of splitText(args, 12)) emit('response.function_call_arguments.delta', { item_id: id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id: id, output_index, arguments: args });
      emit('response.output_item.done', { output_index, item });
    }
  });
  emit('response.completed', { response: responsesBody(ex) });
  return events;
}

export function responsesErrorEvent(type: string, message: string, sequence: number): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: type, message, param: null, sequence_number: sequence })}\n\n`;
}

export { approximateTokenCount };
