import { describe, expect, it } from 'vitest';
import { createFakeClock } from './clock';
import { AnthropicPromptCache, OpenAiPromptCache, type AnthropicPromptBlock } from './prompt-cache';

const block = (key: string, tokens: number, breakpoint: '5m' | '1h' | null = null): AnthropicPromptBlock => ({ key, tokens, breakpoint });

describe('AnthropicPromptCache', () => {
  it('writes at a breakpoint, then reads the identical prefix; input_tokens is the rest', () => {
    const clock = createFakeClock();
    const cache = new AnthropicPromptCache(clock);
    const prefix = [block('tools', 600), block('system', 600, '5m')];
    const first = cache.process('k', 'claude-sonnet-4-5', [...prefix, block('u1', 50)]);
    expect(first).toEqual({ inputTokens: 50, cacheReadTokens: 0, cacheWrite5mTokens: 1200, cacheWrite1hTokens: 0, totalTokens: 1250 });
    const second = cache.process('k', 'claude-sonnet-4-5', [...prefix, block('u2', 70)]);
    expect(second).toEqual({ inputTokens: 70, cacheReadTokens: 1200, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, totalTokens: 1270 });
  });

  it('caches nothing without breakpoints, below the model minimum, or across scopes and models', () => {
    const cache = new AnthropicPromptCache(createFakeClock());
    expect(cache.process('k', 'claude-sonnet-4-5', [block('a', 5000)]).cacheWrite5mTokens).toBe(0);
    expect(cache.process('k', 'claude-sonnet-4-5', [block('a', 1000, '5m')]).cacheWrite5mTokens).toBe(0);
    expect(cache.process('k', 'claude-haiku-4-5', [block('a', 2000, '5m')]).cacheWrite5mTokens).toBe(0);
    expect(cache.process('k', 'claude-haiku-4-5', [block('a', 2048, '5m')]).cacheWrite5mTokens).toBe(2048);
    expect(cache.process('k', 'claude-haiku-4-5', [block('a', 2048, '5m')]).cacheReadTokens).toBe(2048);
    expect(cache.process('other-key', 'claude-haiku-4-5', [block('a', 2048, '5m')]).cacheReadTokens).toBe(0);
    expect(cache.process('k', 'claude-sonnet-4-5', [block('a', 2048, '5m')]).cacheReadTokens).toBe(0);
  });

  it('expires 5-minute entries after 5 minutes unless a hit refreshes them; 1h entries last an hour', () => {
    const clock = createFakeClock();
    const cache = new AnthropicPromptCache(clock);
    const five = [block('p5', 1500, '5m')];
    cache.process('k', 'm', five);
    clock.advance(4 * 60_000);
    expect(cache.process('k', 'm', five).cacheReadTokens).toBe(1500); // refreshed at t=4m
    clock.advance(4 * 60_000);
    expect(cache.process('k', 'm', five).cacheReadTokens).toBe(1500); // t=8m, still alive
    clock.advance(5 * 60_000 + 1);
    const expired = cache.process('k', 'm', five);
    expect(expired).toMatchObject({ cacheReadTokens: 0, cacheWrite5mTokens: 1500 });

    const hour = [block('p1h', 1500, '1h')];
    expect(cache.process('k', 'm', hour)).toMatchObject({ cacheWrite1hTokens: 1500, cacheWrite5mTokens: 0 });
    clock.advance(59 * 60_000);
    expect(cache.process('k', 'm', hour).cacheReadTokens).toBe(1500);
  });

  it('splits writes by TTL: 1h up to the last 1h breakpoint, 5m after it', () => {
    const cache = new AnthropicPromptCache(createFakeClock());
    const blocks = [block('sys', 1100, '1h'), block('m1', 300), block('m2', 200, '5m'), block('m3', 10)];
    expect(cache.process('k', 'm', blocks)).toEqual({ inputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 500, cacheWrite1hTokens: 1100, totalTokens: 1610 });
    // next turn: the 1h prefix is read, the conversation part is written again at the new 5m breakpoint
    const next = [block('sys', 1100, '1h'), block('m1', 300), block('m2', 200), block('m3', 10), block('m4', 40, '5m')];
    expect(cache.process('k', 'm', next)).toEqual({ inputTokens: 0, cacheReadTokens: 1600, cacheWrite5mTokens: 50, cacheWrite1hTokens: 0, totalTokens: 1650 });
  });

  it('finds earlier entries within 20 blocks before a breakpoint, not further', () => {
    const cache = new AnthropicPromptCache(createFakeClock());
    const base = [block('big', 2000, '5m')];
    cache.process('k', 'm', base);
    const within = [block('big', 2000), ...Array.from({ length: 19 }, (_, i) => block(`b${i}`, 1)), block('last', 1, '5m')];
    expect(cache.process('k', 'm', within)).toMatchObject({ cacheReadTokens: 2000, cacheWrite5mTokens: 20 });
    const cache2 = new AnthropicPromptCache(createFakeClock());
    cache2.process('k', 'm', base);
    const beyond = [block('big', 2000), ...Array.from({ length: 20 }, (_, i) => block(`b${i}`, 1)), block('last', 1, '5m')];
    expect(cache2.process('k', 'm', beyond)).toMatchObject({ cacheReadTokens: 0, cacheWrite5mTokens: 2021 });
  });

  it('misses when any byte of the prefix content differs', () => {
    const cache = new AnthropicPromptCache(createFakeClock());
    cache.process('k', 'm', [block('tool output A', 1500), block('x', 10, '5m')]);
    expect(cache.process('k', 'm', [block('tool output B', 1500), block('x', 10, '5m')]).cacheReadTokens).toBe(0);
  });
});

describe('OpenAiPromptCache', () => {
  const seq = (n: number, offset = 0): number[] => Array.from({ length: n }, (_, i) => i + offset);

  it('caches from 1024 tokens in 128-token steps', () => {
    const cache = new OpenAiPromptCache(createFakeClock());
    expect(cache.process('s', seq(1023))).toBe(0);
    expect(cache.process('s', seq(1023))).toBe(0);
    expect(cache.process('s', seq(1300))).toBe(0);
    expect(cache.process('s', seq(1300))).toBe(1280);
    // a prompt sharing 1200 tokens: the longest 128-step prefix of the shared part
    const diverging = [...seq(1200), ...seq(500, 90_000)];
    expect(cache.process('s', diverging)).toBe(1152);
  });

  it('scopes by key and expires after 5 minutes of inactivity (24h when extended)', () => {
    const clock = createFakeClock();
    const cache = new OpenAiPromptCache(clock);
    cache.process('a', seq(2048));
    expect(cache.process('b', seq(2048))).toBe(0);
    clock.advance(5 * 60_000 - 1);
    expect(cache.process('a', seq(2048))).toBe(2048);
    clock.advance(5 * 60_000);
    expect(cache.process('a', seq(2048))).toBe(0);
    cache.process('x', seq(2048), 24 * 3600_000);
    clock.advance(23 * 3600_000);
    expect(cache.process('x', seq(2048), 24 * 3600_000)).toBe(2048);
  });
});
