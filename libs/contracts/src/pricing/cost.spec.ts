import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { usageFromAnthropic, usageFromOpenAiChat, usageFromOpenAiResponses } from '@leeway/wire';
import { computeCost, type CostInput, type UsageClasses } from './cost';
import { PriceBook, type ModelPrice } from './price-catalogue';
import { SEED_MODEL_PRICES } from './seed-prices';
import { parseUsdPerMtok } from './money';

const book = new PriceBook(SEED_MODEL_PRICES);
const AT = new Date('2026-06-01T12:00:00Z');
/** micro-USD → pico-USD, to write expectations in readable micro-dollars. */
const micro = (n: number): bigint => BigInt(n) * 1_000_000n;

function price(provider: string, model: string): ModelPrice {
  const p = book.findPrice(provider, model, AT);
  if (!p) throw new Error(`no seed price for ${model}`);
  return p;
}

function request(usage: Partial<UsageClasses>, extra: Partial<Omit<CostInput, 'usage'>> = {}): CostInput {
  return {
    usage: {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: null,
      estimated: false,
      ...usage,
    },
    compression: extra.compression ?? { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
    cacheBreakpointsAdded: extra.cacheBreakpointsAdded ?? 0,
  };
}

describe('computeCost — Anthropic convention (input_tokens excludes cache tokens)', () => {
  const sonnet = price('anthropic', 'claude-sonnet-4-5-20250929');

  it('prices every class at its own rate, 5m and 1h writes separately', () => {
    const usage = usageFromAnthropic({
      input_tokens: 100,
      cache_creation_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      cache_read_input_tokens: 5000,
      output_tokens: 200,
    });
    const cost = computeCost({ ...request({}), usage: { ...usage, estimated: false } }, sonnet);
    // 100×$3 + 1000×$3.75 + 2000×$6 + 5000×$0.30 + 200×$15 per MTok = 300 + 3750 + 12000 + 1500 + 3000 µ$
    expect(cost.billed).toBe(micro(20_550));
    expect(cost.billedKnown).toBe(cost.billed);
    expect(cost.savingsCacheRead).toBe(micro(5000 * 3 - 1500));
    expect(cost.cacheWritePremium).toBe(micro(1000 * 0.75 + 2000 * 3));
    expect(cost.savingsCompression).toBe(0n);
    expect(cost.counterfactual).toBe(cost.billed);
    expect(cost.priceId).toBe(sonnet.id);
    expect(cost.flags).toEqual([]);
  });

  it('cache multipliers of the seed are exactly 1.25×, 2× and 0.1× input', () => {
    for (const p of SEED_MODEL_PRICES.filter((s) => s.provider === 'anthropic')) {
      expect(p.cacheWrite5m! * 4n).toBe(p.input * 5n);
      expect(p.cacheWrite1h).toBe(p.input * 2n);
      expect(p.cacheRead! * 10n).toBe(p.input);
    }
  });
});

describe('computeCost — OpenAI convention (cached_tokens included in prompt_tokens)', () => {
  const gpt41 = price('openai', 'gpt-4.1-2025-04-14');

  it('bills cached tokens once, at the cached rate (chat completions)', () => {
    const usage = usageFromOpenAiChat({
      prompt_tokens: 6000,
      completion_tokens: 200,
      prompt_tokens_details: { cached_tokens: 5000 },
      completion_tokens_details: { reasoning_tokens: 50 },
    });
    const cost = computeCost({ ...request({}), usage: { ...usage, estimated: false } }, gpt41);
    // 1000×$2 + 5000×$0.50 + 200×$8 (reasoning is part of output) = 2000 + 2500 + 1600 µ$
    expect(cost.billed).toBe(micro(6100));
    expect(cost.savingsCacheRead).toBe(micro(5000 * 1.5));
    expect(cost.cacheWritePremium).toBe(0n);
  });

  it('gives the same cost for the same exchange through the Responses API', () => {
    const chat = usageFromOpenAiChat({ prompt_tokens: 6000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 5000 } });
    const responses = usageFromOpenAiResponses({
      input_tokens: 6000,
      output_tokens: 200,
      input_tokens_details: { cached_tokens: 5000 },
    });
    const a = computeCost({ ...request({}), usage: { ...chat, estimated: false } }, gpt41);
    const b = computeCost({ ...request({}), usage: { ...responses, estimated: false } }, gpt41);
    expect(b).toEqual(a);
  });

  it('bills cached tokens at the input rate for a model without a cached price', () => {
    const p = price('openai', 'gpt-4o-2024-05-13');
    const cost = computeCost(request({ inputTokens: 1000, cacheReadTokens: 1000, cacheWrite5mTokens: null, cacheWrite1hTokens: null, outputTokens: 0 }), p);
    expect(cost.billed).toBe(micro(2000 * 5));
    expect(cost.savingsCacheRead).toBe(0n);
  });
});

describe('computeCost — unknowns are never zero', () => {
  const sonnet = price('anthropic', 'claude-sonnet-4-5');

  it('unknown model: every money figure null and flagged', () => {
    const cost = computeCost(request({ inputTokens: 10, outputTokens: 10 }), null);
    expect(cost.billed).toBeNull();
    expect(cost.counterfactual).toBeNull();
    expect(cost.savingsTotal).toBeNull();
    expect(cost.flags).toContain('unpriced_model');
  });

  it('a cut-off stream keeps what was reported: billed unknown, known part as lower bound', () => {
    const cost = computeCost(request({ inputTokens: 1000, outputTokens: null, cacheReadTokens: 0 }), sonnet);
    expect(cost.billed).toBeNull();
    expect(cost.billedKnown).toBe(micro(3000));
    expect(cost.counterfactual).toBeNull();
    expect(cost.flags).toContain('usage_incomplete');
  });

  it('an unknown cache-write count is unknown for Anthropic but absent for OpenAI', () => {
    const usage = { inputTokens: 10, outputTokens: 10, cacheWrite5mTokens: null, cacheWrite1hTokens: null };
    expect(computeCost(request(usage), sonnet).billed).toBeNull();
    expect(computeCost(request(usage), price('openai', 'gpt-4o')).billed).toBe(micro(10 * 2.5 + 10 * 10));
  });

  it('estimated usage is priced and flagged', () => {
    const cost = computeCost(request({ inputTokens: 10, estimated: true }), sonnet);
    expect(cost.billed).toBe(micro(30));
    expect(cost.flags).toContain('usage_estimated');
  });
});

