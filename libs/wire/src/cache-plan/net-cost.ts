/**
 * Net-cost gate for compressing a segment that lies inside the cacheable prefix (before a breakpoint).
 *
 * Prices are per token (any unit, all the same unit): `inputPrice` uncached input, `cacheWritePrice` a
 * cache write (Anthropic 1.25× input for 5m, 2× for 1h), `cacheReadPrice` a cache read (0.1× input).
 * `expectedReads` is how many later requests are expected to read this prefix from the cache (e.g. the
 * remaining turns of the session, at least 0).
 *
 * Removing `S = tokensSaved` tokens from the prefix saves, per token removed:
 *   - this request: the price it would have been charged — `cacheWritePrice` when the segment is written
 *     to the cache now (default), `inputPrice` when it lies past the last breakpoint that is written
 *     (`written: false`), `cacheReadPrice` when the provider already holds it (`tokensRewritten > 0`);
 *   - each of the `R = expectedReads` later reads: `cacheReadPrice`.
 *     saving = S × (pNow + R × cacheReadPrice)
 *
 * The cost: when the segment's bytes may already sit in the provider's cache (sent in an earlier turn —
 * which Leeway never does, invariant I2, but a caller may ask what it would cost), changing them forces
 * the `W = tokensRewritten` tokens from the segment to the breakpoint to be written again instead of read:
 *     cost = W × (cacheWritePrice − cacheReadPrice)
 *
 * Compress when saving > cost. For a segment new in this request (W = 0) that means whenever it saves a
 * token; for an already-cached segment only when the saving over the remaining reads beats the
 * re-write premium. The formula ignores a possible retrieve round for lossy output (the policy's
 * minimum-gain and lossless-first rules handle that).
 */

export interface NetCostInput {
  readonly tokensSaved: number;
  readonly expectedReads: number;
  readonly cacheWritePrice: number;
  readonly cacheReadPrice: number;
  readonly inputPrice: number;
  /** Tokens already cached from the segment to its breakpoint that would have to be written again (default 0). */
  readonly tokensRewritten?: number;
  /** Whether the segment's prefix is written to the cache in this request (default true). */
  readonly written?: boolean;
}

export interface NetCostDecision {
  readonly compress: boolean;
  /** In price units. */
  readonly saving: number;
  readonly cost: number;
}

export function netCostOfCompression(input: NetCostInput): NetCostDecision {
  const saved = Math.max(0, input.tokensSaved);
  const reads = Math.max(0, input.expectedReads);
  const rewritten = Math.max(0, input.tokensRewritten ?? 0);
  const pNow = rewritten > 0 ? input.cacheReadPrice : input.written === false ? input.inputPrice : input.cacheWritePrice;
  const saving = saved * (pNow + reads * input.cacheReadPrice);
  const cost = rewritten * Math.max(0, input.cacheWritePrice - input.cacheReadPrice);
  return { compress: saved > 0 && saving > cost, saving, cost };
}

/** Whether compressing a segment inside the cacheable prefix pays (see `netCostOfCompression`). */
export function shouldCompressInPrefix(input: NetCostInput): boolean {
  return netCostOfCompression(input).compress;
}
