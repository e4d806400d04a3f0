/**
 * The Anthropic Messages side of the fake upstream: prompt blocks for token counting and caching,
 * request validation, and response bodies / exact SSE event sequences.
 */
import { tokenCounter, type TokenCounter } from '@leeway/compression';
import { approximateTokenCount, canonicalJson, isRecord, sha1, splitText } from './canonical';
import {
  ANTHROPIC_MAX_BREAKPOINTS,
  type AnthropicCacheUsage,
  type AnthropicPromptBlock,
} from './prompt-cache';
import type { ScriptedMessage, TokenizerMode } from './script';

/** Images and PDFs are counted as a fixed number of tokens (Anthropic: ≈ width × height / 750, ≤ ~1600). */
export const IMAGE_TOKENS = 1600;
export const DOCUMENT_TOKENS = 2000;
/** Per-message framing tokens. */
export const MESSAGE_OVERHEAD_TOKENS = 3;

export function anthropicCounter(mode: TokenizerMode): TokenCounter {
  return mode === 'exact' ? tokenCounter('claude-estimate') : approximateTokenCount;
}

export class AnthropicRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

function ttlOf(cacheControl: unknown): '5m' | '1h' | null {
  if (!isRecord(cacheControl)) return null;
  return cacheControl['ttl'] === '1h' ? '1h' : '5m';
}

function blockTokens(block: unknown, count: TokenCounter): number {
  if (typeof block === 'string') return count(block);
  if (!isRecord(block)) return count(canonicalJson(block));
  switch (block['type']) {
    case 'text':
      return count(typeof block['text'] === 'string' ? block['text'] : '');
    case 'image':
      return IMAGE_TOKENS;
    case 'document': {
      const source = isRecord(block['source']) ? block['source'] : {};
      return source['type'] === 'text' && typeof source['data'] === 'string' ? count(source['data']) : DOCUMENT_TOKENS;
    }
    case 'thinking':
      return count(typeof block['thinking'] === 'string' ? block['thinking'] : '');
    case 'redacted_thinking':
      return approximateTokenCount(typeof block['data'] === 'string' ? block['data'] : '');
    case 'tool_use':
      return count(`${String(block['name'])}${canonicalJson(block['input'] ?? {})}`);
    case 'tool_result': {
      const content = block['content'];
      if (typeof content === 'string') return count(content) + 2;
      if (Array.isArray(content)) return content.reduce<number>((n, part) => n + blockTokens(part, count), 2);
      return 2;
    }
    default:
      return count(canonicalJson(block));
  }
}

/**
 * Flattens a request into prompt blocks in prefix order (tools → system → messages) and validates the
 * cache markers (≤ 4 breakpoints; 1h breakpoints before 5m ones).
 */
