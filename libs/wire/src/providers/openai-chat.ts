/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`).
 *
 * Segments: `role: "tool"` messages (string content, or each `text` part), and legacy `role: "function"`
 * messages. Tool names come from the assistant's `tool_calls[].function.name` by `tool_call_id`;
 * `function.arguments` may be a string, `null` or (from lenient clients) an object. OpenAI caches
 * automatically; `cache_control` markers (sent by some gateways' clients) are still honoured as breakpoints.
 */
import { openAiError, type LeewayErrorCode, type ProviderErrorResponse } from '../errors';
import { decodeString, findEntry, findMember } from '../json-scan';
import { addMemberEdit, replaceValueEdit, setMemberEdit, type ByteEdit } from '../splice';
import { OpenAiChatStreamTap, summarizeOpenAiChatResponse, type ResponseSummary, type StreamTap } from '../usage';
import {
  argumentsText,
  breakpointAt,
  cacheControlOf,
  finishSegments,
  joinQuery,
  memberArray,
  memberString,
  memberTrue,
  protectedUntilOf,
  scanRoot,
  wellFormed,
  type SegmentDraft,
} from './common';
import type { CacheBreakpoint, MessageRef, ParsedRequest, ProviderAdapter } from './provider-adapter';

interface ToolCall {
  readonly name: string | null;
  readonly input: string | null;
}

function parseOpenAiChatRequest(raw: Buffer): ParsedRequest {
  const root = scanRoot(raw);
  const utf8 = wellFormed(raw);
  const messagesSpan = memberArray(root, 'messages');
  const items = messagesSpan?.items ?? [];

  const breakpoints: CacheBreakpoint[] = [];
  const messages: MessageRef[] = [];
  const calls = new Map<string, ToolCall>();
  let lastUserText: string | null = null;
  let lastCalls: string[] = [];
  let systemSpan: MessageRef['span'] | null = null;
  items.forEach((message, index) => {
    const role = memberString(raw, message, 'role');
    messages.push({ index, role, type: null, span: message });
    if ((role === 'system' || role === 'developer') && systemSpan === null) systemSpan = message;
    const own = breakpointAt(raw, 'messages', ['messages', index], message);
    if (own) breakpoints.push(own);
    const content = findMember(message, 'content');
    if (content?.kind === 'array') {
      const texts: string[] = [];
      content.items.forEach((part, p) => {
        const bp = breakpointAt(raw, 'messages', ['messages', index, 'content', p], part);
        if (bp) breakpoints.push(bp);
        if (role === 'user' && memberString(raw, part, 'type') === 'text') {
          const text = memberString(raw, part, 'text');
          if (text !== null) texts.push(text);
        }
      });
      if (texts.length > 0) lastUserText = texts.join('\n');
    } else if (content?.kind === 'string' && role === 'user') {
      lastUserText = decodeString(raw, content);
    }
    if (role === 'assistant') {
      const toolCalls = memberArray(message, 'tool_calls');
      const turn: string[] = [];
      toolCalls?.items.forEach((call) => {
        const fn = findMember(call, 'function');
        const input = argumentsText(raw, findMember(fn, 'arguments'));
        const id = memberString(raw, call, 'id');
        if (id !== null) calls.set(id, { name: memberString(raw, fn, 'name'), input });
        if (input !== null) turn.push(input);
      });
      if (turn.length > 0) lastCalls = turn;
    }
  });
  const topLevel = breakpointAt(raw, 'top-level', [], root);
  if (topLevel) breakpoints.push(topLevel);
  const protectedUntil = protectedUntilOf(breakpoints, messagesSpan);

  const drafts: SegmentDraft[] = [];
  if (utf8) {
    items.forEach((message, index) => {
      const role = memberString(raw, message, 'role');
      if (role !== 'tool' && role !== 'function') return;
      const id = role === 'tool' ? memberString(raw, message, 'tool_call_id') : null;
      const call = id !== null ? calls.get(id) : undefined;
      const messageCached = cacheControlOf(message) !== null;
      const base = {
        messageIndex: index,
        toolName: call?.name ?? (role === 'function' ? memberString(raw, message, 'name') : null),
        toolCallId: id,
        toolInput: call?.input ?? null,
        isError: false,
      };
      const content = findMember(message, 'content');
      if (content?.kind === 'string') {
        const text = decodeString(raw, content);
        if (text.length > 0) {
          drafts.push({ ...base, path: ['messages', index, 'content'], span: content, text, ownCacheControl: messageCached });
        }
      } else if (content?.kind === 'array') {
        content.items.forEach((part, p) => {
          if (memberString(raw, part, 'type') !== 'text') return;
          const textSpan = findMember(part, 'text');
          if (textSpan?.kind !== 'string') return;
          const text = decodeString(raw, textSpan);
          if (text.length === 0) return;
          drafts.push({
            ...base,
            path: ['messages', index, 'content', p, 'text'],
            span: textSpan,
            text,
            ownCacheControl: messageCached || cacheControlOf(part) !== null,
          });
        });
      }
    });
  }

  return {
    api: 'openai-chat',
    provider: 'openai',
    raw,
    root,
    model: memberString(raw, root, 'model'),
    stream: memberTrue(root, 'stream'),
    messagesKey: 'messages',
    messagesSpan,
    messages,
    systemSpan,
    toolsSpan: memberArray(root, 'tools'),
    segments: finishSegments(drafts, protectedUntil),
    taskQuery: joinQuery([lastUserText, ...lastCalls]),
    cacheBreakpoints: breakpoints.sort((a, b) => a.span.start - b.span.start),
    protectedUntil,
    wellFormedUtf8: utf8,
  };
}

export interface StreamUsagePlan {
  /** Whether the client itself asked for `stream_options.include_usage: true`. */
  readonly clientRequested: boolean;
  /** Edits that make the request ask for usage (empty when the client already did or it is not a stream). */
  readonly edits: ByteEdit[];
}

/**
 * For a streaming chat request, the edits that turn on `stream_options.include_usage` when the client
 * did not. When `clientRequested` is false the relay must drop the extra usage chunk
 * (`isOpenAiUsageOnlyChunk`) before it reaches the client.
 */
export function planStreamUsage(parsed: ParsedRequest): StreamUsagePlan {
  if (!parsed.stream) return { clientRequested: false, edits: [] };
  const root = parsed.root;
  const options = findEntry(root, 'stream_options');
  if (!options || options.value.kind === 'null') {
    const edit = options
      ? replaceValueEdit(options.value, '{"include_usage":true}')
      : addMemberEdit(root, 'stream_options', '{"include_usage":true}');
    return { clientRequested: false, edits: [edit] };
  }
  if (options.value.kind !== 'object') return { clientRequested: false, edits: [] }; // malformed: leave it to upstream
  const include = findMember(options.value, 'include_usage');
  if (include?.kind === 'true') return { clientRequested: true, edits: [] };
  return { clientRequested: false, edits: [setMemberEdit(options.value, 'include_usage', 'true')] };
}

export const openAiChatAdapter: ProviderAdapter = {
  api: 'openai-chat',
  provider: 'openai',
  parseRequest: parseOpenAiChatRequest,
  createStreamTap: (): StreamTap => new OpenAiChatStreamTap(),
  summarizeResponse: (body: unknown): ResponseSummary => summarizeOpenAiChatResponse(body),
  errorResponse: (code: LeewayErrorCode, message: string): ProviderErrorResponse => openAiError(code, message),
};