describe('computeCost — compression savings priced at the class removed tokens would have been billed in', () => {
  const sonnet = price('anthropic', 'claude-sonnet-4-5');
  const compression = { tokensBefore: 10_000, tokensAfter: 2_000, replayedTokensBefore: 0, replayedTokensAfter: 0 };

  it('new segments without cache writes: uncached input rate', () => {
    const cost = computeCost(request({ inputTokens: 3000, outputTokens: 100 }, { compression }), sonnet);
    expect(cost.savingsCompression).toBe(micro(8000 * 3));
    expect(cost.counterfactual! - cost.billed!).toBe(cost.savingsCompression);
    expect(cost.savingsTotal).toBe(cost.savingsCompression);
  });

  it('new segments when the request wrote a 5m cache: 5m write rate; 1h only: 1h rate', () => {
    const w5 = computeCost(request({ inputTokens: 10, cacheWrite5mTokens: 5000 }, { compression }), sonnet);
    expect(w5.savingsCompression).toBe(micro(8000 * 3.75));
    const w1 = computeCost(request({ inputTokens: 10, cacheWrite1hTokens: 5000 }, { compression }), sonnet);
    expect(w1.savingsCompression).toBe(micro(8000 * 6));
  });

  it('replayed segments inside a cache hit: cache-read rate (savings net of caching)', () => {
    const replayed = { tokensBefore: 10_000, tokensAfter: 2_000, replayedTokensBefore: 10_000, replayedTokensAfter: 2_000 };
    const hit = computeCost(request({ inputTokens: 10, cacheReadTokens: 20_000 }, { compression: replayed }), sonnet);
    expect(hit.savingsCompression).toBe(micro(8000 * 0.3));
    const miss = computeCost(request({ inputTokens: 10, cacheReadTokens: 0 }, { compression: replayed }), sonnet);
    expect(miss.savingsCompression).toBe(micro(8000 * 3));
  });

  it('a compression that grew the segment is a negative saving, not hidden', () => {
    const grew = { tokensBefore: 100, tokensAfter: 120, replayedTokensBefore: 0, replayedTokensAfter: 0 };
    const cost = computeCost(request({ inputTokens: 120 }, { compression: grew }), sonnet);
    expect(cost.savingsCompression).toBe(micro(-20 * 3));
  });

  it('caching effects count in the total only when Leeway placed the breakpoints', () => {
    const usage = { inputTokens: 100, cacheReadTokens: 10_000, cacheWrite5mTokens: 1000 };
    const client = computeCost(request(usage, { compression }), sonnet);
    expect(client.savingsTotal).toBe(client.savingsCompression);
    const leeway = computeCost(request(usage, { compression, cacheBreakpointsAdded: 1 }), sonnet);
    expect(leeway.savingsTotal).toBe(leeway.savingsCompression! + leeway.savingsCacheRead! - leeway.cacheWritePremium!);
    expect(leeway.flags).toContain('cache_attributed');
  });
});

describe('computeCost — properties', () => {
  const count = fc.integer({ min: 0, max: 5_000_000 });
  const prices = SEED_MODEL_PRICES;

  it('billed equals the sum of class costs; counterfactual − billed = compression savings', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...prices),
        fc.record({ i: count, o: count, r: count, w5: count, w1: count }),
        fc.record({ before: count, after: count }),
        (p, u, c) => {
          const after = Math.min(c.after, c.before);
          const input = request(
            { inputTokens: u.i, outputTokens: u.o, cacheReadTokens: u.r, cacheWrite5mTokens: u.w5, cacheWrite1hTokens: u.w1 },
            { compression: { tokensBefore: c.before, tokensAfter: after, replayedTokensBefore: 0, replayedTokensAfter: 0 } },
          );
          const cost = computeCost(input, p);
          const rate = (own: bigint | null): bigint => own ?? p.input;
          const expected =
            BigInt(u.i) * p.input +
            BigInt(u.o) * p.output +
            BigInt(u.r) * rate(p.cacheRead) +
            BigInt(u.w5) * rate(p.cacheWrite5m) +
            BigInt(u.w1) * rate(p.cacheWrite1h);
          expect(cost.billed).toBe(expected);
          expect(cost.counterfactual! - cost.billed!).toBe(cost.savingsCompression);
          expect(cost.savingsCompression! >= 0n).toBe(true);
        },
      ),
    );
  });

  it('a distinct reasoning price splits output exactly', () => {
    const p: ModelPrice = { ...price('openai', 'o3'), reasoning: parseUsdPerMtok('20') };
    fc.assert(
      fc.property(count, count, (o, r) => {
        const cost = computeCost(request({ outputTokens: o, reasoningTokens: r }), p);
        const reasoning = BigInt(Math.min(o, r));
        expect(cost.billed).toBe((BigInt(o) - reasoning) * p.output + reasoning * p.reasoning!);
      }),
    );
  });
});
