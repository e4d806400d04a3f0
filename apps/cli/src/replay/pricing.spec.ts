import { describe, expect, it } from 'vitest';
import { costOf, findPrice, toUsd, toUsdText } from './pricing';
import { usageFromResponse } from './usage';

const AT = new Date('2026-06-01T00:00:00Z');
const M = 1_000_000;

describe('replay pricing (shared catalogue)', () => {
  it('prices Anthropic classes at list: $3 input, $3.75 5m write, $6 1h write, $0.30 read, $15 output per MTok', () => {
    const sonnet = findPrice('anthropic', 'claude-sonnet-4-5', AT)!;
    const cost = (
      t: Partial<Record<'input' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead' | 'output', number>>,
    ) =>
      toUsd(
        costOf({ input: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, ...t }, sonnet).total,
      );
    expect([
      cost({ input: M }),
      cost({ cacheWrite5m: M }),
      cost({ cacheWrite1h: M }),
      cost({ cacheRead: M }),
      cost({ output: M }),
    ]).toEqual([3, 3.75, 6, 0.3, 15]);
    const split = costOf({ input: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 100, output: 7 }, sonnet);
    expect([split.input, split.output, split.total]).toEqual([
      10n * 3_000_000n + 100n * 300_000n,
      7n * 15_000_000n,
      30_000_000n + 30_000_000n + 105_000_000n,
    ]);
    expect(toUsdText(split.total)).toBe('0.000165000000');
  });

  it('prices gpt-4o at $2.50 input, $1.25 cached, $10 output; an unknown model has no price', () => {
    const gpt = findPrice('openai', 'gpt-4o-2024-08-06', AT)!;
    expect(
      toUsd(costOf({ input: M, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: M, output: M }, gpt).total),
    ).toBe(13.75);
    expect(findPrice('openai', 'swe-agent-llama-70b', AT)).toBeNull();
    expect(findPrice('anthropic', 'gpt-4o', AT)).toBeNull();
  });
});

describe('usageFromResponse', () => {
  it('splits Anthropic usage by class (TTL split when reported, else 5-minute)', () => {
    expect(
      usageFromResponse('anthropic', {
        usage: {
          input_tokens: 5,
          cache_creation_input_tokens: 30,
          cache_read_input_tokens: 100,
          output_tokens: 9,
          cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
        },
      }),
    ).toEqual({ input: 5, cacheWrite5m: 10, cacheWrite1h: 20, cacheRead: 100, output: 9 });
    expect(
      usageFromResponse('anthropic', {
        usage: { input_tokens: 5, cache_creation_input_tokens: 30, output_tokens: 1 },
      }),
    ).toEqual({
      input: 5,
      cacheWrite5m: 30,
      cacheWrite1h: 0,
      cacheRead: 0,
      output: 1,
    });
  });

  it('subtracts OpenAI cached tokens from the prompt count', () => {
    expect(
      usageFromResponse('openai-chat', {
        usage: { prompt_tokens: 2000, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 1152 } },
      }),
    ).toEqual({
      input: 848,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: 1152,
      output: 5,
    });
    expect(
      usageFromResponse('openai-responses', {
        usage: { input_tokens: 1500, output_tokens: 3, input_tokens_details: { cached_tokens: 1024 } },
      }),
    ).toEqual({
      input: 476,
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: 1024,
      output: 3,
    });
    expect(usageFromResponse('openai-chat', { id: 'x' })).toBeNull();
  });
});
