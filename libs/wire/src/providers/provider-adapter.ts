/**
 * One small interface per upstream API (STYLE: providers are data). An adapter parses a raw request body
 * once into spans, lists the compressible segments with their byte ranges, and knows the API's response
 * usage, stream events and error shape. Edits are byte splices (`splice.ts`), never re-serialisation.
 */
import type { LeewayErrorCode, ProviderErrorResponse } from '../errors';
import type { JsonArraySpan, JsonObjectSpan, JsonPath, JsonSpan, JsonStringSpan } from '../json-scan';
import type { ByteEdit } from '../splice';
import type { ResponseSummary, StreamTap } from '../usage';

export type ProviderName = 'anthropic' | 'openai';

export type WireApi = 'anthropic-messages' | 'openai-chat' | 'openai-responses';

/**
 * Why a segment must not change (invariant I3):
 * - `cache-control`: its own block (or the tool_result holding it) carries `cache_control`;
 * - `before-cache-breakpoint`: it lies before (or inside) the client's last `cache_control` breakpoint in
 *   the conversation, so the provider may already hold those bytes in its cache.
 */
export type ProtectionReason = 'cache-control' | 'before-cache-breakpoint';

/** A compressible tool output: one JSON string value in the body. */
export interface Segment {
  /** Position among this request's segments (document order). */
  readonly ordinal: number;
  /** Index in `messages` (Anthropic, OpenAI chat) or in `input` (Responses). */
  readonly messageIndex: number;
  /** Path from the root to the string value, e.g. `['messages', 3, 'content', 0, 'content', 1, 'text']`. */
  readonly path: JsonPath;
  /** The string value's span, quotes included. */
  readonly span: JsonStringSpan;
  /** Byte offsets of the string value (quotes included): replace `[start, end)` to change it. */
  readonly start: number;
  readonly end: number;
  /** The decoded text. */
  readonly text: string;
  /** The tool's name, looked up by call id; null when not recoverable. */
  readonly toolName: string | null;
  /** `tool_use_id` / `tool_call_id` / `call_id`. */
  readonly toolCallId: string | null;
  /** The call's arguments as sent (JSON text), when recoverable: useful as a relevance query. */
  readonly toolInput: string | null;
  /** Anthropic `is_error: true` tool results. */
  readonly isError: boolean;
  readonly protected: boolean;
  readonly protectedReason: ProtectionReason | null;
}

/** One entry of `messages` / `input`. */
export interface MessageRef {
  readonly index: number;
  /** `user`, `assistant`, `tool`, `system`, `developer`, ...; null when the item has no role. */
  readonly role: string | null;
  /** Responses item `type` (`message`, `function_call`, `reasoning`, ...); Anthropic/chat: null. */
  readonly type: string | null;
  readonly span: JsonSpan;
}

export type CacheBreakpointLocation = 'tools' | 'system' | 'messages' | 'top-level';

/** A client `cache_control` marker. */
export interface CacheBreakpoint {
  readonly location: CacheBreakpointLocation;
  /** Path of the object that carries `cache_control` (`[]` for the top-level one). */
  readonly path: JsonPath;
  /** Span of the object carrying the marker. */
  readonly span: JsonObjectSpan;
  /** Span of the `cache_control` value itself. */
  readonly markerSpan: JsonSpan;
  /** `ttl` of the marker (`5m` when absent). */
  readonly ttl: string;
}

export interface ParsedRequest {
  readonly api: WireApi;
  readonly provider: ProviderName;
  readonly raw: Buffer;
  readonly root: JsonObjectSpan;
  readonly model: string | null;
  /** `stream: true` in the body. */
  readonly stream: boolean;
  /** `messages` (Anthropic, OpenAI chat) or `input` (Responses). */
  readonly messagesKey: 'messages' | 'input';
  /** The messages / input array, or null (absent, or Responses `input` given as a string). */
  readonly messagesSpan: JsonArraySpan | null;
  readonly messages: readonly MessageRef[];
  readonly systemSpan: JsonSpan | null;
  readonly toolsSpan: JsonArraySpan | null;
  /** Every compressible segment, protected ones included (check `protected`). */
  readonly segments: readonly Segment[];
  /** The latest user text plus the arguments of the latest tool calls: the relevance query. */
  readonly taskQuery: string;
  /** Client cache breakpoints in document order. */
  readonly cacheBreakpoints: readonly CacheBreakpoint[];
  /**
   * Byte offset up to which conversation content is protected (end of the last breakpoint inside the
   * messages, the end of the messages for a top-level `cache_control`); 0 when there is none.
   */
  readonly protectedUntil: number;
  /** False when the body is not well-formed UTF-8: then no segment is listed (nothing will be touched). */
  readonly wellFormedUtf8: boolean;
}

export interface ProviderAdapter {
  readonly api: WireApi;
  readonly provider: ProviderName;
  /** Parse a request body. Throws `JsonScanError` (bad JSON) or `WireError('WIRE_NOT_AN_OBJECT')`. */
  parseRequest(raw: Buffer): ParsedRequest;
  /** A tap that reads usage/outcome off this API's stream events. */
  createStreamTap(): StreamTap;
  /** Usage/outcome of a non-streamed response body (already JSON-parsed). */
  summarizeResponse(body: unknown): ResponseSummary;
  /** Leeway's own error in this API's shape. */
  errorResponse(code: LeewayErrorCode, message: string): ProviderErrorResponse;
}

/** The edit that replaces a segment's text (JSON-encoded). */
export function segmentEdit(segment: Segment, text: string): ByteEdit {
  return { start: segment.start, end: segment.end, replacement: JSON.stringify(text) };
}
