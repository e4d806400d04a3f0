/**
 * Simulated provider prompt caches, modelled on the providers' documentation. Time comes from a
 * `FakeClock`, so TTL behaviour is tested by advancing it.
 *
 * Anthropic (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching):
 * - The prompt is a sequence of blocks in prefix order tools → system → messages. Only blocks carrying
 *   `cache_control` are breakpoints (at most 4; a top-level `cache_control` = automatic caching, a
 *   breakpoint on the last block). Each breakpoint caches the prefix that ends with its block.
 * - A prefix is cached only if it reaches the model's minimum (1024 tokens Sonnet/Opus, 2048 Haiku).
 * - Lookup: for each breakpoint the cache is checked at the breakpoint and at up to 20 block boundaries
 *   before it; the longest prefix found is read (`cache_read_input_tokens`) and its TTL refreshed.
 * - Every breakpoint beyond the read point that reaches the minimum writes an entry (5 minutes, or one hour
 *   for `ttl: "1h"`). Accounting, per the docs' mixed-TTL rule: A = tokens read, B = tokens at the last
 *   written 1h breakpoint, C = tokens at the last written breakpoint: 1h writes = B − A, 5m writes = C − max(A, B).
 *   `input_tokens` is everything else.
 * - Identity: a rolling hash over (scope, model, canonical block content); `cache_control` markers are not
 *   part of the content.
 *
 * OpenAI (https://platform.openai.com/docs/guides/prompt-caching):
 * - Automatic for prompts of ≥ 1024 tokens: the longest previously seen prefix is reused in 128-token
 *   steps (1024, 1152, 1280, …): `prompt_tokens_details.cached_tokens`.
 * - Entries live 5 minutes after their last use (24 hours with `prompt_cache_retention: "24h"`).
 * - Scope: API key + model + `prompt_cache_key` (different keys never share a cache here — stricter than
 *   OpenAI's routing hint, on purpose, so tests can rely on it).
 */
import { createHash } from 'node:crypto';
import type { FakeClock } from './clock';

export const ANTHROPIC_MAX_BREAKPOINTS = 4;
export const ANTHROPIC_LOOKBACK_BLOCKS = 20;
export const ANTHROPIC_TTL_MS: Readonly<Record<'5m' | '1h', number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

export const OPENAI_MIN_CACHE_TOKENS = 1024;
export const OPENAI_CACHE_STEP_TOKENS = 128;
export const OPENAI_TTL_MS = 5 * 60_000;
export const OPENAI_EXTENDED_TTL_MS = 24 * 60 * 60_000;

/** Minimum cacheable prompt length for a Claude model. */
export function anthropicMinCacheTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

/** One block of an Anthropic prompt, in prefix order. */
export interface AnthropicPromptBlock {
  /** Canonical content (what identifies the block for caching). */
  readonly key: string;
  readonly tokens: number;
  /** The block's breakpoint TTL, or null when it carries no `cache_control`. */
  readonly breakpoint: '5m' | '1h' | null;
}

export interface AnthropicCacheUsage {
  readonly inputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWrite5mTokens: number;
  readonly cacheWrite1hTokens: number;
  readonly totalTokens: number;
}

interface Entry {
  expiresAt: number;
  readonly ttlMs: number;
}

function rollingHashes(seed: string, keys: readonly string[]): string[] {
  const out: string[] = [];
  let h = createHash('sha256').update(seed).digest('hex');
  for (const k of keys) {
    h = createHash('sha256').update(h).update('\u0000').update(k).digest('hex');
    out.push(h);
  }
  return out;
}

