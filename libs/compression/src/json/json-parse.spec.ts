import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyNode } from './json-encode';
import { minifyJsonText, parseJson, type JsonNumber, type JsonObject } from './json-parse';

describe('parseJson', () => {
  it('parses values and keeps number text, key order and duplicate keys', () => {
    const parsed = parseJson(' {"b": 1.50, "a": [true, false, null, "x"], "b": 12345678901234567890} ');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const obj = parsed.value as JsonObject;
    expect(obj.keys).toEqual(['b', 'a', 'b']);
    expect((obj.values[0] as JsonNumber).raw).toBe('1.50');
    expect((obj.values[2] as JsonNumber).raw).toBe('12345678901234567890');
    expect(stringifyNode(parsed.value)).toBe('{"b":1.50,"a":[true,false,null,"x"],"b":12345678901234567890}');
  });

  it('decodes escapes, including unicode escapes and surrogate pairs', () => {
    const parsed = parseJson('["caf\\u00e9", "a\\"b\\\\c\\n", "\\ud83d\\ude00", "\\ud800"]');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value).toEqual(['café', 'a"b\\c\n', '😀', '\ud800']);
  });

  it.each([
    '',
    '   ',
    '[1,]',
    '{"a":1,}',
    '{"a"}',
    '[1 2]',
    '01',
    '[-]',
    '{"a":1',
    '[{"a": [1, 2, ',
    '"unterminated',
    '"raw\ncontrol"',
    '{a:1}',
    "['single']",
    '[1] x',
    '[NaN]',
    '"bad escape \\x"',
  ])('rejects invalid JSON %j without throwing', (text) => {
    expect(parseJson(text).ok).toBe(false);
  });

  it('reports nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(parseJson(deep)).toEqual({ ok: false, reason: 'too-deep' });
    const ok = parseJson(deep, 20_000);
    expect(ok.ok).toBe(true);
  });

  it('agrees with JSON.parse on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const parsed = parseJson(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(JSON.parse(stringifyNode(parsed.value))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly what JSON.parse accepts on mangled JSON', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.nat(), (text, a, b) => {
        // Cut or duplicate a slice: often invalid, sometimes still valid.
        const i = a % (text.length + 1);
        const j = b % (text.length + 1);
        const mangled = text.slice(0, Math.min(i, j)) + text.slice(Math.max(i, j)) + text.slice(0, j % 3);
        let valid = true;
        try {
          JSON.parse(mangled);
        } catch {
          valid = false;
        }
        expect(parseJson(mangled).ok).toBe(valid);
      }),
      { numRuns: 300 },
    );
  });
});

describe('minifyJsonText', () => {
  it('drops whitespace outside strings only', () => {
    expect(minifyJsonText('{ "a b" : [ 1 ,\n\t2 ] , "c\\" d" : " x " }')).toBe('{"a b":[1,2],"c\\" d":" x "}');
  });

  it('equals JSON.stringify(JSON.parse(x)) for pretty-printed JSON without escapes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: true }), (value) => {
        const pretty = JSON.stringify(value, null, 2);
        if (pretty === undefined || /\\/.test(pretty)) return;
        expect(minifyJsonText(pretty)).toBe(JSON.stringify(value));
      }),
      { numRuns: 200 },
    );
  });

  it('handles 10k-deep nesting', () => {
    const deep = '[ '.repeat(10_000) + ' ]'.repeat(10_000);
    expect(minifyJsonText(deep)).toBe('['.repeat(10_000) + ']'.repeat(10_000));
  });
});
