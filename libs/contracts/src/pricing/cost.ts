/**
 * Cost and savings of one request, from normalised provider usage and the price in force. Pure and
 * exact: integer pico-USD (tokens × micro-USD per million tokens), no floats, no rounding.
 * The formulas are documented in libs/contracts/README.md ("Pricing and savings").
 */
import type { ModelPrice } from './price-catalogue';

/** The normalised usage classes (see libs/wire `NormalizedUsage`); null = unknown. */
export interface UsageClasses {
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWrite5mTokens: number | null;
  readonly cacheWrite1hTokens: number | null;
  readonly reasoningTokens: number | null;
  readonly estimated: boolean;
}

export interface CompressionTokens {
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly replayedTokensBefore: number;
  readonly replayedTokensAfter: number;
}

export interface CostInput {
  readonly usage: UsageClasses;
  readonly compression: CompressionTokens;
  /** Anthropic cache breakpoints Leeway added: when > 0, caching effects are attributed to Leeway. */
  readonly cacheBreakpointsAdded: number;
}

export type CostFlag =
  /** No catalogue price for the model at that instant: every money figure is unknown. */
  | 'unpriced_model'
  /** A usage class the price needs is unknown: billed cost is unknown (billedKnown is a lower bound). */
  | 'usage_incomplete'
  /** Usage was estimated by Leeway, not reported by the provider. */
  | 'usage_estimated'
  /** Cache-read savings and cache-write premium are included in the total (Leeway placed breakpoints). */
  | 'cache_attributed';

/** Money in pico-USD (1e-12 USD). null = unknown, never 0. */
export interface CostBreakdown {
  readonly priceId: string | null;
  readonly billed: bigint | null;
  /** Sum over the classes whose usage is known; equals `billed` when usage is complete. */
  readonly billedKnown: bigint | null;
  /** What the request would have cost without compression, caching behaving the same. */
  readonly counterfactual: bigint | null;
  /** counterfactual − billed: removed tokens priced at the class they would have been billed in. */
  readonly savingsCompression: bigint | null;
  /** cacheRead × (input − cacheRead price): what cache hits saved against uncached input. */
  readonly savingsCacheRead: bigint | null;
  /** Σ cacheWrite × (write price − input price): the extra paid to write caches (a cost, ≥ 0). */
  readonly cacheWritePremium: bigint | null;
  /** compression, plus cacheRead − premium when the caching is attributed to Leeway. */
  readonly savingsTotal: bigint | null;
  readonly flags: readonly CostFlag[];
}

function tokens(value: number | null): bigint | null {
  return value === null ? null : BigInt(value);
}

function sumKnown(values: readonly (bigint | null)[]): { sum: bigint | null; complete: boolean } {
  let sum: bigint | null = null;
  let complete = true;
  for (const v of values) {
    if (v === null) complete = false;
    else sum = (sum ?? 0n) + v;
  }
  return { sum, complete };
}

/**
 * A class the catalogue has no own price for does not exist for the model: an unknown count there is
 * zero, a reported count is billed at the fallback rate. A priced class with an unknown count is unknown.
 */
function classTokens(usage: number | null, ownPrice: bigint | null): bigint | null {
  if (usage === null) return ownPrice === null ? 0n : null;
  return BigInt(usage);
}

function unpriced(usage: UsageClasses): CostBreakdown {
  return {
    priceId: null,
    billed: null,
    billedKnown: null,
    counterfactual: null,
    savingsCompression: null,
    savingsCacheRead: null,
    cacheWritePremium: null,
    savingsTotal: null,
    flags: usage.estimated ? ['unpriced_model', 'usage_estimated'] : ['unpriced_model'],
  };
}

