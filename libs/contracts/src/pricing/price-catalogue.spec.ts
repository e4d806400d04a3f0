import { describe, expect, it } from 'vitest';
import { PriceBook, modelPatternMatches, patternSpecificity, type ModelPrice } from './price-catalogue';
import { SEED_MODEL_PRICES } from './seed-prices';
import { parseUsdPerMtok } from './money';

function p(id: string, modelPattern: string, effectiveFrom: string, input: string, provider = 'openai'): ModelPrice {
  return {
    id,
    provider,
    modelPattern,
    effectiveFrom: new Date(effectiveFrom),
    input: parseUsdPerMtok(input),
    cacheWrite5m: null,
    cacheWrite1h: null,
    cacheRead: null,
    output: parseUsdPerMtok(input),
    reasoning: null,
  };
}

describe('model patterns', () => {
  it('globs match case-insensitively and escape regex characters', () => {
    expect(modelPatternMatches('claude-sonnet-4-5*', 'Claude-Sonnet-4-5-20250929')).toBe(true);
    expect(modelPatternMatches('gpt-4.1', 'gpt-4x1')).toBe(false);
    expect(modelPatternMatches('gpt-4.1', 'gpt-4.1')).toBe(true);
    expect(modelPatternMatches('gpt-5', 'gpt-5.2')).toBe(false);
  });

  it('exact names outrank globs, longer literals outrank shorter', () => {
    expect(patternSpecificity('gpt-4o')).toBeGreaterThan(patternSpecificity('gpt-4o-mini-2024*'));
    expect(patternSpecificity('gpt-4o-mini*')).toBeGreaterThan(patternSpecificity('gpt-4o*'));
  });
});

describe('PriceBook.findPrice', () => {
  const book = new PriceBook([
    p('old', 'm*', '2025-01-01T00:00:00Z', '1'),
    p('new', 'm*', '2025-07-01T00:00:00Z', '2'),
    p('exact', 'm-large', '2025-03-01T00:00:00Z', '9'),
  ]);

  it('picks the row in force at the instant: a later row does not reprice earlier instants', () => {
    expect(book.findPrice('openai', 'm-small', new Date('2025-06-30T23:59:59.999Z'))?.id).toBe('old');
    expect(book.findPrice('openai', 'm-small', new Date('2025-07-01T00:00:00Z'))?.id).toBe('new');
    expect(book.findPrice('openai', 'm-small', new Date('2024-12-31T00:00:00Z'))).toBeNull();
  });

  it('prefers the most specific pattern in force, falling back while it is not yet effective', () => {
    expect(book.findPrice('openai', 'm-large', new Date('2025-08-01T00:00:00Z'))?.id).toBe('exact');
    expect(book.findPrice('openai', 'm-large', new Date('2025-02-01T00:00:00Z'))?.id).toBe('old');
  });

  it('never prices across providers or guesses an unknown model', () => {
    expect(book.findPrice('anthropic', 'm-small', new Date('2025-08-01T00:00:00Z'))).toBeNull();
    expect(book.findPrice('openai', 'other', new Date('2025-08-01T00:00:00Z'))).toBeNull();
  });
});

describe('seed catalogue', () => {
  const book = new PriceBook(SEED_MODEL_PRICES);
  const at = new Date('2026-06-01T00:00:00Z');
  const cases: [string, string, string][] = [
    ['anthropic', 'claude-opus-4-5-20251101', '5.000000'],
    ['anthropic', 'claude-opus-4-1-20250805', '15.000000'],
    ['anthropic', 'claude-opus-4-20250514', '15.000000'],
    ['anthropic', 'claude-sonnet-4-20250514', '3.000000'],
    ['anthropic', 'claude-sonnet-4-5', '3.000000'],
    ['anthropic', 'claude-haiku-4-5-20251001', '1.000000'],
    ['anthropic', 'claude-3-5-haiku-20241022', '0.800000'],
    ['openai', 'gpt-4o', '2.500000'],
    ['openai', 'gpt-4o-2024-05-13', '5.000000'],
    ['openai', 'gpt-4o-mini-2024-07-18', '0.150000'],
    ['openai', 'gpt-4.1-nano', '0.100000'],
    ['openai', 'o4-mini', '1.100000'],
    ['openai', 'gpt-5-2025-08-07', '1.250000'],
    ['openai', 'gpt-5-nano', '0.050000'],
  ];

  it.each(cases)('%s %s → input %s USD/MTok', (provider, model, input) => {
    const found = book.findPrice(provider, model, at);
    expect(found).not.toBeNull();
    expect(found!.input).toBe(parseUsdPerMtok(input));
  });

  it('keeps o3 effective-dated across its 2025-06-10 repricing', () => {
    expect(book.findPrice('openai', 'o3', new Date('2025-05-01T00:00:00Z'))!.input).toBe(parseUsdPerMtok('10'));
    expect(book.findPrice('openai', 'o3-2025-04-16', new Date('2025-06-10T00:00:00Z'))!.input).toBe(parseUsdPerMtok('2'));
  });

  it('leaves unseen siblings unpriced rather than guessing', () => {
    expect(book.findPrice('openai', 'gpt-5-pro', at)).toBeNull();
    expect(book.findPrice('openai', 'gpt-4o-realtime-preview', at)).toBeNull();
    expect(book.findPrice('anthropic', 'claude-opus-5', at)).toBeNull();
  });

  it('has unique ids and unique (provider, pattern, effectiveFrom)', () => {
    const ids = new Set(SEED_MODEL_PRICES.map((s) => s.id));
    expect(ids.size).toBe(SEED_MODEL_PRICES.length);
  });
});
