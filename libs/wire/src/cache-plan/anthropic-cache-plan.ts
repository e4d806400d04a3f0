/**
 * Anthropic prompt-cache breakpoint planner (DESIGN.md lifecycle step 8).
 *
 * The prompt is a sequence of blocks in prefix order tools → system → messages (`prompt-blocks.ts`). A
 * `cache_control` marker on a block caches the prefix ending there, if that prefix reaches the model's
 * minimum (1024 tokens Sonnet/Opus, 2048 Haiku); a lookup checks each breakpoint and the 20 block
 * boundaries before it. At most 4 markers per request.
 *
 * Naive client (no marker anywhere) — up to four, in this priority:
 * 1. `newest`: the last markable block of the newest user/tool turn (after the last assistant message):
 *    written now, read by the next turn.
 * 2. The look-back chain. W = where the previous turn's `newest` breakpoint was (recomputed from the
 *    request itself: the `newest` rule applied to the messages before the last assistant message). When
 *    no breakpoint lies in [W, W + 20], this turn could not read what the previous one wrote, so one is
 *    placed at the latest markable block in that window: the end of the last assistant message when it is
 *    within reach (`last-stable`), else an earlier block (`look-back`).
 * 3. `system`: the end of the system prompt (a string `system` is wrapped, text bytes unchanged, in one
 *    text block — deterministic, so every turn sends the same bytes).
 * 4. `tools`: the last tool definition.
 * A breakpoint whose prefix is below the minimum is not placed (it would cache nothing).
 *
 * Why `last-stable` is not placed every turn (unless `markLastStable`): a marker on the last assistant
 * message at turn N is gone at turn N+1 (that message is no longer the last stable one), so turn N+1's
 * body would not extend turn N's byte for byte inside the already-sent prefix (I2), and it buys no read
 * the `newest` breakpoint does not already give. With the default, Leeway's markers in earlier messages
 * only appear when the look-back needs them; `tools`/`system` markers are identical every turn and the
 * `newest` marker sits in the newest turn.
 *
 * Client markers are never moved or removed. A top-level `cache_control` (automatic caching) is the
 * client's choice: nothing is added. With 1–3 client markers Leeway adds only where it pays and never
 * exceeds 4 in total: `newest` when no client marker sits in the newest turn, and the look-back chain
 * when the previous turn's write would otherwise be out of reach; `system`/`tools` are left to the client.
 *
 * TTL: the request's own tier. With no client marker, 5 minutes (`{"type":"ephemeral"}`). With client
 * markers: `1h` when every client marker is 1h, or when a client 1h marker follows the position (1h must
 * precede 5m); otherwise 5m. Leeway never introduces `1h` on its own.
 *
 * Never on a thinking / redacted_thinking block, an empty text block or an empty tool_result, or a string
 * message `content` (wrapping it would change that message's bytes in one turn but not the next).
 *
 * Order in the proxy: compression edits and the retrieve tool first, re-parse, then plan on those bytes,
 * then `checkCacheMarkers` on the final body (drop Leeway's cache edits if it fails).
 */
import { encodingForModel, tokenCounter } from '@leeway/compression';
import { spanText, type JsonObjectSpan, type JsonPath } from '../json-scan';
import type { ParsedRequest } from '../providers/provider-adapter';
import { replaceValueEdit, setMemberEdit, type ByteEdit } from '../splice';
import { anthropicPromptLayout, PrefixTokenMeter, type AnthropicPromptLayout, type PromptBlock, type TokenCount } from './prompt-blocks';

export type CacheTtl = '5m' | '1h';

export const ANTHROPIC_MAX_CACHE_MARKERS = 4;
export const ANTHROPIC_LOOKBACK_BLOCKS = 20;

export type BreakpointReason = 'newest' | 'last-stable' | 'look-back' | 'system' | 'tools';

export interface PlannedBreakpoint {
  readonly reason: BreakpointReason;
  /** Block position in prefix order. */
  readonly ordinal: number;
  /** Path of the block that gets the marker. */
  readonly path: JsonPath;
  readonly ttl: CacheTtl;
}

/** Why nothing was planned. */
export type CachePlanSkip =
  | 'disabled'
  | 'not-anthropic'
  | 'client-automatic'
  | 'client-full'
  | 'client-ttl-order'
  | 'below-minimum'
  | 'nothing-to-mark';

export interface CachePlan {
  /** Byte edits adding Leeway's markers (empty when nothing is planned). */
  readonly edits: ByteEdit[];
  readonly breakpoints: readonly PlannedBreakpoint[];
  /** Client markers found (top-level included). */
  readonly clientMarkers: number;
  readonly skipped: CachePlanSkip | null;
}

