/** Shared pieces of the provider adapters (internal to `@leeway/wire`). */
import { WireError } from '../errors';
import {
  decodeString,
  findMember,
  isWellFormedUtf8,
  scanJson,
  spanText,
  type JsonArraySpan,
  type JsonObjectSpan,
  type JsonPath,
  type JsonSpan,
  type JsonStringSpan,
} from '../json-scan';
import type { CacheBreakpoint, CacheBreakpointLocation, ProtectionReason, Segment } from './provider-adapter';

export function scanRoot(raw: Buffer): JsonObjectSpan {
  const root = scanJson(raw);
  if (root.kind !== 'object') throw new WireError('WIRE_NOT_AN_OBJECT', 'request body must be a JSON object');
  return root;
}

export function wellFormed(raw: Buffer): boolean {
  return isWellFormedUtf8(raw);
}

export function memberString(raw: Buffer, span: JsonSpan | null | undefined, key: string): string | null {
  const v = findMember(span, key);
  return v?.kind === 'string' ? decodeString(raw, v) : null;
}

export function memberArray(span: JsonSpan | null | undefined, key: string): JsonArraySpan | null {
  const v = findMember(span, key);
  return v?.kind === 'array' ? v : null;
}

export function memberTrue(span: JsonSpan | null | undefined, key: string): boolean {
  return findMember(span, key)?.kind === 'true';
}

/** Text of a call's arguments: a string's content, an object's source text, null when null/absent. */
export function argumentsText(raw: Buffer, span: JsonSpan | null): string | null {
  if (span === null || span.kind === 'null') return null;
  if (span.kind === 'string') return decodeString(raw, span);
  return spanText(raw, span);
}

/** A `cache_control` member that is set (not null): its value span, or null. */
export function cacheControlOf(span: JsonSpan | null | undefined): JsonSpan | null {
  const v = findMember(span, 'cache_control');
  return v && v.kind !== 'null' ? v : null;
}

export function breakpointAt(
  raw: Buffer,
  location: CacheBreakpointLocation,
  path: JsonPath,
  span: JsonSpan,
): CacheBreakpoint | null {
  if (span.kind !== 'object') return null;
  const marker = cacheControlOf(span);
  if (!marker) return null;
  return { location, path, span, markerSpan: marker, ttl: memberString(raw, marker, 'ttl') ?? '5m' };
}

/** Mutable segment draft; `finishSegments` numbers them and applies protection. */
export interface SegmentDraft {
  messageIndex: number;
  path: JsonPath;
  span: JsonStringSpan;
  text: string;
  toolName: string | null;
  toolCallId: string | null;
  toolInput: string | null;
  isError: boolean;
  ownCacheControl: boolean;
}

export function finishSegments(drafts: readonly SegmentDraft[], protectedUntil: number): Segment[] {
  return drafts.map((d, ordinal) => {
    const reason: ProtectionReason | null = d.ownCacheControl
      ? 'cache-control'
      : d.span.start < protectedUntil
        ? 'before-cache-breakpoint'
        : null;
    return {
      ordinal,
      messageIndex: d.messageIndex,
      path: d.path,
      span: d.span,
      start: d.span.start,
      end: d.span.end,
      text: d.text,
      toolName: d.toolName,
      toolCallId: d.toolCallId,
      toolInput: d.toolInput,
      isError: d.isError,
      protected: reason !== null,
      protectedReason: reason,
    };
  });
}

/** Protection boundary: the end of the last breakpoint inside the conversation (top-level → whole). */
export function protectedUntilOf(breakpoints: readonly CacheBreakpoint[], messages: JsonArraySpan | null): number {
  let until = 0;
  for (const bp of breakpoints) {
    if (bp.location === 'messages') until = Math.max(until, bp.span.end);
    if (bp.location === 'top-level' && messages) until = Math.max(until, messages.end);
  }
  return until;
}

/** Joins query parts, dropping empty ones. */
export function joinQuery(parts: readonly (string | null)[]): string {
  return parts.filter((p): p is string => p !== null && p.trim().length > 0).join('\n');
}