export function anthropicPromptBlocks(body: Record<string, unknown>, count: TokenCounter): AnthropicPromptBlock[] {
  const blocks: AnthropicPromptBlock[] = [];
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  for (const tool of tools) {
    blocks.push({ key: `tool\u0000${canonicalJson(tool)}`, tokens: count(canonicalJson(tool)), breakpoint: ttlOf(isRecord(tool) ? tool['cache_control'] : null) });
  }
  const system = body['system'];
  if (typeof system === 'string' && system.length > 0) {
    blocks.push({ key: `system\u0000${system}`, tokens: count(system), breakpoint: null });
  } else if (Array.isArray(system)) {
    for (const block of system as unknown[]) {
      blocks.push({ key: `system\u0000${canonicalJson(block)}`, tokens: blockTokens(block, count), breakpoint: ttlOf(isRecord(block) ? block['cache_control'] : null) });
    }
  }
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  messages.forEach((message, m) => {
    if (!isRecord(message)) throw new AnthropicRequestError(400, 'invalid_request_error', `messages.${m}: Input should be an object`);
    const role = String(message['role']);
    const content = message['content'];
    const parts: unknown[] = typeof content === 'string' ? [content] : Array.isArray(content) ? (content as unknown[]) : [];
    parts.forEach((part, i) => {
      const head = i === 0 ? `\u0001${role}\u0001` : '';
      let breakpoint = ttlOf(isRecord(part) ? part['cache_control'] : null);
      // a marker on a block inside a tool_result list also ends a cacheable prefix at this block
      if (breakpoint === null && isRecord(part) && Array.isArray(part['content'])) {
        for (const inner of part['content'] as unknown[]) breakpoint = ttlOf(isRecord(inner) ? inner['cache_control'] : null) ?? breakpoint;
      }
      blocks.push({
        key: `${head}${canonicalJson(part)}`,
        tokens: blockTokens(part, count) + (i === 0 ? MESSAGE_OVERHEAD_TOKENS : 0),
        breakpoint,
      });
    });
  });
  // Top-level cache_control: automatic caching, a breakpoint on the last block.
  const auto = ttlOf(body['cache_control']);
  if (auto !== null && blocks.length > 0) {
    const last = blocks[blocks.length - 1]!;
    blocks[blocks.length - 1] = { ...last, breakpoint: last.breakpoint ?? auto };
  }
  const markers = countMarkers(body);
  if (markers > ANTHROPIC_MAX_BREAKPOINTS) {
    throw new AnthropicRequestError(
      400,
      'invalid_request_error',
      `A maximum of ${ANTHROPIC_MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${markers}.`,
    );
  }
  let seen5m = false;
  for (const b of blocks) {
    if (b.breakpoint === '5m') seen5m = true;
    if (b.breakpoint === '1h' && seen5m) {
      throw new AnthropicRequestError(
        400,
        'invalid_request_error',
        'a cache_control block with ttl="1h" cannot come after a cache_control block with ttl="5m"',
      );
    }
  }
  return blocks;
}

function countMarkers(body: Record<string, unknown>): number {
  let n = body['cache_control'] !== undefined && body['cache_control'] !== null ? 1 : 0;
  const visit = (v: unknown): void => {
    if (!isRecord(v)) return;
    if (v['cache_control'] !== undefined && v['cache_control'] !== null) n++;
    if (Array.isArray(v['content'])) for (const c of v['content'] as unknown[]) visit(c);
  };
  for (const key of ['tools', 'system', 'messages']) {
    const list = body[key];
    if (Array.isArray(list)) for (const item of list as unknown[]) visit(item);
  }
  return n;
}

/** Validates the basics the real API checks before anything else. */
export function validateAnthropicRequest(body: unknown, countTokensRoute: boolean): Record<string, unknown> {
  if (!isRecord(body)) throw new AnthropicRequestError(400, 'invalid_request_error', 'body: Input should be an object');
  if (typeof body['model'] !== 'string') throw new AnthropicRequestError(400, 'invalid_request_error', 'model: Field required');
  if (!Array.isArray(body['messages'])) throw new AnthropicRequestError(400, 'invalid_request_error', 'messages: Field required');
  if (!countTokensRoute && typeof body['max_tokens'] !== 'number') {
    throw new AnthropicRequestError(400, 'invalid_request_error', 'max_tokens: Field required');
  }
  return body;
}

export interface AnthropicExchange {
  readonly id: string;
  readonly model: string;
  readonly script: ScriptedMessage;
  readonly cache: AnthropicCacheUsage;
  readonly outputTokens: number;
  readonly toolIds: readonly string[];
}

