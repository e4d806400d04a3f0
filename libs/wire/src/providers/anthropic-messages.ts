/**
 * Anthropic Messages API (`POST /v1/messages`, `/v1/messages/count_tokens`).
 *
 * Segments: `tool_result` content given as a string, or each `text` block of a content list. Never
 * images, documents, search results or any other block; never thinking / redacted_thinking, user or
 * system text. Cache prefix order is tools → system → messages, so only breakpoints inside `messages`
 * (or a top-level `cache_control`, automatic caching of the last block) protect conversation content.
 */
import { anthropicError, type LeewayErrorCode, type ProviderErrorResponse } from '../errors';
import { decodeString, findMember, type JsonSpan } from '../json-scan';
import { AnthropicStreamTap, summarizeAnthropicResponse, type ResponseSummary, type StreamTap } from '../usage';
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

function parseAnthropicRequest(raw: Buffer): ParsedRequest {
  const root = scanRoot(raw);
  const utf8 = wellFormed(raw);
  const messagesSpan = memberArray(root, 'messages');
  const toolsSpan = memberArray(root, 'tools');
  const systemSpan = findMember(root, 'system');
  const items = messagesSpan?.items ?? [];

  const breakpoints: CacheBreakpoint[] = [];
  toolsSpan?.items.forEach((tool, i) => {
    const bp = breakpointAt(raw, 'tools', ['tools', i], tool);
    if (bp) breakpoints.push(bp);
  });
  if (systemSpan?.kind === 'array') {
    systemSpan.items.forEach((block, i) => {
      const bp = breakpointAt(raw, 'system', ['system', i], block);
      if (bp) breakpoints.push(bp);
    });
  }

  // Pass 1: roles, tool calls by id, breakpoints inside the conversation.
  const messages: MessageRef[] = [];
  const calls = new Map<string, ToolCall>();
  let lastUserText: string | null = null;
  let lastCalls: string[] = [];
  items.forEach((message, index) => {
    const role = memberString(raw, message, 'role');
    messages.push({ index, role, type: null, span: message });
    const content = findMember(message, 'content');
    if (content?.kind === 'string') {
      if (role === 'user') lastUserText = decodeString(raw, content);
      return;
    }
    if (content?.kind !== 'array') return;
    const texts: string[] = [];
    const turnCalls: string[] = [];
    content.items.forEach((block, b) => {
      const bp = breakpointAt(raw, 'messages', ['messages', index, 'content', b], block);
      if (bp) breakpoints.push(bp);
      const type = memberString(raw, block, 'type');
      if (type === 'text' && role === 'user') {
        const text = memberString(raw, block, 'text');
        if (text !== null) texts.push(text);
      } else if (type === 'tool_use' || type === 'server_tool_use' || type === 'mcp_tool_use') {
        const id = memberString(raw, block, 'id');
        const input = argumentsText(raw, findMember(block, 'input'));
        if (id !== null) calls.set(id, { name: memberString(raw, block, 'name'), input });
        if (input !== null) turnCalls.push(input);
      } else if (type === 'tool_result') {
        const inner = memberArray(block, 'content');
        inner?.items.forEach((part, p) => {
          const innerBp = breakpointAt(raw, 'messages', ['messages', index, 'content', b, 'content', p], part);
          if (innerBp) breakpoints.push(innerBp);
        });
      }
    });
    if (role === 'user' && texts.length > 0) lastUserText = texts.join('\n');
    if (role === 'assistant' && turnCalls.length > 0) lastCalls = turnCalls;
  });
  const topLevel = breakpointAt(raw, 'top-level', [], root);
  if (topLevel) breakpoints.push(topLevel);
  const protectedUntil = protectedUntilOf(breakpoints, messagesSpan);

  // Pass 2: tool_result segments.
  const drafts: SegmentDraft[] = [];
  if (utf8) {
    items.forEach((message, index) => {
      const content = memberArray(message, 'content');
      content?.items.forEach((block, b) => {
        if (memberString(raw, block, 'type') !== 'tool_result') return;
        const id = memberString(raw, block, 'tool_use_id');
        const call = id !== null ? calls.get(id) : undefined;
        const blockCached = cacheControlOf(block) !== null;
        const base = {
          messageIndex: index,
          toolName: call?.name ?? null,
          toolCallId: id,
          toolInput: call?.input ?? null,
          isError: memberTrue(block, 'is_error'),
        };
        const inner: JsonSpan | null = findMember(block, 'content');
        if (inner?.kind === 'string') {
          const text = decodeString(raw, inner);
          if (text.length > 0) {
            drafts.push({ ...base, path: ['messages', index, 'content', b, 'content'], span: inner, text, ownCacheControl: blockCached });
          }
        } else if (inner?.kind === 'array') {
          inner.items.forEach((part, p) => {
            if (memberString(raw, part, 'type') !== 'text') return;
            const textSpan = findMember(part, 'text');
            if (textSpan?.kind !== 'string') return;
            const text = decodeString(raw, textSpan);
            if (text.length === 0) return;
            drafts.push({
              ...base,
              path: ['messages', index, 'content', b, 'content', p, 'text'],
              span: textSpan,
              text,
              ownCacheControl: blockCached || cacheControlOf(part) !== null,
            });
          });
        }
      });
    });
  }

  return {
    api: 'anthropic-messages',
    provider: 'anthropic',
    raw,
    root,
    model: memberString(raw, root, 'model'),
    stream: memberTrue(root, 'stream'),
    messagesKey: 'messages',
    messagesSpan,
    messages,
    systemSpan,
    toolsSpan,
    segments: finishSegments(drafts, protectedUntil),
    taskQuery: joinQuery([lastUserText, ...lastCalls]),
    cacheBreakpoints: breakpoints.sort((a, b) => a.span.start - b.span.start),
    protectedUntil,
    wellFormedUtf8: utf8,
  };
}

export const anthropicMessagesAdapter: ProviderAdapter = {
  api: 'anthropic-messages',
  provider: 'anthropic',
  parseRequest: parseAnthropicRequest,
  createStreamTap: (): StreamTap => new AnthropicStreamTap(),
  summarizeResponse: (body: unknown): ResponseSummary => summarizeAnthropicResponse(body),
  errorResponse: (code: LeewayErrorCode, message: string): ProviderErrorResponse => anthropicError(code, message),
};
