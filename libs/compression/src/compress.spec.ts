import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress, DEFAULT_MIN_TOKENS } from './compress';
import { findMarkerKeys } from './markers';
import { COMPRESSION_MODES, SEGMENT_KINDS, type CompressOptions, type CompressionResult } from './types';

const SECRET = 'spec-secret';

function checkInvariants(input: string, r: CompressionResult): void {
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (input.trim().length > 0) expect(r.output.trim().length).toBeGreaterThan(0);
  if (!r.changed) expect(r.output).toBe(input);
  const keys = findMarkerKeys(r.output);
  for (const key of keys) expect(r.originals[key]).toBeDefined();
  expect(Object.keys(r.originals).sort()).toEqual([...keys].sort());
  expect(r.lossless).toBe(keys.length === 0);
}

/** Inputs shaped like tool outputs, so the property tests reach every compressor, not just the floor. */
const logLine = fc
  .tuple(fc.integer({ min: 0, max: 59 }), fc.constantFrom('INFO', 'WARN', 'ERROR', 'DEBUG'), fc.constantFrom('worker', 'db', 'api'), fc.nat(500))
  .map(([s, level, comp, n]) => `2024-05-01 10:00:${String(s).padStart(2, '0')} ${level} [${comp}] handled request ${n} in ${n % 17} ms`);
const grepLine = fc
  .tuple(fc.constantFrom('src/a.ts', 'src/lib/b.ts', 'test/c.spec.ts'), fc.integer({ min: 1, max: 400 }), fc.string({ maxLength: 40 }))
  .map(([p, n, t]) => `${p}:${n}:${t.replace(/\n/g, ' ')}`);
const pathLine = fc
  .tuple(fc.constantFrom('./internal/dao', './internal/view', './cmd', './pkg/util'), fc.stringMatching(/^[a-z_]{1,12}$/), fc.constantFrom('.go', '_test.go', '.md'))
  .map(([d, n, e]) => `${d}/${n}${e}`);
const jsonRows = fc.array(
  fc.record({ id: fc.nat(), name: fc.constantFrom('alice', 'bob', 'carol'), state: fc.constantFrom('open', 'closed'), url: fc.nat(99).map((n) => `https://api.github.com/repos/o/r/issues/${n}`) }),
  { minLength: 1, maxLength: 120 },
);
const toolOutput = fc.oneof(
  fc.array(logLine, { minLength: 1, maxLength: 300 }).map((l) => l.join('\n')),
  fc.array(grepLine, { minLength: 1, maxLength: 300 }).map((l) => l.join('\n')),
  fc.array(pathLine, { minLength: 1, maxLength: 300 }).map((l) => l.join('\n')),
  jsonRows.map((rows) => JSON.stringify(rows, null, 2)),
  fc.json(),
  fc.string({ maxLength: 3000 }),
  fc.array(fc.constantFrom('same line again', '', '  indented', 'other'), { maxLength: 400 }).map((l) => l.join('\n')),
);

describe('compress: gates', () => {
  it('returns tiny outputs (ls -la, git status) unchanged', () => {
    const input = 'On branch main\nYour branch is up to date with origin/main.\n\nnothing to commit, working tree clean\n';
    const r = compress(input);
    expect(r).toMatchObject({ output: input, changed: false, skipped: 'below-floor', lossless: true });
    expect(r.tokensBefore).toBeLessThan(DEFAULT_MIN_TOKENS);
  });

  it('returns empty and whitespace-only input unchanged', () => {
    for (const input of ['', '   ', '\n\n\t\n']) {
      const r = compress(input);
      expect(r.output).toBe(input);
      expect(r.skipped).toBe('empty');
    }
  });

  it('returns the input when the gain is below the minimum', () => {
    // One run of five identical lines among 200 distinct ones: folding it saves about 2 % of the tokens.
    const distinct = Array.from({ length: 200 }, (_, i) => `line ${i} with distinct text ${i * 7919}`);
    const run = Array.from({ length: 5 }, () => 'the very same line of text repeated here');
    const input = [...distinct.slice(0, 100), ...run, ...distinct.slice(100)].join('\n');
    expect(compress(input, { kind: 'text', minGain: 0 }).changed).toBe(true);
    const r = compress(input, { kind: 'text' });
    expect(r.changed).toBe(false);
    expect(r.skipped).toBe('below-min-gain');
  });

  it('rejects a nonsensical minGain option', () => {
    expect(() => compress('x', { minGain: 2 })).toThrow(/minGain/);
  });

  it('never outputs whitespace-only text for non-empty input, even if a compressor would', () => {
    const r = compress('a\n'.repeat(400), { kind: 'text' });
    expect(r.output.trim().length).toBeGreaterThan(0);
  });
});

