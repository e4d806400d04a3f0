/**
 * List prices for the replay report, from the shared effective-dated catalogue (`@leeway/contracts`
 * seed prices), and exact costs through its `computeCost` (integer pico-dollars: tokens × micro-dollars
 * per million tokens).
 */
import { computeCost, formatPicoUsd, PriceBook, SEED_MODEL_PRICES, type ModelPrice } from '@leeway/contracts';
import type { Provider } from './plan';

const BOOK = new PriceBook(SEED_MODEL_PRICES);

export interface ReplayPrice {
  /** The catalogue row (its id is the price version). */
  readonly row: ModelPrice;
  /** e.g. `claude-sonnet-4-5* from 2025-09-29`. */
  readonly label: string;
}

/** The list price in force at `at` for a provider's model, or null when the catalogue has none. */
export function findPrice(provider: Provider, model: string, at: Date): ReplayPrice | null {
  const row = BOOK.findPrice(provider, model, at);
  if (!row) return null;
  return { row, label: `${row.modelPattern} from ${row.effectiveFrom.toISOString().slice(0, 10)}` };
}

/** Token counts by class. */
export interface TokenClasses {
  /** Uncached input. */
  readonly input: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  readonly cacheRead: number;
  readonly output: number;
}

export const ZERO_TOKENS: TokenClasses = {
  input: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
  output: 0,
};

export function addTokens(a: TokenClasses, b: TokenClasses): TokenClasses {
  return {
    input: a.input + b.input,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
    output: a.output + b.output,
  };
}

/** Cost in pico-dollars (exact): input classes (uncached + cache writes + cache reads) and output. */
export interface Cost {
  readonly input: bigint;
  readonly output: bigint;
  readonly total: bigint;
}

/** Billed cost of token counts at a price (linear: the sum over requests equals the cost of the sum). */
export function costOf(tokens: TokenClasses, price: ReplayPrice): Cost {
  const breakdown = computeCost(
    {
      usage: {
        inputTokens: tokens.input,
        outputTokens: tokens.output,
        cacheReadTokens: tokens.cacheRead,
        cacheWrite5mTokens: tokens.cacheWrite5m,
        cacheWrite1hTokens: tokens.cacheWrite1h,
        reasoningTokens: null,
        estimated: false,
      },
      compression: { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
      cacheBreakpointsAdded: 0,
    },
    price.row,
  );
  const total = breakdown.billed ?? 0n;
  const output = BigInt(tokens.output) * price.row.output;
  return { input: total - output, output, total };
}

/** Pico-dollars → dollars as a number, for display and JSON (rounded to 1e-9 $). */
export function toUsd(pico: bigint): number {
  return Number(pico / 1000n) / 1e9;
}

/** Pico-dollars → exact decimal dollars (`"1.234567890123"`). */
export function toUsdText(pico: bigint): string {
  return formatPicoUsd(pico);
}
