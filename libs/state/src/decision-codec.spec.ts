import { describe, expect, it } from 'vitest';
import { decodeDecision, encodeDecision } from './decision-codec';

describe('decision codec', () => {
  it('round-trips a decision exactly, including unicode and null replacements', () => {
    const d = { replacement: 'a\u2028b😀"\\', tokensBefore: 10, tokensAfter: 3, kind: 'json', lossless: false, markerKeys: ['lw_00'] };
    expect(decodeDecision(encodeDecision(d))).toEqual(d);
    const keep = { ...d, replacement: null, markerKeys: [] };
    expect(decodeDecision(encodeDecision(keep))).toEqual(keep);
  });

  it('rejects values of the wrong shape', () => {
    expect(() => decodeDecision('{"r":1}')).toThrow(expect.objectContaining({ code: 'STA_BAD_VALUE' }));
    expect(() => decodeDecision('nope')).toThrow(expect.objectContaining({ code: 'STA_BAD_VALUE' }));
  });
});