export class AnthropicPromptCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly clock: FakeClock) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  private valid(hash: string): Entry | null {
    const e = this.entries.get(hash);
    if (!e) return null;
    if (e.expiresAt <= this.clock.now()) {
      this.entries.delete(hash);
      return null;
    }
    return e;
  }

  /** Accounts one request and updates the cache. `scope` isolates organisations (API keys). */
  process(scope: string, model: string, blocks: readonly AnthropicPromptBlock[]): AnthropicCacheUsage {
    const now = this.clock.now();
    const cum: number[] = [];
    let total = 0;
    for (const b of blocks) {
      total += b.tokens;
      cum.push(total);
    }
    const breakpoints: number[] = [];
    blocks.forEach((b, i) => {
      if (b.breakpoint !== null) breakpoints.push(i);
    });
    if (breakpoints.length === 0) {
      return { inputTokens: total, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, totalTokens: total };
    }
    const hashes = rollingHashes(`anthropic\u0000${scope}\u0000${model}`, blocks.map((b) => b.key));

    // Read: the longest cached prefix at a breakpoint or within the look-back window before one.
    let readAt = -1;
    for (const p of breakpoints) {
      for (let k = p; k >= 0 && k >= p - ANTHROPIC_LOOKBACK_BLOCKS; k--) {
        if (k <= readAt) break;
        if (this.valid(hashes[k]!)) {
          readAt = k;
          break;
        }
      }
    }
    if (readAt >= 0) {
      const e = this.entries.get(hashes[readAt]!)!;
      e.expiresAt = now + e.ttlMs;
    }
    const read = readAt >= 0 ? cum[readAt]! : 0;

    // Write: every breakpoint beyond the read point whose prefix reaches the model minimum.
    const min = anthropicMinCacheTokens(model);
    let lastWritten = -1;
    let last1h = -1;
    for (const p of breakpoints) {
      if (p <= readAt || cum[p]! < min) continue;
      const ttl = blocks[p]!.breakpoint!;
      this.entries.set(hashes[p]!, { expiresAt: now + ANTHROPIC_TTL_MS[ttl], ttlMs: ANTHROPIC_TTL_MS[ttl] });
      lastWritten = p;
      if (ttl === '1h') last1h = p;
    }
    const c = lastWritten >= 0 ? cum[lastWritten]! : read;
    const b = last1h >= 0 ? cum[last1h]! : read;
    const write1h = Math.max(0, b - read);
    const write5m = Math.max(0, c - Math.max(read, b));
    return {
      inputTokens: total - read - write1h - write5m,
      cacheReadTokens: read,
      cacheWrite5mTokens: write5m,
      cacheWrite1hTokens: write1h,
      totalTokens: total,
    };
  }
}

export class OpenAiPromptCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly clock: FakeClock) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  /** Accounts one prompt (its tokens in order) and returns `cached_tokens`. */
  process(scope: string, tokens: ArrayLike<number>, ttlMs: number = OPENAI_TTL_MS): number {
    const now = this.clock.now();
    const steps = Math.floor(tokens.length / OPENAI_CACHE_STEP_TOKENS);
    const minSteps = OPENAI_MIN_CACHE_TOKENS / OPENAI_CACHE_STEP_TOKENS;
    if (steps < minSteps) return 0;
    let h = createHash('sha256').update(`openai\u0000${scope}`).digest('hex');
    const boundaryHashes: string[] = [];
    const chunk = new Uint32Array(OPENAI_CACHE_STEP_TOKENS);
    for (let s = 0; s < steps; s++) {
      for (let i = 0; i < OPENAI_CACHE_STEP_TOKENS; i++) chunk[i] = tokens[s * OPENAI_CACHE_STEP_TOKENS + i]!;
      h = createHash('sha256').update(h).update(chunk).digest('hex');
      boundaryHashes.push(h);
    }
    let cached = 0;
    for (let s = steps; s >= minSteps; s--) {
      const hash = boundaryHashes[s - 1]!;
      const e = this.entries.get(hash);
      if (e && e.expiresAt > now) {
        cached = s * OPENAI_CACHE_STEP_TOKENS;
        break;
      }
    }
    for (let s = minSteps; s <= steps; s++) {
      const hash = boundaryHashes[s - 1]!;
      const prev = this.entries.get(hash);
      const ttl = Math.max(ttlMs, prev && prev.expiresAt > now ? prev.ttlMs : 0);
      this.entries.set(hash, { expiresAt: now + ttl, ttlMs: ttl });
    }
    return cached;
  }
}
