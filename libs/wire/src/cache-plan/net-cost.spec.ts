import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { netCostOfCompression, shouldCompressInPrefix } from './net-cost';

// Anthropic Sonnet list prices per million tokens: input 3, 5m write 3.75, read 0.30.
const prices = { inputPrice: 3, cacheWritePrice: 3.75, cacheReadPrice: 0.3 };

describe('shouldCompressInPrefix', () => {
  it('a segment never sent (nothing to rewrite) is compressed whenever it saves a token', () => {
    expect(shouldCompressInPrefix({ ...prices, tokensSaved: 1, expectedReads: 0 })).toBe(true);
    expect(shouldCompressInPrefix({ ...prices, tokensSaved: 0, expectedReads: 10 })).toBe(false);
    expect(netCostOfCompression({ ...prices, tokensSaved: 1000, expectedReads: 4 })).toEqual({ compress: true, saving: 1000 * (3.75 + 4 * 0.3), cost: 0 });
  });

  it('an already-cached segment: the saving over the remaining reads must beat the re-write premium', () => {
    // 1000 tokens saved, 20 000 tokens to re-write: premium 20 000 × 3.45 = 69 000
    const base = { ...prices, tokensSaved: 1000, tokensRewritten: 20_000 };
    // saving = 1000 × (0.3 + R × 0.3) > 69 000 ⇔ R > 229
    expect(shouldCompressInPrefix({ ...base, expectedReads: 229 })).toBe(false);
    expect(shouldCompressInPrefix({ ...base, expectedReads: 230 })).toBe(true);
  });

  it('a segment past the last written breakpoint is charged at the input price now', () => {
    expect(netCostOfCompression({ ...prices, tokensSaved: 10, expectedReads: 0, written: false }).saving).toBe(30);
  });

  it('more reads or more tokens saved never turn a yes into a no', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(100), fc.nat(50_000), fc.nat(100), (saved, reads, rewritten, more) => {
        const a = shouldCompressInPrefix({ ...prices, tokensSaved: saved, expectedReads: reads, tokensRewritten: rewritten });
        const b = shouldCompressInPrefix({ ...prices, tokensSaved: saved + more, expectedReads: reads + more, tokensRewritten: rewritten });
        return !a || b;
      }),
    );
  });
});
