import { createHash } from 'node:crypto';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import type { TokenCounter } from './types';

/**
 * Encodings Leeway counts exactly. `claude-estimate` is NOT exact: Anthropic publishes no tokenizer for
 * current Claude models, so it is the cl100k_base count × 1.15, rounded up — close to what
 * `count_tokens` reports for English prose and code, and labelled an estimate wherever it is stored.
 * gpt-tokenizer was chosen over js-tiktoken by `bench/tokenizers.ts` (identical counts, 5–6× faster).
 */
export type EncodingName = 'o200k_base' | 'cl100k_base' | 'claude-estimate';

export const CLAUDE_ESTIMATE_FACTOR = 1.15;

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

/** Runs of non-space characters at least this long are counted in pieces (see {@link guardLongRuns}). */
export const LONG_RUN_CHARS = 512;
const RUN_PIECE_CHARS = 256;

/**
 * Byte-pair merging is quadratic in the length of one pre-token, and a pre-token can be a whole
 * `[[[[…` or minified base64 line: 100 k characters took ~30 s. Runs of {@link LONG_RUN_CHARS}+
 * non-space characters are therefore counted in {@link RUN_PIECE_CHARS}-character pieces. Counts stay
 * exact for everything else; inside such runs they may differ by about one token per piece.
 */
function guardLongRuns(count: (text: string) => number): (text: string) => number {
  return (text) => {
    if (text.length < LONG_RUN_CHARS) return count(text);
    let total = 0;
    let from = 0; // start of the text not yet counted
    let runStart = 0; // start of the current non-space run
    const flushRun = (end: number): void => {
      if (end - runStart < LONG_RUN_CHARS) return;
      if (runStart > from) total += count(text.slice(from, runStart));
      for (let i = runStart; i < end; i += RUN_PIECE_CHARS) total += count(text.slice(i, Math.min(i + RUN_PIECE_CHARS, end)));
      from = end;
    };
    for (let i = 0; i < text.length; i++) {
      if (isSpace(text.charCodeAt(i))) {
        flushRun(i);
        runStart = i + 1;
      }
    }
    flushRun(text.length);
    if (from === 0) return count(text);
    if (from < text.length) total += count(text.slice(from));
    return total;
  };
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff;
}

const o200k = guardLongRuns((text) => countO200k(text, NO_SPECIAL));
const cl100k = guardLongRuns((text) => countCl100k(text, NO_SPECIAL));

const rawCounters: Record<EncodingName, TokenCounter> = {
  o200k_base: o200k,
  cl100k_base: cl100k,
  'claude-estimate': (text) => Math.ceil(cl100k(text) * CLAUDE_ESTIMATE_FACTOR),
};

/** Whether counts of this encoding are exact (false for the Claude estimate). */
export function isExactEncoding(encoding: EncodingName): boolean {
  return encoding !== 'claude-estimate';
}

/** The encoding to count a model's tokens with. */
export function encodingForModel(model: string): EncodingName {
  const m = model.toLowerCase();
  if (m.startsWith('claude') || m.includes('anthropic')) return 'claude-estimate';
  if (/^(gpt-3\.5|gpt-4(?!o|\.1|\.5)|text-embedding-3|text-embedding-ada)/.test(m)) return 'cl100k_base';
  return 'o200k_base';
}

const SHORT_KEY_CHARS = 128;

/** A small LRU of counts keyed by content hash (short texts by themselves). */
class CountCache {
  private readonly map = new Map<string, number>();
  constructor(private readonly capacity: number) {}
  get(key: string): number | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: number): void {
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(key, value);
  }
}

function contentKey(text: string): string {
  return text.length <= SHORT_KEY_CHARS ? `s:${text}` : `h:${createHash('sha1').update(text).digest('base64')}`;
}

const counters = new Map<EncodingName, TokenCounter>();

/** A counting function for an encoding, cached by content hash. */
export function tokenCounter(encoding: EncodingName = 'o200k_base', cacheSize = 4096): TokenCounter {
  const existing = cacheSize === 4096 ? counters.get(encoding) : undefined;
  if (existing) return existing;
  const raw = rawCounters[encoding];
  const cache = new CountCache(cacheSize);
  const counter: TokenCounter = (text) => {
    if (text.length === 0) return 0;
    const key = contentKey(text);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const n = raw(text);
    cache.set(key, n);
    return n;
  };
  if (cacheSize === 4096) counters.set(encoding, counter);
  return counter;
}

/** Count tokens exactly with an encoding (uncached). */
export function countTokens(text: string, encoding: EncodingName = 'o200k_base'): number {
  return rawCounters[encoding](text);
}

/** A cheap, deterministic approximation (≈ 4 characters a token) for measurements that exclude tokenising. */
export const approximateTokens: TokenCounter = (text) => Math.ceil(text.length / 4);
