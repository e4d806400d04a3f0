import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { tokenCounter } from '../tokenizer';
import type { CompressorContext } from '../types';
import { decodeCompactJson } from './json-decode';
import { readJsonDocument } from './json-document';
import { encodeDocument, LEGEND_PREFIX, stringifyDocument } from './json-encode';
import { jsonCompressor, planEncoding } from './json';

const countTokens = tokenCounter('o200k_base');
const lossless: CompressorContext = {
  mode: 'lossless',
  query: undefined,
  countTokens,
  elide() {
    throw new Error('lossless compressors never elide');
  },
};

/** The canonical minified form of a JSON text or JSON Lines (what a decoder must give back). */
function canonical(text: string): string {
  const doc = readJsonDocument(text);
  if (doc.status !== 'tree') throw new Error('not a JSON document');
  return stringifyDocument(doc.roots, doc.form);
}

/** Force the compact encoding (whatever its token count) — exercises every notation. */
function forceCompact(text: string): string {
  const doc = readJsonDocument(text);
  if (doc.status !== 'tree') throw new Error('not a JSON document');
  const plan = planEncoding(doc.roots);
  return plan === null ? stringifyDocument(doc.roots, doc.form) : encodeDocument(doc.roots, doc.form, plan);
}

const user = (login: string) => ({
  login,
  id: login.length * 1000,
  avatar_url: `https://avatars.example.com/u/${login}?v=4`,
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  followers_url: `https://api.github.com/users/${login}/followers`,
  repos_url: `https://api.github.com/users/${login}/repos`,
  type: 'User',
  site_admin: false,
});

const issues = Array.from({ length: 12 }, (_, i) => ({
  url: `https://api.github.com/repos/octo-org/hello/issues/${i + 1}`,
  comments_url: `https://api.github.com/repos/octo-org/hello/issues/${i + 1}/comments`,
  events_url: `https://api.github.com/repos/octo-org/hello/issues/${i + 1}/events`,
  number: i + 1,
  title: `Issue number ${i + 1}`,
  user: user(i % 3 === 0 ? 'octocat' : 'hubot'),
  state: i % 4 === 0 ? 'closed' : 'open',
  created_at: '2017-10-10T16:00:00Z',
}));

/** JSON values built from a small pool, so repeats, URL families, tables and `$` strings all occur. */
const pooled = (() => {
  const leaf = fc.oneof(
    fc.constantFrom('$', '$1', '$$2', '$cols', '$like', 'https://api.example.com/v1/items', 'https://api.example.com/v1/items/7/comments'),
    fc.constantFrom('https://api.example.com/v1/users/alice/followers', '2017-10-10T16:00:00Z', 'x::y::z', 'tests/a.py::T::test_b'),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(null, true, false, 12345678901234567890n),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 6 }),
      fc.dictionary(fc.constantFrom('id', 'url', 'user', 'name', '$ref', 'type', 'items', 'state', 'body'), tie('value'), { maxKeys: 7 }),
      fc.constant(issues.slice(2, 6).map((issue, i) => ({ ...issue, title: i % 2 ? issue.title : 'same' }))),
      fc.constant(user('octocat')),
      fc.constant(issues.slice(0, 4)),
    ),
  }));
  return value.map((v) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `__BIG${x}__` : x), 2).replace(/"__BIG(\d+)__"/g, '$1'));
})();

