/**
 * The check run once on the FINAL outgoing Anthropic body (client markers + Leeway's): what the API
 * would reject, or what silently caches nothing.
 *
 * - at most 4 `cache_control` markers, counting tools, system, message content blocks (and parts inside
 *   a tool_result's content list) and a top-level (automatic caching) one;
 * - TTLs never increase along tools → system → messages (→ the top-level one, which applies to the last
 *   block): a marker without `ttl` is 5 minutes, and a `1h` marker may not follow a 5-minute one;
 * - no marker on an empty block (empty text, empty tool_result) or on a thinking / redacted_thinking block.
 *
 * When the check fails on a body Leeway changed, the proxy drops Leeway's cache edits (forwards the body
 * without them) — the client's own markers are never altered.
 */
import { scanJson, type JsonPath } from '../json-scan';
import { applyEdits, removeMemberEdits, type ByteEdit } from '../splice';
import { WireError } from '../errors';
import { anthropicPromptLayout, type ExistingMarker } from './prompt-blocks';
import { ANTHROPIC_MAX_CACHE_MARKERS } from './anthropic-cache-plan';

export type CacheMarkerProblemCode =
  | 'CACHE_TOO_MANY_MARKERS'
  | 'CACHE_TTL_ORDER'
  | 'CACHE_EMPTY_BLOCK'
  | 'CACHE_THINKING_BLOCK'
  | 'CACHE_BAD_BODY';

export interface CacheMarkerProblem {
  readonly code: CacheMarkerProblemCode;
  /** Path of the offending marker's holder (`[]` for the body / the top-level marker). */
  readonly path: JsonPath;
  readonly message: string;
}

export interface CacheMarkerReport {
  readonly ok: boolean;
  /** Markers counted (top-level included). */
  readonly markers: number;
  /** Their TTLs in prefix order. */
  readonly ttls: readonly ('5m' | '1h')[];
  readonly problems: readonly CacheMarkerProblem[];
}

/** Validates the `cache_control` markers of a final Anthropic Messages body. Never throws. */
export function checkCacheMarkers(raw: Buffer): CacheMarkerReport {
  let root;
  try {
    root = scanJson(raw);
  } catch (error) {
    const message = error instanceof WireError ? error.message : 'unreadable body';
    return { ok: false, markers: 0, ttls: [], problems: [{ code: 'CACHE_BAD_BODY', path: [], message }] };
  }
  if (root.kind !== 'object') {
    return { ok: false, markers: 0, ttls: [], problems: [{ code: 'CACHE_BAD_BODY', path: [], message: 'body is not a JSON object' }] };
  }
  const layout = anthropicPromptLayout(raw, root);
  const problems: CacheMarkerProblem[] = [];
  const ordered: ExistingMarker[] = [];
  for (const block of layout.blocks) {
    for (const marker of block.markers) {
      ordered.push(marker);
      if (marker.holderType === 'thinking' || marker.holderType === 'redacted_thinking') {
        problems.push({ code: 'CACHE_THINKING_BLOCK', path: marker.path, message: `cache_control on a ${marker.holderType} block` });
      } else if (marker.holderEmpty) {
        problems.push({ code: 'CACHE_EMPTY_BLOCK', path: marker.path, message: `cache_control on an empty ${marker.holderType ?? ''} block` });
      }
    }
  }
  if (layout.automatic) ordered.push(layout.automatic);
  if (ordered.length > ANTHROPIC_MAX_CACHE_MARKERS) {
    problems.push({
      code: 'CACHE_TOO_MANY_MARKERS',
      path: [],
      message: `${ordered.length} cache_control markers; at most ${ANTHROPIC_MAX_CACHE_MARKERS} are allowed`,
    });
  }
  let first5m: ExistingMarker | null = null;
  for (const marker of ordered) {
    if (marker.ttl === '5m') first5m ??= marker;
    else if (first5m !== null) {
      problems.push({
        code: 'CACHE_TTL_ORDER',
        path: marker.path,
        message: `a 1h cache_control marker follows a 5m marker at ${first5m.path.join('.') || 'top level'}`,
      });
    }
  }
  return { ok: problems.length === 0, markers: ordered.length, ttls: ordered.map((m) => m.ttl), problems };
}

/**
 * The body with every `cache_control` member removed (tools, system, message blocks, tool_result parts,
 * top level), all other bytes unchanged. Markers are not part of what the provider caches, so two bodies
 * equal after this are the same prompt: use it to compare forwarded bodies across turns (prefix stability)
 * independently of where breakpoints sit. A body that does not scan is returned as is.
 */
export function stripCacheControl(raw: Buffer): Buffer {
  let root;
  try {
    root = scanJson(raw);
  } catch {
    return raw;
  }
  if (root.kind !== 'object') return raw;
  const layout = anthropicPromptLayout(raw, root);
  const edits: ByteEdit[] = [];
  for (const marker of layout.markers) edits.push(...removeMemberEdits(marker.holder, 'cache_control'));
  return applyEdits(raw, edits);
}
