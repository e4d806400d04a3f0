// The logs compressor on real LogHub excerpts (test/fixtures/logs): detection, lossless round trip, and the
// accounting of the lossy summary. Unit tests on synthetic logs live beside the code (src/logs/*.spec.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compress } from '../src/compress';
import { detectKind } from '../src/detect';
import { findMarkerKeys } from '../src/markers';
import { approximateTokens } from '../src/tokenizer';
import type { CompressionMode, CompressorContext } from '../src/types';
import { unfoldRuns } from '../src/logs/fold-runs';
import { readSeverity } from '../src/logs/log-line';
import { logsCompressor } from '../src/logs/logs';
import { parseRecords } from '../src/logs/records';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/logs');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.log'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(fixturesDir, name), 'utf8') }));

const GAP_RE = /^… lines? ([\d,]+)(?:–([\d,]+))? omitted(?: \(([\d,]+) errors?\/warnings? among them\))? …$/;
const num = (s: string): number => Number(s.replace(/,/g, ''));

/** The lines of a log as the compressor counts them (a final newline ends the last line). */
function logLines(input: string): string[] {
  const lines = input.split('\n');
  return lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
}

/**
 * Walk the verbatim block: every kept line must be the input line the gap notes say it is (line numbers stay
 * true). Returns the input line indices shown and the errors/warnings the gap notes count.
 */
function checkStream(input: string, output: string): { shown: Set<number>; inGaps: number } {
  const lines = logLines(input);
  const out = output.split('\n');
  const shown = new Set<number>();
  let inGaps = 0;
  const start = out.findIndex((l) => l.startsWith('[leeway: errors/warnings with neighbouring lines'));
  if (start < 0) return { shown, inGaps };
  let next = 0; // index of the input line expected next
  for (const line of out.slice(start + 1)) {
    const gap = GAP_RE.exec(line);
    if (gap) {
      expect(num(gap[1]!) - 1).toBe(next);
      next = num(gap[2] ?? gap[1]!);
      inGaps += gap[3] === undefined ? 0 : num(gap[3]);
      continue;
    }
    expect(line).toBe(lines[next]);
    shown.add(next);
    next++;
  }
  expect(next).toBe(lines.length);
  return { shown, inGaps };
}

function run(input: string, mode: CompressionMode, query?: string) {
  return compress(input, { mode, keySecret: 'test-secret', ...(query ? { query } : {}) });
}

describe('logs detection', () => {
  it.each(fixtures.map((f) => [f.name, f.text] as const))('detects %s as logs, whole and in windows', (_name, text) => {
    expect(detectKind(text)).toBe('logs');
    const lines = text.split('\n');
    for (let s = 0; s + 20 <= lines.length; s += 20) expect(detectKind(lines.slice(s, s + 20).join('\n'))).toBe('logs');
  });
});

describe('logs compressor, lossless', () => {
  it.each(fixtures.map((f) => [f.name, f.text] as const))('%s: the output rebuilds the input exactly', (_name, text) => {
    const r = run(text, 'lossless');
    expect(r.lossless).toBe(true);
    expect(Object.keys(r.originals)).toEqual([]);
    expect(unfoldRuns(r.output.split('\n')).join('\n')).toBe(text);
  });

  it('never elides (the context refuses to)', () => {
    const ctx: CompressorContext = {
      mode: 'lossless',
      query: undefined,
      countTokens: approximateTokens,
      elide: () => {
        throw new Error('elide in lossless mode');
      },
    };
    const text = fixtures.find((f) => f.name === 'apache.log')!.text;
    const out = logsCompressor.compress(text, ctx);
    expect(out).not.toBe(text);
    expect(unfoldRuns(out.split('\n')).join('\n')).toBe(text);
  });
});

describe('logs compressor, balanced and aggressive', () => {
  for (const mode of ['balanced', 'aggressive'] as const) {
    it.each(fixtures.map((f) => [f.name, f.text] as const))(`%s (${mode}): every error line is shown or counted, markers resolve`, (_name, text) => {
      const r = run(text, mode);
      expect(r.changed).toBe(true);
      expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
      const keys = findMarkerKeys(r.output);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(r.originals[key]).toBe(text);
      const { shown, inGaps } = checkStream(text, r.output);
      const header = /^\[leeway: ([\d,]+) of ([\d,]+) log lines omitted/.exec(r.output);
      expect(header).not.toBeNull();
      expect(num(header![2]!)).toBe(logLines(text).length);
      expect(num(header![1]!)).toBe(logLines(text).length - shown.size);
      // Every error/warning record is either verbatim in the block or counted by the gap note where it was.
      const important = parseRecords(logLines(text)).records.filter((rec) => rec.important);
      const visible = important.filter((rec) => shown.has(rec.start)).length;
      expect(visible + inGaps).toBe(important.length);
      // ... and the first one is always verbatim.
      if (important.length > 0) expect(shown.has(important[0]!.start)).toBe(true);
    });
  }

  it('keeps the lines most relevant to the task query', () => {
    const text = fixtures.find((f) => f.name === 'hdfs.log')!.text;
    const id = 'blk_1689772850125323349';
    const line = text.split('\n').find((l) => l.includes(id) && !readSeverity(l).important);
    expect(line).toBeDefined();
    expect(run(text, 'balanced').output.split('\n')).not.toContain(line);
    expect(run(text, 'balanced', `why was ${id} deleted?`).output.split('\n')).toContain(line);
  });

  it('is deterministic', () => {
    for (const f of fixtures) {
      for (const mode of ['lossless', 'balanced', 'aggressive'] as const) expect(run(f.text, mode).output).toBe(run(f.text, mode).output);
    }
  });
});
