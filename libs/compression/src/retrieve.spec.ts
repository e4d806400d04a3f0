import { describe, expect, it } from 'vitest';
import { retrieveFromOriginal } from './retrieve';

describe('retrieveFromOriginal', () => {
  const original = ['alpha one', 'beta two', 'gamma three', 'delta four', 'epsilon five'].join('\n');

  it('returns the whole original without a query', () => {
    expect(retrieveFromOriginal(original)).toBe(original);
  });

  it('returns matching lines with numbers and context', () => {
    expect(retrieveFromOriginal(original, 'GAMMA', { context: 0 })).toBe('3: gamma three');
    expect(retrieveFromOriginal(original, 'gamma')).toBe('2: beta two\n3: gamma three\n4: delta four');
  });

  it('says so when nothing matches, and caps huge answers', () => {
    expect(retrieveFromOriginal(original, 'zeta')).toMatch(/no line of the original matches/);
    const big = 'x'.repeat(50);
    expect(retrieveFromOriginal(big, undefined, { maxChars: 10 })).toMatch(/^x{10}\n\[leeway: cut at 10 of 50/);
  });
});
