import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPicoUsd, formatUsdPerMtok, parsePicoUsd, parseUsdPerMtok, PricingError } from './money';

describe('money', () => {
  it('parses list prices exactly', () => {
    expect(parseUsdPerMtok('3')).toBe(3_000_000n);
    expect(parseUsdPerMtok('0.075')).toBe(75_000n);
    expect(parseUsdPerMtok('0.005')).toBe(5_000n);
    expect(parseUsdPerMtok('18.750000')).toBe(18_750_000n);
  });

  it('rejects what it cannot represent exactly', () => {
    expect(() => parseUsdPerMtok('0.0000001')).toThrow(PricingError);
    expect(() => parseUsdPerMtok('-1')).toThrow(PricingError);
    expect(() => parseUsdPerMtok('1e-3')).toThrow(PricingError);
  });

  it('formats with fixed scale', () => {
    expect(formatUsdPerMtok(75_000n)).toBe('0.075000');
    expect(formatPicoUsd(5_000n)).toBe('0.000000005000');
    expect(formatPicoUsd(-1_500_000_000_000n)).toBe('-1.500000000000');
  });

  it('round-trips every pico amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (v) => {
        expect(parsePicoUsd(formatPicoUsd(v))).toBe(v);
      }),
    );
  });
});