describe('jsonCompressor (lossless)', () => {
  it('factors repeated objects and URL families behind a legend, and decodes back exactly', () => {
    const input = JSON.stringify(issues, null, 2);
    const output = jsonCompressor.compress(input, lossless);
    expect(output.startsWith(LEGEND_PREFIX)).toBe(true);
    expect(output).toMatch(/^\$\d+=\{"login":"octocat"/m);
    expect(output).toMatch(/^\$1="https:\/\/api\.github\.com"$/m);
    expect(output).toMatch(/^\$2="\$1\/repos\/octo-org\/hello\/issues"$/m);
    expect(output).toContain('["$2/1","$2/1/comments","$2/1/events",1,"Issue number 1",');
    expect(decodeCompactJson(output)).toBe(JSON.stringify(issues));
    expect(countTokens(output)).toBeLessThan(0.7 * countTokens(JSON.stringify(issues)));
  });

  it('writes a uniform array as a table only where it wins', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `name-${i}`, stars: i * 17, defaultBranch: 'main' }));
    const output = jsonCompressor.compress(JSON.stringify(rows, null, 2), lossless);
    expect(output).toContain('{"$cols":["id","name","stars","defaultBranch"],"$rows":[[0,"name-0",0,"main"],');
    expect(decodeCompactJson(output)).toBe(JSON.stringify(rows));
    // Two tiny rows: a table would cost more than it saves.
    expect(jsonCompressor.compress('[{"a":1,"b":2},{"a":3,"b":4}]', lossless)).toBe('[{"a":1,"b":2},{"a":3,"b":4}]');
  });

  it('writes near-duplicate objects as a template plus the keys that differ', () => {
    const headers = (length: number) => ({
      'cache-control': 'private, max-age=60, s-maxage=60',
      connection: 'close',
      'content-length': String(length),
      'content-type': 'application/json; charset=utf-8',
      'x-frame-options': 'deny',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-resource': 'core',
    });
    const input = JSON.stringify([1, 2, 3, 4].map((n) => ({ status: 200, n, headers: headers(7000 + n) })), null, 2);
    const output = jsonCompressor.compress(input, lossless);
    expect(output).toContain('{"$like":"$');
    expect(output).toMatch(/\{"\$like":"\$\d+","content-length":"7002"\}/);
    expect(output).toContain('is the object $N with the keys listed after it changed');
    expect(decodeCompactJson(output)).toBe(canonical(input));
    const lookalike = JSON.stringify({ list: issues, t: { $like: '$1', a: 1 } });
    expect(jsonCompressor.compress(lookalike, lossless).startsWith(LEGEND_PREFIX)).toBe(false);
  });

  it('keeps big integers, number spelling and duplicate keys exactly', () => {
    const input = `[${Array.from({ length: 6 }, (_, i) => `{"id": 1234567890123456789${i}, "ratio": 1.50, "a": 1, "a": 2, "owner": {"name": "someone", "team": "platform-infrastructure"}}`).join(',\n')}]`;
    const output = jsonCompressor.compress(input, lossless);
    for (let i = 0; i < 6; i++) expect(output).toContain(`1234567890123456789${i}`);
    expect(output).toContain('1.50');
    const decoded = decodeCompactJson(output);
    expect(decoded).toBe(canonical(input));
    expect(decoded).toContain('"a":1,"a":2');
  });

  it('round-trips JSON Lines, one value per line', () => {
    const lines = issues.map((issue) => JSON.stringify({ type: 'issue', data: issue })).join('\n');
    const output = jsonCompressor.compress(lines, lossless);
    expect(output).toContain('JSON Lines');
    expect(decodeCompactJson(output)).toBe(canonical(lines));
  });

  it('escapes data strings that start with "$" and leaves data that looks like a table alone', () => {
    const input = JSON.stringify([...issues.slice(0, 3), { price: '$5', ref: '$1', money: '$$' }], null, 1);
    const output = jsonCompressor.compress(input, lossless);
    expect(output).toContain('"$$5"');
    expect(decodeCompactJson(output)).toBe(canonical(input));
    const lookalike = JSON.stringify({ list: issues, t: { $cols: ['a'], $rows: [[1]] } });
    const out2 = jsonCompressor.compress(lookalike, lossless);
    expect(out2.startsWith(LEGEND_PREFIX)).toBe(false);
    expect(JSON.parse(out2)).toEqual(JSON.parse(lookalike));
  });

  it('never throws and falls back gracefully on odd input', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(jsonCompressor.compress(deep, lossless)).toBe(deep);
    const deepPretty = '[\n'.repeat(10_000) + ']\n'.repeat(10_000);
    expect(jsonCompressor.compress(deepPretty, lossless)).toBe(deep);
    const truncated = JSON.stringify(issues, null, 2).slice(0, 3000);
    expect(jsonCompressor.compress(truncated, lossless)).toBe(truncated);
    expect(jsonCompressor.compress('not json at all', lossless)).toBe('not json at all');
    expect(jsonCompressor.compress('{"a":1}\n{"a":', lossless)).toBe('{"a":1}\n{"a":');
    expect(jsonCompressor.compress('"just a string"', lossless)).toBe('"just a string"');
  });

  it('decodes unicode escapes to characters (value-equal, fewer tokens)', () => {
    const input = JSON.stringify(issues).replace(/Issue number/g, 'Iss\\u00fce n\\u00famber');
    const output = jsonCompressor.compress(input, lossless);
    expect(output).toContain('Issüe númber 12');
    expect(JSON.parse(decodeCompactJson(output))).toEqual(JSON.parse(input));
    // Also when nothing repeats (plain minified output): ensure_ascii escapes become characters.
    expect(jsonCompressor.compress('{"a": "caf\\u00e9 na\\u00efve"}', lossless)).toBe('{"a":"café naïve"}');
  });

  it('round-trips arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), pooled), (text) => {
        const expected = canonical(text);
        expect(decodeCompactJson(forceCompact(text))).toBe(expected);
        expect(decodeCompactJson(jsonCompressor.compress(text, lossless))).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips arbitrary JSON Lines (property)', () => {
    fc.assert(
      fc.property(fc.array(pooled, { minLength: 2, maxLength: 8 }), (values) => {
        const text = values.map((v) => JSON.stringify(JSON.parse(v))).join('\n');
        expect(decodeCompactJson(forceCompact(text))).toBe(canonical(text));
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic and never larger through compress() (property)', () => {
    fc.assert(
      fc.property(pooled, fc.constantFrom('lossless', 'balanced', 'aggressive' as const), (text, mode) => {
        const a = compress(text, { mode, kind: 'json', minTokens: 0 });
        const b = compress(text, { mode, kind: 'json', minTokens: 0 });
        expect(a.output).toBe(b.output);
        expect(a.tokensAfter).toBeLessThanOrEqual(a.tokensBefore);
        if (mode === 'lossless') expect(a.lossless).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