export interface AnthropicCachePlanOptions {
  /** Policy switch (default true). */
  readonly enabled?: boolean;
  /** Override the model's minimum cacheable prefix (tokens). */
  readonly minTokens?: number;
  /** Token counter (default: `tokenCounter(encodingForModel(model))`). */
  readonly countTokens?: TokenCount;
  /**
   * Also mark the last assistant message every turn, not only when the look-back needs it (default
   * false: that marker moves every turn inside already-sent bytes, see the header).
   */
  readonly markLastStable?: boolean;
  /**
   * I2 (the proxy sets it): Leeway's markers in the messages only ever go into the newest turn (after the
   * last assistant message), never into bytes an earlier turn already sent — a marker there would not be
   * placed again on the next turn, so the already-sent prefix would change. The look-back chain then
   * picks its block inside the newest turn (still within 20 blocks of the previous write), or nothing.
   * `tools` / `system` markers are the same on every turn and stay allowed. Default false.
   */
  readonly newestTurnOnly?: boolean;
}

/** Minimum cacheable prompt length for a Claude model (Anthropic docs: 2048 Haiku, 1024 Sonnet/Opus). */
export function anthropicMinCacheTokens(model: string | null): number {
  return model !== null && /haiku/i.test(model) ? 2048 : 1024;
}

/** The marker JSON Leeway writes for a TTL. */
export function cacheControlJson(ttl: CacheTtl): string {
  return ttl === '1h' ? '{"type":"ephemeral","ttl":"1h"}' : '{"type":"ephemeral"}';
}

function skip(reason: CachePlanSkip, clientMarkers: number): CachePlan {
  return { edits: [], breakpoints: [], clientMarkers, skipped: reason };
}

/**
 * The last markable message block with ordinal in [from, to) — unmarked ones only, or (for locating the
 * previous turn's write) any block that is markable or already carries a client marker.
 */
function lastEligibleMessageBlock(layout: AnthropicPromptLayout, from: number, to: number, unmarkedOnly = true): PromptBlock | null {
  for (let o = Math.min(to, layout.blocks.length) - 1; o >= Math.max(0, from); o--) {
    const b = layout.blocks[o]!;
    if (b.location !== 'messages' || (unmarkedOnly && b.markers.length > 0)) continue;
    if (b.eligible || b.markers.length > 0) return b;
  }
  return null;
}

function lastAssistantBefore(parsed: ParsedRequest, end: number): number {
  for (let i = end; i >= 0; i--) if (parsed.messages[i]?.role === 'assistant') return i;
  return -1;
}

/** Ordinal of the block carrying each client marker (inner tool_result markers count for their block). */
function clientMarkerOrdinals(layout: AnthropicPromptLayout): { ordinal: number; ttl: CacheTtl }[] {
  const out: { ordinal: number; ttl: CacheTtl }[] = [];
  for (const b of layout.blocks) for (const m of b.markers) out.push({ ordinal: b.ordinal, ttl: m.ttl });
  return out;
}

/**
 * Plans Leeway's `cache_control` breakpoints for an Anthropic Messages body. `raw` must be the body as it
 * will be forwarded (after compression and the retrieve tool were spliced in) and `parsed` its parse.
 */
