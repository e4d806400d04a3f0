import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from './errors';
import { decodeJson, findMember, scanJson, walkJson, type JsonObjectSpan, type JsonArraySpan } from './json-scan';
import { oddJson } from './odd-json.test-support';
import {
  addMemberEdit,
  appendToArrayEdit,
  applyEdits,
  insertIntoArrayEdit,
  removeMemberEdits,
  replaceStringEdit,
  setMemberEdit,
} from './splice';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('applyEdits', () => {
  it('returns the very same bytes with zero edits (I1), for generated oddly formatted bodies', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer(), (value, seed) => {
        const raw = buf(oddJson(value, seed));
        scanJson(raw);
        const out = applyEdits(raw, []);
        expect(out).toBe(raw);
        expect(Buffer.compare(out, buf(oddJson(value, seed)))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('changes only the bytes of the edited value', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 5 }).filter((v) => JSON.stringify(v).includes('"')),
        fc.integer(),
        fc.nat(),
        fc.string({ unit: 'grapheme' }),
        (value, seed, pick, replacement) => {
          const raw = buf(oddJson(value, seed));
          const root = scanJson(raw);
          const strings = [...walkJson(root)].filter((w) => w.span.kind === 'string');
          fc.pre(strings.length > 0);
          const target = strings[pick % strings.length]!;
          const out = applyEdits(raw, [replaceStringEdit(target.span, replacement)]);
          const encoded = buf(JSON.stringify(replacement));
          // prefix and suffix bytes identical
          expect(Buffer.compare(out.subarray(0, target.span.start), raw.subarray(0, target.span.start))).toBe(0);
          expect(Buffer.compare(out.subarray(target.span.start + encoded.length), raw.subarray(target.span.end))).toBe(0);
          // the new document decodes to the old one with that single value replaced
          const after = scanJson(out);
          const expected = structuredClone(JSON.parse(raw.toString()) as unknown);
          if (target.path.length === 0) {
            expect(decodeJson(out, after)).toBe(replacement);
          } else {
            let parent = expected as Record<string | number, unknown>;
            for (const step of target.path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
            parent[target.path[target.path.length - 1]!] = replacement;
            // duplicate keys: only the last occurrence is visible to JSON.parse
            const visible = JSON.parse(out.toString()) as unknown;
            if (!target.entry || isLastOccurrence(raw, target.path)) expect(visible).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies several edits in one pass, sorting them, and rejects overlaps and bad ranges', () => {
    const raw = buf('{"a":"x","b":"y","c":[1,2]}');
    const root = scanJson(raw);
    const a = findMember(root, 'a')!;
    const b = findMember(root, 'b')!;
    const out = applyEdits(raw, [replaceStringEdit(b, 'B'), replaceStringEdit(a, 'A é')]);
    expect(out.toString()).toBe('{"a":"A é","b":"B","c":[1,2]}');
    expect(() => applyEdits(raw, [replaceStringEdit(a, '1'), { start: a.start + 1, end: a.end, replacement: '' }])).toThrow(WireError);
    expect(() => applyEdits(raw, [{ start: 5, end: 999, replacement: '' }])).toThrow(/out of range/);
    expect(() => applyEdits(raw, [{ start: 5, end: 4, replacement: '' }])).toThrow(WireError);
  });

  it('keeps several insertions at one offset in the order given', () => {
    const raw = buf('[1]');
    const out = applyEdits(raw, [
      { start: 2, end: 2, replacement: ',2' },
      { start: 2, end: 2, replacement: ',3' },
    ]);
    expect(out.toString()).toBe('[1,2,3]');
  });
});

function isLastOccurrence(raw: Buffer, path: readonly (string | number)[]): boolean {
  // Walk the path checking that every object step picks the last duplicate.
  let span = scanJson(raw);
  for (const step of path) {
    if (typeof step === 'number') {
      span = (span as JsonArraySpan).items[step]!;
    } else {
      const entries = (span as JsonObjectSpan).entries.filter((e) => e.key === step);
      if (entries.length > 1) return false;
      span = entries[0]!.value;
    }
  }
  return true;
}

describe('insertion helpers', () => {
  const root = (text: string): { raw: Buffer; span: JsonObjectSpan } => {
    const raw = buf(text);
    return { raw, span: scanJson(raw) as JsonObjectSpan };
  };

  it('appends to empty and non-empty arrays keeping formatting', () => {
    const { raw, span } = root('{"tools": [ {"name":"a"} \n], "e":[ ]}');
    const tools = findMember(span, 'tools') as JsonArraySpan;
    const e = findMember(span, 'e') as JsonArraySpan;
    const out = applyEdits(raw, [appendToArrayEdit(tools, '{"name":"leeway_retrieve"}'), appendToArrayEdit(e, '1')]);
    expect(out.toString()).toBe('{"tools": [ {"name":"a"},{"name":"leeway_retrieve"} \n], "e":[1 ]}');
  });

  it('inserts into arrays at an index', () => {
    const { raw, span } = root('{"a":[1,2]}');
    const a = findMember(span, 'a') as JsonArraySpan;
    expect(applyEdits(raw, [insertIntoArrayEdit(a, 0, '0')]).toString()).toBe('{"a":[0,1,2]}');
    expect(applyEdits(raw, [insertIntoArrayEdit(a, 1, '9')]).toString()).toBe('{"a":[1,9,2]}');
    expect(applyEdits(raw, [insertIntoArrayEdit(a, 2, '3')]).toString()).toBe('{"a":[1,2,3]}');
    expect(() => insertIntoArrayEdit(a, 3, '3')).toThrow(WireError);
  });

  it('adds and sets members', () => {
    const { raw, span } = root('{ "model":"m" ,"x":1 }');
    expect(applyEdits(raw, [addMemberEdit(span, 'prompt_cache_key', '"k"')]).toString()).toBe(
      '{ "model":"m" ,"x":1,"prompt_cache_key":"k" }',
    );
    expect(applyEdits(raw, [setMemberEdit(span, 'x', '2')]).toString()).toBe('{ "model":"m" ,"x":2 }');
    const empty = root('{}');
    expect(applyEdits(empty.raw, [addMemberEdit(empty.span, 'a', 'true')]).toString()).toBe('{"a":true}');
  });

  it('removes members with their separators', () => {
    const cases: [string, string][] = [
      ['{"a":1,"b":2,"c":3}', '{"a":1,"c":3}'],
      ['{"b":2,"a":1}', '{"a":1}'],
      ['{"a":1,"b":2}', '{"a":1}'],
      ['{"b":2}', '{}'],
      ['{"b":1,"b":2,"a":0,"b":3}', '{"a":0}'],
    ];
    for (const [input, expected] of cases) {
      const { raw, span } = root(input);
      const out = applyEdits(raw, removeMemberEdits(span, 'b'));
      expect(out.toString()).toBe(expected);
      expect(JSON.parse(out.toString())).toEqual(JSON.parse(expected));
    }
    const { raw, span } = root('{"a":1}');
    expect(removeMemberEdits(span, 'zz')).toEqual([]);
    expect(applyEdits(raw, removeMemberEdits(span, 'zz'))).toBe(raw);
  });
});
