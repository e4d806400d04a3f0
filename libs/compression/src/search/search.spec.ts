import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { detectKind } from '../detect';
import { findMarkerKeys } from '../markers';
import { tokenCounter } from '../tokenizer';
import type { CompressionMode, CompressorContext } from '../types';
import { decodeGrouped } from './grep-group';
import { formatLineNumbers, searchCompressor } from './search';

const countTokens = tokenCounter('o200k_base');

function context(mode: CompressionMode, query?: string): CompressorContext & { originals: Map<string, string> } {
  const originals = new Map<string, string>();
  return {
    mode,
    query,
    countTokens,
    originals,
    elide(original, summary) {
      if (mode === 'lossless') throw new Error('elide in lossless mode');
      const key = `lw_${String(originals.size).padStart(16, '0')}`;
      originals.set(key, original);
      return `[leeway: ${summary}; retrieve key=${key}]`;
    },
  };
}

function decode(text: string): string {
  return decodeGrouped(text.split('\n'))!.join('\n');
}

/** `rg -n -C 1` style output: `files` files, `hits` matches each, 1 line of context. */
function rgContext(files: number, hits: number): string {
  const out: string[] = [];
  for (let f = 0; f < files; f++) {
    const path = `internal/dao/file_${f}.go`;
    for (let h = 0; h < hits; h++) {
      const n = 10 + h * 20;
      if (out.length > 0) out.push('--');
      out.push(`${path}-${n - 1}-\tif err != nil {`);
      out.push(`${path}:${n}:\t\treturn fmt.Errorf("failed to load item ${f}.${h}: %w", err)`);
      out.push(`${path}-${n + 1}-\t}`);
    }
  }
  return out.join('\n');
}

/** Every `N:text` / `N-text` line of the output must be line N of that file in the input. */
function expectTrueLineNumbers(input: string, output: string): void {
  const prefix = /paths relative to ([^\];,)]+)/.exec(output)?.[1] ?? '';
  const truth = new Map<string, string>();
  for (const line of input.split('\n')) {
    const m = /^(.+?)([:-])(\d+)\2(.*)$/.exec(line);
    if (m) truth.set(`${m[1]!}\u0000${m[3]!}`, `${m[2]!}${m[4]!}`);
  }
  let path: string | null = null;
  const lines = output.split('\n');
  lines.forEach((line, i) => {
    const m = /^(\d+)([:-])(.*)$/.exec(line);
    if (m && path !== null) {
      expect(truth.get(`${path}\u0000${m[1]!}`)).toBe(`${m[2]!}${m[3]!}`);
    } else if (!m && /^\d+[:-]/.test(lines[i + 1] ?? '')) {
      path = prefix + line;
    }
  });
}

describe('search detection', () => {
  it('takes grep output with and without line numbers, not logs or test runs', () => {
    const plain = Array.from({ length: 12 }, (_, i) => `./src/mod${i % 3}/f${i}.py:    def handler_${i}(self):`);
    const iso = Array.from({ length: 12 }, (_, i) => `2024-01-15T10:00:${String(i).padStart(2, '0')}.123Z INFO worker-${i} done`);
    const pytest = Array.from({ length: 12 }, (_, i) => `tests/test_api.py::test_case_${i} PASSED [ ${i * 8}%]`);
    expect(detectKind(plain.join('\n'))).toBe('search');
    expect(detectKind(rgContext(3, 3))).toBe('search');
    expect(detectKind(iso.join('\n'))).not.toBe('search');
    expect(detectKind(pytest.join('\n'))).not.toBe('search');
  });
});

describe('formatLineNumbers', () => {
  it('writes runs as ranges and stops after eight items', () => {
    expect(formatLineNumbers(['2', '3', '5', '6', '7', '9'])).toBe('2-3, 5-7, 9');
    expect(formatLineNumbers(['1', '3', '5', '7', '9', '11', '13', '15', '17', '19'])).toBe('1, 3, 5, 7, 9, 11, 13, 15, …');
  });
});

