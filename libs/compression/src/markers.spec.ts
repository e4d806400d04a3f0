import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveKey, findMarkerKeys, formatMarker, hasMarker, normalizeKey } from './markers';

describe('markers', () => {
  it('formats the one marker format with a key', () => {
    const key = deriveKey('s', 'original');
    expect(key).toMatch(/^lw_[0-9a-f]{16}$/);
    expect(formatMarker('180 of 200 rows omitted', key)).toBe(`[leeway: 180 of 200 rows omitted; retrieve key=${key}]`);
  });

  it('derives keys per tenant secret: same text, different tenants, different keys', () => {
    expect(deriveKey('tenant-a', 'x')).not.toBe(deriveKey('tenant-b', 'x'));
    expect(deriveKey('tenant-a', 'x')).toBe(deriveKey('tenant-a', 'x'));
    expect(deriveKey('tenant-a', 'x')).not.toBe(deriveKey('tenant-a', 'y'));
  });

  it('finds keys case-insensitively and normalises them', () => {
    const key = deriveKey('s', 'abc');
    const text = `a\n${formatMarker('3 lines omitted', key.toUpperCase().replace('LW_', 'LW_'))}\nb ${formatMarker('again', key)}`;
    expect(findMarkerKeys(text)).toEqual([key]);
    expect(normalizeKey(` ${key.toUpperCase()} `)).toBe(key);
    expect(normalizeKey('lw_123')).toBeNull();
    expect(hasMarker(text)).toBe(true);
    expect(hasMarker(text)).toBe(true); // no lastIndex state leaks between calls
  });

  it('never mistakes foreign hash markers for its own', () => {
    const foreign = [
      '[compressed: 40 rows omitted; retrieve hash=9f3a2c1d8e7b4a60]',
      'see hash=lw_9f3a2c1d8e7b4a60',
      '[leeway: x; retrieve hash=lw_9f3a2c1d8e7b4a60]',
      '[leeway: x; retrieve key=lw_9f3a2c1d8e7b4a6]',
      '[headroom: 3 items; key=lw_9f3a2c1d8e7b4a60]',
    ].join('\n');
    expect(findMarkerKeys(foreign)).toEqual([]);
    expect(hasMarker(foreign)).toBe(false);
  });

  it('keys never collide in a large sample of distinct texts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 2, maxLength: 200 }), (texts) => {
        const keys = new Set(texts.map((t) => deriveKey('k', t)));
        expect(keys.size).toBe(texts.length);
      }),
    );
  });
});