export function anthropicUsageObject(cache: AnthropicCacheUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: cache.inputTokens,
    cache_creation_input_tokens: cache.cacheWrite5mTokens + cache.cacheWrite1hTokens,
    cache_read_input_tokens: cache.cacheReadTokens,
    cache_creation: { ephemeral_5m_input_tokens: cache.cacheWrite5mTokens, ephemeral_1h_input_tokens: cache.cacheWrite1hTokens },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

export function anthropicOutputTokens(script: ScriptedMessage, count: TokenCounter): number {
  if (script.outputTokens !== undefined) return script.outputTokens;
  let n = 0;
  if (script.thinking !== undefined) n += count(script.thinking);
  if (script.text !== undefined) n += count(script.text);
  for (const call of script.toolCalls ?? []) n += count(`${call.name}${JSON.stringify(call.input ?? {})}`) + 8;
  return Math.max(1, n);
}

function thinkingSignature(thinking: string): string {
  return `EqoBCkgIARAB${sha1(thinking)}`;
}

function contentBlocks(ex: AnthropicExchange): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const s = ex.script;
  if (s.thinking !== undefined) out.push({ type: 'thinking', thinking: s.thinking, signature: thinkingSignature(s.thinking) });
  if (s.text !== undefined) out.push({ type: 'text', text: s.text });
  (s.toolCalls ?? []).forEach((call, i) => out.push({ type: 'tool_use', id: ex.toolIds[i], name: call.name, input: call.input ?? {} }));
  return out;
}

function stopReason(s: ScriptedMessage): string {
  return s.stopReason ?? ((s.toolCalls?.length ?? 0) > 0 ? 'tool_use' : 'end_turn');
}

export function anthropicMessageBody(ex: AnthropicExchange): Record<string, unknown> {
  return {
    id: ex.id,
    type: 'message',
    role: 'assistant',
    model: ex.model,
    content: contentBlocks(ex),
    stop_reason: stopReason(ex.script),
    stop_sequence: null,
    usage: anthropicUsageObject(ex.cache, ex.outputTokens),
  };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The exact event sequence of a streamed message: message_start, then per block content_block_start /
 * deltas / content_block_stop (a ping after the first start), message_delta with the final usage
 * (running totals, as the API sends them), message_stop.
 *
 * `usageStyle: 'deferred'` mimics compatible backends that report zeros in message_start and the real
 * input and cache counts only in message_delta.
 */
export function anthropicStreamEvents(ex: AnthropicExchange): string[] {
  const s = ex.script;
  const usage = anthropicUsageObject(ex.cache, ex.outputTokens);
  const startUsage =
    s.usageStyle === 'deferred'
      ? anthropicUsageObject({ inputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, totalTokens: 0 }, 0)
      : { ...usage, output_tokens: 1 };
  const events: string[] = [
    event('message_start', {
      type: 'message_start',
      message: { id: ex.id, type: 'message', role: 'assistant', model: ex.model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
    }),
  ];
  const blocks = contentBlocks(ex);
  blocks.forEach((block, index) => {
    if (block['type'] === 'thinking') {
      events.push(event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      if (index === 0) events.push(event('ping', { type: 'ping' }));
      for (const piece of splitText(String(block['thinking']), 24)) {
        events.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }));
      }
      events.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block['signature'] } }));
    } else if (block['type'] === 'text') {
      events.push(event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(event('ping', { type: 'ping' }));
      for (const piece of splitText(String(block['text']), 16)) {
        events.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
      }
    } else {
      events.push(event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} } }));
      if (index === 0) events.push(event('ping', { type: 'ping' }));
      const json = JSON.stringify(block['input']);
      events.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }));
      for (const piece of splitText(json, 12)) {
        events.push(event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }));
      }
    }
    events.push(event('content_block_stop', { type: 'content_block_stop', index }));
  });
  if (blocks.length === 0) events.push(event('ping', { type: 'ping' }));
  const deltaUsage = {
    input_tokens: usage['input_tokens'],
    cache_creation_input_tokens: usage['cache_creation_input_tokens'],
    cache_read_input_tokens: usage['cache_read_input_tokens'],
    ...(s.usageStyle === 'deferred' ? { cache_creation: usage['cache_creation'] } : {}),
    output_tokens: ex.outputTokens,
  };
  events.push(event('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(s), stop_sequence: null }, usage: deltaUsage }));
  events.push(event('message_stop', { type: 'message_stop' }));
  return events;
}

export function anthropicErrorEvent(type: string, message: string): string {
  return event('error', { type: 'error', error: { type, message } });
}

export function anthropicErrorBody(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } };
}