describe('searchCompressor lossless', () => {
  it('groups matches by file, writes the shared prefix once, and decodes exactly', () => {
    const input = rgContext(4, 3);
    const out = searchCompressor.compress(input, context('lossless'));
    expect(out.split('\n').slice(0, 5)).toEqual([
      '[leeway: matches grouped by file: path line, then N:match and N-context lines; paths relative to internal/dao/]',
      'file_0.go',
      '9-\tif err != nil {',
      '10:\t\treturn fmt.Errorf("failed to load item 0.0: %w", err)',
      '11-\t}',
    ]);
    expect(decode(out)).toBe(input);
    expect(countTokens(out)).toBeLessThan(countTokens(input) * 0.7);
  });

  it('groups grep -r output without line numbers', () => {
    const input = ['./pkg/a.py:def run():', './pkg/a.py:    run()', './pkg/b.py:run = 1', './pkg/c.py:x = run'].join('\n');
    const out = searchCompressor.compress(input, context('lossless'));
    expect(out.split('\n').slice(1, 4)).toEqual(['a.py', '  def run():', '      run()']);
    expect(decode(out)).toBe(input);
  });

  const path = fc.constantFrom('src/a.ts', 'src/b-1-c.ts', 'lib/x.py', 'x.go', 'deep/er/path/f.rs');
  const text = fc.constantFrom('', 'x', '  indented: 12: x', '--', 'foo-3-bar', '\tt\r', '12:34', 'a:1:b');
  const record = fc.record({
    path,
    num: fc.integer({ min: 1, max: 999 }),
    sep: fc.constantFrom(':', '-'),
    text,
  });

  it('decodes inline output exactly, whatever the records (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(record, fc.constant('--' as const), fc.constant('OTHER' as const)), { maxLength: 40 }),
        (rows) => {
          const lines = rows.map((r) =>
            r === '--' ? '--' : r === 'OTHER' ? 'grep: warning: x' : `${r.path}${r.sep}${r.num}${r.sep}${r.text}`,
          );
          const input = lines.join('\n');
          const out = searchCompressor.compress(input, context('lossless'));
          expect(decode(out)).toBe(input);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decodes rg --heading output exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(path, fc.array(fc.tuple(fc.nat(500), fc.constantFrom(':', '-'), text), { minLength: 1, maxLength: 5 }))),
        (files) => {
          const input = files
            .map(([p, rows]) => [`packages/mono/${p}`, ...rows.map(([n, sep, t]) => `${n}${sep}${t}`)].join('\n'))
            .join('\n\n');
          const out = searchCompressor.compress(input, context('lossless'));
          expect(decode(out)).toBe(input);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('searchCompressor balanced', () => {
  it('cuts context before matches and keeps every match while that is enough', () => {
    const input = rgContext(20, 4);
    const out = searchCompressor.compress(input, context('balanced'));
    expect(countTokens(out)).toBeLessThanOrEqual(countTokens(input) * 0.6);
    expect(out.match(/^\d+:/gm)).toHaveLength(80);
    expectTrueLineNumbers(input, out);
  });

  it('caps matches per file with the omitted line numbers, and keeps relevant ones', () => {
    const lines: string[] = [];
    for (let i = 1; i <= 120; i++) lines.push(`sweagent/agent/agents.py:${i * 3}:        self.history.append(entry_${i})  # keep history`);
    for (let i = 1; i <= 5; i++) lines.push(`sweagent/run/run.py:${i}:import history_${i}`);
    const input = lines.join('\n');
    const ctx = context('balanced', 'where is entry_77 appended');
    const out = searchCompressor.compress(input, ctx);
    expect(countTokens(out)).toBeLessThanOrEqual(countTokens(input) * 0.6);
    expect(out).toContain('231:        self.history.append(entry_77)');
    expect(out).toMatch(/\[\+\d+ more matches in this file: lines \d+, \d+/);
    expect(out).toContain('sweagent/run/run.py\n1:import history_1');
    expectTrueLineNumbers(input, out);
    expect([...ctx.originals.values()]).toEqual([input]);
  });

  it('names files it has no room for, tests first', () => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      lines.push(`internal/render/kind${i}.go:${30 + i}:func (k Kind${i}) Render(o any, _ string, row *model1.Row) error {`);
      lines.push(`internal/render/kind${i}_test.go:${15 + i}:func TestKind${i}Render(t *testing.T) {`);
    }
    const input = lines.join('\n');
    const out = searchCompressor.compress(input, context('balanced'));
    expect(countTokens(out)).toBeLessThanOrEqual(countTokens(input) * 0.6);
    expect(out).toMatch(/\[\d+ matches in \d+ more files, not shown:\]/);
    expect(out).toContain('kind0.go\n30:func (k Kind0) Render');
    expectTrueLineNumbers(input, out);
  });

  it('returns small or already compact output unchanged', () => {
    const input = ['src/a.py:3:def f():', 'src/b.py:9:def g():'].join('\n');
    expect(compress(input, { mode: 'balanced' }).output).toBe(input);
  });

  it('is deterministic and never grows the input; markers resolve', () => {
    const input = rgContext(30, 6);
    expect(detectKind(input)).toBe('search');
    const a = compress(input, { mode: 'balanced' });
    const b = compress(input, { mode: 'balanced' });
    expect(a.output).toBe(b.output);
    for (const mode of ['lossless', 'balanced', 'aggressive'] as const) {
      const r = compress(input, { mode });
      expect(r.kind).toBe('search');
      expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      for (const key of findMarkerKeys(r.output)) expect(r.originals[key]).toBe(input);
      if (mode === 'lossless') expect(decode(r.output)).toBe(input);
    }
  });

  it('survives arbitrary text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('lossless', 'balanced') as fc.Arbitrary<CompressionMode>, (t, mode) => {
        const out = searchCompressor.compress(t, context(mode));
        expect(typeof out).toBe('string');
        if (mode === 'lossless') expect(decode(out)).toBe(t);
      }),
      { numRuns: 300 },
    );
  });
});