describe('compress: properties (all modes, all kinds)', () => {
  it('is deterministic, never larger, and every marker key resolves to an original', () => {
    fc.assert(
      fc.property(toolOutput, fc.constantFrom(...COMPRESSION_MODES), fc.option(fc.constantFrom('error', 'alice', 'dao'), { nil: undefined }), (input, mode, query) => {
        const options: CompressOptions = { mode, keySecret: SECRET, minTokens: 16, ...(query ? { query } : {}) };
        const a = compress(input, options);
        const b = compress(input, options);
        expect(b.output).toBe(a.output);
        expect(b.originals).toEqual(a.originals);
        checkInvariants(input, a);
        if (mode === 'lossless') expect(a.lossless).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps originals byte-exact: every elided piece is a substring of the input or the input itself', () => {
    fc.assert(
      fc.property(toolOutput, (input) => {
        const r = compress(input, { mode: 'aggressive', keySecret: SECRET, minTokens: 16 });
        for (const original of Object.values(r.originals)) expect(input.includes(original)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('derives different keys for different tenants', () => {
    const input = Array.from({ length: 400 }, (_, i) => `2024-05-01 10:00:00 INFO [db] handled request ${i} in ${i % 13} ms`).join('\n');
    const a = compress(input, { keySecret: 'tenant-a' });
    const b = compress(input, { keySecret: 'tenant-b' });
    const ka = Object.keys(a.originals);
    const kb = Object.keys(b.originals);
    for (const k of ka) expect(kb).not.toContain(k);
  });
});

describe('compress: adversarial inputs finish and never throw', () => {
  const cases: [string, () => string][] = [
    ['deeply nested JSON array', () => '['.repeat(100_000) + ']'.repeat(100_000)],
    ['deeply nested JSON object', () => '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)],
    ['truncated JSON', () => JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: i, v: 'x'.repeat(i % 17) }))).slice(0, 30_000)],
    ['10 MB single line', () => 'abcdefghij'.repeat(1_000_000)],
    ['invalid UTF-8 decoded', () => Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i % 7 === 0 ? 0xff : 0x41 + (i % 26)))).toString('utf8')],
    ['orphaned +++ lines', () => Array.from({ length: 500 }, (_, i) => (i % 10 === 0 ? `+++ b/file${i}.txt` : `+added line ${i}`)).join('\n')],
    ['hunk headers without files', () => Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? `@@ -${i},3 +${i},4 @@` : ` context ${i}`)).join('\n')],
    ['NUL bytes', () => 'bin\u0000ary '.repeat(5000)],
    ['only newlines', () => '\n'.repeat(100_000)],
    ['lone surrogates', () => '\ud800x\udc00y'.repeat(20_000)],
    ['a huge number of tiny lines', () => 'a\n'.repeat(500_000)],
  ];
  for (const [name, make] of cases) {
    for (const mode of COMPRESSION_MODES) {
      it(`${name} (${mode})`, { timeout: 20_000 }, () => {
        const input = make();
        const r = compress(input, { mode, keySecret: SECRET });
        checkInvariants(input, r);
      });
    }
  }

  it('forcing every kind on arbitrary input never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4000 }), fc.constantFrom(...SEGMENT_KINDS), fc.constantFrom(...COMPRESSION_MODES), (input, kind, mode) => {
        checkInvariants(input, compress(input, { kind, mode, minTokens: 1 }));
      }),
      { numRuns: 200 },
    );
  });
});
