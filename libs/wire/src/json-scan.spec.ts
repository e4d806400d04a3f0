import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonScanError } from './errors';
import {
  decodeJson,
  decodeString,
  findMember,
  findPath,
  scanJson,
  spanText,
  walkJson,
  type JsonSpan,
} from './json-scan';
import { oddJson } from './odd-json.test-support';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

function offsetOf(text: string): number {
  try {
    scanJson(buf(text));
  } catch (e) {
    expect(e).toBeInstanceOf(JsonScanError);
    expect((e as JsonScanError).code).toBe('WIRE_BAD_JSON');
    return (e as JsonScanError).offset;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('scanJson', () => {
  it('gives byte ranges of values and keys', () => {
    const text = ' {"a" : [1, "x\\u00e9", true] ,"b":{"c":null}} ';
    const raw = buf(text);
    const root = scanJson(raw);
    expect(root.kind).toBe('object');
    expect(root.start).toBe(1);
    expect(root.end).toBe(text.length - 1);
    const a = findMember(root, 'a')!;
    expect(spanText(raw, a)).toBe('[1, "x\\u00e9", true]');
    const s = findPath(root, ['a', 1])!;
    expect(spanText(raw, s)).toBe('"x\\u00e9"');
    expect(decodeJson(raw, s)).toBe('xé');
    const entry = root.kind === 'object' ? root.entries[1]! : null;
    expect(entry?.key).toBe('b');
    expect(raw.toString('utf8', entry!.keyStart, entry!.keyEnd)).toBe('"b"');
    expect(findPath(root, ['b', 'c'])?.kind).toBe('null');
  });

  it('uses byte offsets, not character offsets, for multibyte text', () => {
    const text = '{"k":"日本語 🎉","n":1}';
    const raw = buf(text);
    const root = scanJson(raw);
    const n = findMember(root, 'n')!;
    expect(raw.subarray(n.start, n.end).toString()).toBe('1');
    expect(n.start).toBe(Buffer.byteLength('{"k":"日本語 🎉","n":'));
    expect(decodeString(raw, findMember(root, 'k') as never)).toBe('日本語 🎉');
  });

  it('keeps duplicate keys in order; lookups see the last one like JSON.parse', () => {
    const raw = buf('{"model":"a","model":"b"}');
    const root = scanJson(raw);
    expect(root.kind === 'object' && root.entries.map((e) => e.key)).toEqual(['model', 'model']);
    expect(decodeJson(raw, findMember(root, 'model')!)).toBe('b');
    expect(decodeJson(raw, root)).toEqual(JSON.parse(raw.toString()));
  });

  it('decodes escaped keys', () => {
    const raw = buf('{"a\\u0062\\"c":1}');
    const root = scanJson(raw);
    expect(root.kind === 'object' && root.entries[0]!.key).toBe('ab"c');
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const depth = 200_000;
    const text = '['.repeat(depth) + '{"x":"y"}' + ']'.repeat(depth);
    const root = scanJson(buf(text));
    expect(root.end).toBe(text.length);
    let span: JsonSpan = root;
    let levels = 0;
    while (span.kind === 'array') {
      span = span.items[0]!;
      levels++;
    }
    expect(levels).toBe(depth);
    expect(() => scanJson(buf(text), { maxDepth: 100 })).toThrow(JsonScanError);
  });

  it('rejects invalid JSON with the byte offset of the problem', () => {
    expect(offsetOf('')).toBe(0);
    expect(offsetOf('{')).toBe(1);
    expect(offsetOf('{"a":1,}')).toBe(7);
    expect(offsetOf('[1,]')).toBe(3);
    expect(offsetOf('{"a" 1}')).toBe(5);
    expect(offsetOf('{"a":01}')).toBe(6);
    expect(offsetOf('{"a":1.}')).toBe(7);
    expect(offsetOf('{"a":1e}')).toBe(7);
    expect(offsetOf('{"a":-}')).toBe(6);
    expect(offsetOf('{"a":tru}')).toBe(8);
    expect(offsetOf('{"a":"x\\q"}')).toBe(8);
    expect(offsetOf('{"a":"\\u12G4"}')).toBe(10);
    expect(offsetOf('{"a":"x\ny"}')).toBe(7);
    expect(offsetOf('{"a":"xy')).toBe(8);
    expect(offsetOf('{} {}')).toBe(3);
    expect(offsetOf('{"é":x}')).toBe(Buffer.byteLength('{"é":'));
    expect(offsetOf("{'a':1}")).toBe(1);
    expect(offsetOf('[1 2]')).toBe(3);
    expect(offsetOf('\uFEFF{}')).toBe(0);
  });

  it('accepts what JSON.parse accepts and agrees on the value (generated, oddly formatted)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer(), (value, seed) => {
        const text = oddJson(value, seed);
        const raw = buf(text);
        const root = scanJson(raw);
        expect(decodeJson(raw, root)).toEqual(JSON.parse(text));
        for (const { span } of walkJson(root)) {
          expect(decodeJson(raw, span)).toEqual(JSON.parse(spanText(raw, span)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects what JSON.parse rejects (mutated documents)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', 'x', '\u0001'), (text, at, ins) => {
        const pos = at % (text.length + 1);
        const mutated = text.slice(0, pos) + ins + text.slice(pos);
        let native = true;
        try {
          JSON.parse(mutated);
        } catch {
          native = false;
        }
        let ours = true;
        try {
          scanJson(buf(mutated));
        } catch (e) {
          expect(e).toBeInstanceOf(JsonScanError);
          ours = false;
        }
        expect(ours).toBe(native);
      }),
      { numRuns: 500 },
    );
  });

  it('walks values in document order with paths', () => {
    const raw = buf('{"a":[{"b":1}],"c":"d"}');
    const paths = [...walkJson(scanJson(raw))].map((w) => w.path.join('.'));
    expect(paths).toEqual(['', 'a', 'a.0', 'a.0.b', 'c']);
  });
});
