import { describe, expect, it } from 'vitest';
import { countTokens, encodingForModel, isExactEncoding, tokenCounter } from './tokenizer';

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
});