export function planAnthropicCache(raw: Buffer, parsed: ParsedRequest, options: AnthropicCachePlanOptions = {}): CachePlan {
  if (parsed.api !== 'anthropic-messages') return skip('not-anthropic', 0);
  const layout = anthropicPromptLayout(raw, parsed.root);
  const clientCount = layout.markers.length;
  if (options.enabled === false) return skip('disabled', clientCount);
  if (layout.automatic) return skip('client-automatic', clientCount);
  if (clientCount >= ANTHROPIC_MAX_CACHE_MARKERS) return skip('client-full', clientCount);

  const client = clientMarkerOrdinals(layout);
  // A request whose client markers already break the 1h-before-5m rule gets nothing added.
  let seen5m = false;
  for (const m of client) {
    if (m.ttl === '5m') seen5m = true;
    else if (seen5m) return skip('client-ttl-order', clientCount);
  }

  const min = options.minTokens ?? anthropicMinCacheTokens(parsed.model);
  const count = options.countTokens ?? tokenCounter(encodingForModel(parsed.model ?? 'claude'));
  const reach = new PrefixTokenMeter(raw, layout, count).firstReaching(min);
  if (reach === null) return skip('below-minimum', clientCount);
  const cacheable = (b: PromptBlock | null): b is PromptBlock => b !== null && b.ordinal >= reach;

  const blocks = layout.blocks;
  const messageCount = layout.messageStart.length;
  // The newest turn: the messages after the last assistant message (an assistant prefill at the very end
  // belongs to the turn being generated, not to the stable history).
  let end = messageCount - 1;
  if (end >= 0 && parsed.messages[end]?.role === 'assistant') end--;
  const lastA = lastAssistantBefore(parsed, end);
  const firstMessageOrdinal = messageCount > 0 ? layout.messageStart[0]! : blocks.length;
  const newestStart = lastA + 1 <= end ? layout.messageStart[lastA + 1]! : blocks.length;
  const newestEnd = end >= 0 ? layout.messageEnd[end]! : firstMessageOrdinal;
  const newest = newestStart < newestEnd ? lastEligibleMessageBlock(layout, newestStart, newestEnd) : null;

  // Where the previous turn's `newest` breakpoint was: the same rule on the messages before lastA.
  let previousWrite: PromptBlock | null = null;
  if (lastA > 0) {
    const prevA = lastAssistantBefore(parsed, lastA - 1);
    const from = layout.messageStart[prevA + 1] ?? blocks.length;
    const candidate = lastEligibleMessageBlock(layout, from, layout.messageEnd[lastA - 1]!, false);
    if (cacheable(candidate)) previousWrite = candidate;
  }
  const stable = lastA >= 0 ? lastEligibleMessageBlock(layout, firstMessageOrdinal, layout.messageEnd[lastA]!) : null;

  const clientInMessages = client.filter((m) => blocks[m.ordinal]!.location === 'messages');
  const clientInNewest = clientInMessages.some((m) => m.ordinal >= newestStart);
  const chosen: { reason: BreakpointReason; block: PromptBlock }[] = [];
  const budget = ANTHROPIC_MAX_CACHE_MARKERS - clientCount;
  const take = (reason: BreakpointReason, block: PromptBlock | null): void => {
    if (chosen.length >= budget || !cacheable(block)) return;
    if (options.newestTurnOnly === true && block.location === 'messages' && block.ordinal < newestStart) return;
    if (block.markers.length > 0 || chosen.some((c) => c.block.ordinal === block.ordinal)) return;
    chosen.push({ reason, block });
  };

  if (!clientInNewest) take('newest', newest);

  const lookback = ANTHROPIC_LOOKBACK_BLOCKS;
  const W = previousWrite?.ordinal ?? null;
  const chainSatisfied = (): boolean => {
    if (W === null) return true;
    const all = [...client.map((m) => m.ordinal), ...chosen.map((c) => c.block.ordinal)];
    return all.some((o) => o >= W && o <= W + lookback);
  };
  const inReach = (b: PromptBlock | null): boolean => b !== null && (W === null || (b.ordinal >= W && b.ordinal - W <= lookback));
  if (options.markLastStable === true && clientInMessages.length === 0 && inReach(stable)) take('last-stable', stable);
  if (!chainSatisfied() && W !== null) {
    const from = options.newestTurnOnly === true ? Math.max(W, newestStart) : W;
    const reach = lastEligibleMessageBlock(layout, from, W + lookback + 1);
    take(reach !== null && reach.ordinal === stable?.ordinal ? 'last-stable' : 'look-back', reach);
  }

  if (clientCount === 0) {
    let system: PromptBlock | null = null;
    let tool: PromptBlock | null = null;
    for (const b of blocks) {
      if (b.location === 'system' && b.eligible) system = b;
      if (b.location === 'tools' && b.eligible) tool = b;
    }
    take('system', system);
    take('tools', tool);
  }
  if (chosen.length === 0) return skip('nothing-to-mark', clientCount);

  const allClientOneHour = client.length > 0 && client.every((m) => m.ttl === '1h');
  const ttlAt = (ordinal: number): CacheTtl =>
    allClientOneHour || client.some((m) => m.ttl === '1h' && m.ordinal >= ordinal) ? '1h' : '5m';

  const breakpoints: PlannedBreakpoint[] = chosen
    .map((c) => ({ reason: c.reason, ordinal: c.block.ordinal, path: c.block.path, ttl: ttlAt(c.block.ordinal) }))
    .sort((a, b) => a.ordinal - b.ordinal);
  const edits = breakpoints.map((bp) => markerEdit(raw, blocks[bp.ordinal]!, bp.ttl));
  return { edits, breakpoints, clientMarkers: clientCount, skipped: null };
}

function markerEdit(raw: Buffer, block: PromptBlock, ttl: CacheTtl): ByteEdit {
  const cc = cacheControlJson(ttl);
  if (block.span.kind === 'string') {
    // A string `system`: wrap it in one text block, the string's bytes kept verbatim.
    return replaceValueEdit(block.span, `[{"type":"text","text":${spanText(raw, block.span)},"cache_control":${cc}}]`);
  }
  return setMemberEdit(block.span as JsonObjectSpan, 'cache_control', cc);
}
