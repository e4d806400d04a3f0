/**
 * OpenAI Responses API (`POST /v1/responses`).
 *
 * Segments: `function_call_output` items (and `custom_tool_call_output`, `local_shell_call_output`) whose
 * `output` is a string, or each `input_text` / `output_text` part of an output list. Never `reasoning`
 * items (their `encrypted_content` is opaque), images or files, user or developer text. `input` given as
 * a plain string has no segments.
 */
import { openAiError, type LeewayErrorCode, type ProviderErrorResponse } from '../errors';
import { decodeString, findMember } from '../json-scan';
import { OpenAiResponsesStreamTap, summarizeOpenAiResponsesResponse, type ResponseSummary, type StreamTap } from '../usage';
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

const CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call']);
const OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);
const TEXT_PART_TYPES = new Set(['input_text', 'output_text', 'text']);

function parseOpenAiResponsesRequest(raw: Buffer): ParsedRequest {
  const root = scanRoot(raw);
  const utf8 = wellFormed(raw);
  const input = findMember(root, 'input');
  const inputSpan = input?.kind === 'array' ? input : null;
  const items = inputSpan?.items ?? [];

  const breakpoints: CacheBreakpoint[] = [];
  const messages: MessageRef[] = [];
  const calls = new Map<string, ToolCall>();
  let lastUserText: string | null = input?.kind === 'string' ? decodeString(raw, input) : null;
  // Calls of the latest assistant turn: consecutive call items since the last message item.
  let pendingCalls: string[] = [];
  let lastCalls: string[] = [];
  items.forEach((item, index) => {
    const role = memberString(raw, item, 'role');
    const type = memberString(raw, item, 'type') ?? (role !== null ? 'message' : null);
    messages.push({ index, role, type, span: item });
    const own = breakpointAt(raw, 'messages', ['input', index], item);
    if (own) breakpoints.push(own);
    if (type === 'message') {
      pendingCalls = [];
      const content = findMember(item, 'content');
      if (content?.kind === 'string' && role === 'user') lastUserText = decodeString(raw, content);
      if (content?.kind === 'array') {
        const texts: string[] = [];
        content.items.forEach((part, p) => {
          const bp = breakpointAt(raw, 'messages', ['input', index, 'content', p], part);
          if (bp) breakpoints.push(bp);
          if (role === 'user' && memberString(raw, part, 'type') === 'input_text') {
            const text = memberString(raw, part, 'text');
            if (text !== null) texts.push(text);
          }
        });
        if (texts.length > 0) lastUserText = texts.join('\n');
      }
    } else if (type !== null && CALL_TYPES.has(type)) {
      const callId = memberString(raw, item, 'call_id') ?? memberString(raw, item, 'id');
      const args =
        type === 'function_call'
          ? argumentsText(raw, findMember(item, 'arguments'))
          : type === 'custom_tool_call'
            ? argumentsText(raw, findMember(item, 'input'))
            : argumentsText(raw, findMember(item, 'action'));
      const name = memberString(raw, item, 'name') ?? (type === 'local_shell_call' ? 'local_shell' : null);
      if (callId !== null) calls.set(callId, { name, input: args });
      if (args !== null) {
        pendingCalls.push(args);
        lastCalls = [...pendingCalls];
      }
    }
  });
  const topLevel = breakpointAt(raw, 'top-level', [], root);
  if (topLevel) breakpoints.push(topLevel);
  const protectedUntil = protectedUntilOf(breakpoints, inputSpan);

  const drafts: SegmentDraft[] = [];
  if (utf8) {
    items.forEach((item, index) => {
      const type = memberString(raw, item, 'type');
      if (type === null || !OUTPUT_TYPES.has(type)) return;
      const id = memberString(raw, item, 'call_id') ?? memberString(raw, item, 'id');
      const call = id !== null ? calls.get(id) : undefined;
      const itemCached = cacheControlOf(item) !== null;
      const base = {
        messageIndex: index,
        toolName: call?.name ?? null,
        toolCallId: id,
        toolInput: call?.input ?? null,
        isError: false,
      };
      const output = findMember(item, 'output');
      if (output?.kind === 'string') {
        const text = decodeString(raw, output);
        if (text.length > 0) drafts.push({ ...base, path: ['input', index, 'output'], span: output, text, ownCacheControl: itemCached });
      } else if (output?.kind === 'array') {
        output.items.forEach((part, p) => {
          const partType = memberString(raw, part, 'type');
          if (partType === null || !TEXT_PART_TYPES.has(partType)) return;
          const textSpan = findMember(part, 'text');
          if (textSpan?.kind !== 'string') return;
          const text = decodeString(raw, textSpan);
          if (text.length === 0) return;
          drafts.push({
            ...base,
            path: ['input', index, 'output', p, 'text'],
            span: textSpan,
            text,
            ownCacheControl: itemCached || cacheControlOf(part) !== null,
          });
        });
      }
    });
  }

  return {
    api: 'openai-responses',
    provider: 'openai',
    raw,
    root,
    model: memberString(raw, root, 'model'),
    stream: memberTrue(root, 'stream'),
    messagesKey: 'input',
    messagesSpan: inputSpan,
    messages,
    systemSpan: findMember(root, 'instructions'),
    toolsSpan: memberArray(root, 'tools'),
    segments: finishSegments(drafts, protectedUntil),
    taskQuery: joinQuery([lastUserText, ...lastCalls]),
    cacheBreakpoints: breakpoints.sort((a, b) => a.span.start - b.span.start),
    protectedUntil,
    wellFormedUtf8: utf8,
  };
}

export const openAiResponsesAdapter: ProviderAdapter = {
  api: 'openai-responses',
  provider: 'openai',
  parseRequest: parseOpenAiResponsesRequest,
  createStreamTap: (): StreamTap => new OpenAiResponsesStreamTap(),
  summarizeResponse: (body: unknown): ResponseSummary => summarizeOpenAiResponsesResponse(body),
  errorResponse: (code: LeewayErrorCode, message: string): ProviderErrorResponse => openAiError(code, message),
};
