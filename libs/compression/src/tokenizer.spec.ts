import { describe, expect, it } from 'vitest';
import { countTokens as referenceCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as referenceO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens, encodingForModel, isExactEncoding, LONG_RUN_CHARS, tokenCounter } from './tokenizer';

describe('tokenizer', () => {
  it('counts o200k_base and cl100k_base exactly (reference values from tiktoken)', () => {
    expect(countTokens('hello world', 'o200k_base')).toBe(2);
    expect(countTokens('hello world', 'cl100k_base')).toBe(2);
    expect(countTokens('', 'o200k_base')).toBe(0);
    // Special-token text is counted as ordinary text, never rejected.
    expect(countTokens('<|endoftext|>', 'o200k_base')).toBeGreaterThan(1);
  });

  it('caches by content and returns the same counts', () => {
    const counter = tokenCounter('o200k_base');
    const long = 'x'.repeat(10_000) + ' end';
    expect(counter(long)).toBe(countTokens(long));
    expect(counter(long)).toBe(countTokens(long));
    expect(counter('hello world')).toBe(2);
  });

  it('labels the Claude estimate as not exact and maps models to encodings', () => {
    expect(encodingForModel('claude-sonnet-4-5')).toBe('claude-estimate');
    expect(isExactEncoding('claude-estimate')).toBe(false);
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingForModel('gpt-5')).toBe('o200k_base');
    const claude = tokenCounter('claude-estimate');
    expect(claude('hello world')).toBe(Math.ceil(2 * 1.15));
  });

  it('counts pathological single pre-tokens in linear time, close to the exact count', () => {
    for (const text of ['['.repeat(4000), 'abcdefghij'.repeat(400), 'QUJD'.repeat(1000) + ' tail']) {
      const exact = referenceO200k(text, { disallowedSpecial: new Set<string>() });
      expect(Math.abs(countTokens(text) - exact)).toBeLessThanOrEqual(Math.ceil(text.length / 128) + 2);
    }
    const started = performance.now();
    countTokens('['.repeat(200_000));
    countTokens('abcdefghij'.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('keeps counts exact for text without long runs', () => {
    const text = 'The quick brown fox jumps over the lazy dog.\n'.repeat(300) + 'x'.repeat(LONG_RUN_CHARS - 1);
    expect(countTokens(text)).toBe(referenceO200k(text, { disallowedSpecial: new Set<string>() }));
    expect(countTokens(text, 'cl100k_base')).toBe(referenceCl100k(text, { disallowedSpecial: new Set<string>() }));
  });
});
