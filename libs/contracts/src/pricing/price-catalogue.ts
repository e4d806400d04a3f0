/**
 * The effective-dated price catalogue: which list price applies to (provider, model) at an instant.
 *
 * A price row names a provider, a model pattern and the instant it takes effect. Patterns are globs
 * where `*` matches any run of characters, compared case-insensitively. Among the rows that match and
 * are already in effect, the most specific pattern wins (an exact name beats any glob; otherwise the
 * pattern with more literal characters), then the latest `effectiveFrom`. A later row never changes what
 * an earlier instant resolves to, so rows priced in the past stay priced as they were.
 */

/** A list price in integer micro-USD per million tokens per class; null = the model has no such class. */
export interface ModelPrice {
  /** Stable id, stored on every ledger row as the price version used. */
  readonly id: string;
  readonly provider: string;
  readonly modelPattern: string;
  readonly effectiveFrom: Date;
  readonly input: bigint;
  readonly cacheWrite5m: bigint | null;
  readonly cacheWrite1h: bigint | null;
  readonly cacheRead: bigint | null;
  readonly output: bigint;
  /** Distinct reasoning price; null = reasoning tokens are billed as output (the usual case). */
  readonly reasoning: bigint | null;
}

interface CompiledPrice {
  readonly price: ModelPrice;
  readonly provider: string;
  readonly matcher: RegExp;
  readonly specificity: number;
  readonly effectiveFromMs: number;
}

const EXACT_SPECIFICITY = Number.MAX_SAFE_INTEGER;
const MAX_MEMO_ENTRIES = 10_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function compilePattern(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split('*')
    .map((part) => escapeRegExp(part))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** Whether a glob (`claude-sonnet-4-5*`) matches a model name, case-insensitively. */
export function modelPatternMatches(pattern: string, model: string): boolean {
  return compilePattern(pattern).test(model.toLowerCase());
}

/** Exact names rank above any glob; globs rank by their count of literal characters. */
export function patternSpecificity(pattern: string): number {
  return pattern.includes('*') ? pattern.replaceAll('*', '').length : EXACT_SPECIFICITY;
}

/** Immutable, memoised lookup over a set of price rows. */
export class PriceBook {
  private readonly compiled: readonly CompiledPrice[];
  private readonly memo = new Map<string, readonly CompiledPrice[]>();

  constructor(prices: readonly ModelPrice[]) {
    this.compiled = prices.map((price) => ({
      price,
      provider: price.provider.toLowerCase(),
      matcher: compilePattern(price.modelPattern),
      specificity: patternSpecificity(price.modelPattern),
      effectiveFromMs: price.effectiveFrom.getTime(),
    }));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** Every row, in the order given. */
  prices(): readonly ModelPrice[] {
    return this.compiled.map((c) => c.price);
  }

  /** The price in force for the model at `at`, or null when none is known (never a guess). */
  findPrice(provider: string, model: string, at: Date): ModelPrice | null {
    const atMs = at.getTime();
    for (const candidate of this.candidates(provider, model)) {
      if (candidate.effectiveFromMs <= atMs) return candidate.price;
    }
    return null;
  }

  private candidates(provider: string, model: string): readonly CompiledPrice[] {
    const p = provider.toLowerCase();
    const m = model.toLowerCase();
    const key = `${p}\u0000${m}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    const found = this.compiled
      .filter((c) => c.provider === p && c.matcher.test(m))
      .sort((a, b) => b.specificity - a.specificity || b.effectiveFromMs - a.effectiveFromMs);
    if (this.memo.size >= MAX_MEMO_ENTRIES) this.memo.clear();
    this.memo.set(key, found);
    return found;
  }
}