/** Price one request. `price` null (unknown model) → every money figure null, flagged. */
export function computeCost(input: CostInput, price: ModelPrice | null): CostBreakdown {
  const { usage, compression } = input;
  if (price === null) return unpriced(usage);
  const flags: CostFlag[] = [];

  const rateInput = price.input;
  const rateRead = price.cacheRead ?? rateInput;
  const rateWrite5m = price.cacheWrite5m ?? rateInput;
  const rateWrite1h = price.cacheWrite1h ?? rateInput;
  const rateOutput = price.output;

  const inputTokens = tokens(usage.inputTokens);
  const outputTokens = tokens(usage.outputTokens);
  const cacheRead = classTokens(usage.cacheReadTokens, price.cacheRead);
  const write5m = classTokens(usage.cacheWrite5mTokens, price.cacheWrite5m);
  const write1h = classTokens(usage.cacheWrite1hTokens, price.cacheWrite1h);

  // Output: reasoning tokens are part of the output count; only a distinct reasoning price splits them.
  let outputCost: bigint | null;
  if (outputTokens === null) {
    outputCost = null;
  } else if (price.reasoning === null) {
    outputCost = outputTokens * rateOutput;
  } else if (usage.reasoningTokens === null) {
    outputCost = null;
  } else {
    const reasoning = BigInt(usage.reasoningTokens) < outputTokens ? BigInt(usage.reasoningTokens) : outputTokens;
    outputCost = (outputTokens - reasoning) * rateOutput + reasoning * price.reasoning;
  }

  const billedParts = sumKnown([
    inputTokens === null ? null : inputTokens * rateInput,
    cacheRead === null ? null : cacheRead * rateRead,
    write5m === null ? null : write5m * rateWrite5m,
    write1h === null ? null : write1h * rateWrite1h,
    outputCost,
  ]);
  const billed = billedParts.complete ? billedParts.sum : null;
  if (!billedParts.complete) flags.push('usage_incomplete');
  if (usage.estimated) flags.push('usage_estimated');

  // Compression: removed tokens priced at the class they would have been billed in (README).
  const removedTotal = BigInt(compression.tokensBefore) - BigInt(compression.tokensAfter);
  const removedReplayed = BigInt(compression.replayedTokensBefore) - BigInt(compression.replayedTokensAfter);
  const removedNew = removedTotal - removedReplayed;
  let tailRate: bigint | null;
  if (write5m === null || write1h === null) tailRate = null;
  else if (write5m > 0n) tailRate = rateWrite5m;
  else if (write1h > 0n) tailRate = rateWrite1h;
  else tailRate = rateInput;
  let replayedRate: bigint | null;
  if (cacheRead === null) replayedRate = null;
  else replayedRate = cacheRead > 0n ? rateRead : tailRate;

  let savingsCompression: bigint | null;
  if (removedTotal === 0n && removedReplayed === 0n) {
    savingsCompression = 0n;
  } else {
    const newPart = removedNew === 0n ? 0n : tailRate === null ? null : removedNew * tailRate;
    const replayedPart = removedReplayed === 0n ? 0n : replayedRate === null ? null : removedReplayed * replayedRate;
    savingsCompression = newPart === null || replayedPart === null ? null : newPart + replayedPart;
  }

  const counterfactual = billed !== null && savingsCompression !== null ? billed + savingsCompression : null;
  const savingsCacheRead = cacheRead === null ? null : cacheRead * (rateInput - rateRead);
  const cacheWritePremium =
    write5m === null || write1h === null
      ? null
      : write5m * (rateWrite5m - rateInput) + write1h * (rateWrite1h - rateInput);

  let savingsTotal: bigint | null;
  if (input.cacheBreakpointsAdded > 0) {
    flags.push('cache_attributed');
    savingsTotal =
      savingsCompression === null || savingsCacheRead === null || cacheWritePremium === null
        ? null
        : savingsCompression + savingsCacheRead - cacheWritePremium;
  } else {
    savingsTotal = savingsCompression;
  }

  return {
    priceId: price.id,
    billed,
    billedKnown: billedParts.sum,
    counterfactual,
    savingsCompression,
    savingsCacheRead,
    cacheWritePremium,
    savingsTotal,
    flags,
  };
}
