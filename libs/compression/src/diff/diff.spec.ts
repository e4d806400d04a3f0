import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { detectKind } from '../detect';
import type { CompressionMode, CompressorContext } from '../types';
import { diffCompressor, isLockFile } from './diff';
import { parseDiff, parseHunkHeader } from './hunks';

function ctxFor(mode: CompressionMode): CompressorContext & { elided: string[] } {
  const elided: string[] = [];
  return {
    mode,
    query: undefined,
    countTokens: (s) => Math.ceil(s.length / 4),
    elide(original, summary) {
      elided.push(original);
      return `[leeway: ${summary}; retrieve key=lw_0123456789abcdef]`;
    },
    elided,
  };
}

const ctxLine = (n: number): string => ` unchanged_line_${n} = call_something(argument_${n})`;

/** A modify-in-place diff: one hunk with 3 lines of context around two separated changes. */
const MODIFY = [
  'diff --git a/src/app.py b/src/app.py',
  'index 1111111..2222222 100644',
  '--- a/src/app.py',
  '+++ b/src/app.py',
  '@@ -10,14 +10,14 @@ def main():',
  ctxLine(10),
  ctxLine(11),
  ctxLine(12),
  '-    old_call(1)',
  '+    new_call(1)',
  '+    another_call(2)',
  ctxLine(14),
  ctxLine(15),
  ctxLine(16),
  ctxLine(17),
  ctxLine(18),
  ctxLine(19),
  '-    removed_line()',
  ctxLine(21),
  ctxLine(22),
  ctxLine(23),
  '',
].join('\n');

describe('diffCompressor', () => {
  it('changes nothing in lossless mode', () => {
    expect(diffCompressor.compress(MODIFY, ctxFor('lossless'))).toBe(MODIFY);
  });

  it('keeps headers and changed lines, and cuts context to one line with true counts', () => {
    const ctx = ctxFor('balanced');
    const out = diffCompressor.compress(MODIFY, ctx).split('\n');
    expect(out[0]).toBe('[leeway: unchanged context trimmed at each "… N unchanged lines"; retrieve key=lw_0123456789abcdef]');
    expect(ctx.elided).toEqual([MODIFY]);
    expect(out.slice(1, 6)).toEqual(MODIFY.split('\n').slice(0, 5));
    for (const line of MODIFY.split('\n')) if (/^[-+]/.test(line)) expect(out).toContain(line);
    expect(out).toEqual([
      out[0],
      ...MODIFY.split('\n').slice(0, 5),
      '… 2 unchanged lines',
      ctxLine(12),
      '-    old_call(1)',
      '+    new_call(1)',
      '+    another_call(2)',
      ctxLine(14),
      '… 4 unchanged lines',
      ctxLine(19),
      '-    removed_line()',
      ctxLine(21),
      '… 2 unchanged lines',
      '',
    ]);
  });

  it('keeps every hunk header true: shown lines plus cut lines add up to its counts', () => {
    const out = diffCompressor.compress(MODIFY, ctxFor('balanced')).split('\n');
    const header = parseHunkHeader(out.find((l) => l.startsWith('@@'))!)!;
    let oldLines = 0;
    let newLines = 0;
    for (const line of out.slice(6)) {
      const gap = /^… (\d+) unchanged lines$/.exec(line);
      if (gap) {
        oldLines += Number(gap[1]);
        newLines += Number(gap[1]);
      } else if (line.startsWith(' ')) {
        oldLines++;
        newLines++;
      } else if (line.startsWith('-')) oldLines++;
      else if (line.startsWith('+')) newLines++;
    }
    expect({ oldLines, newLines }).toEqual({ oldLines: header.oldCount, newLines: header.newCount });
  });

  it('puts the body of a deleted file and of a large lock-file diff behind markers', () => {
    const deleted = [
      'diff --git a/old.ts b/old.ts',
      'deleted file mode 100644',
      'index 3333333..0000000',
      '--- a/old.ts',
      '+++ /dev/null',
      '@@ -1,14 +0,0 @@',
      ...Array.from({ length: 14 }, (_, i) => `-export const value${i} = ${i};`),
    ];
    const lock = [
      'diff --git a/go.sum b/go.sum',
      'index 4444444..5555555 100644',
      '--- a/go.sum',
      '+++ b/go.sum',
      '@@ -1,7 +1,7 @@',
      ...Array.from({ length: 7 }, (_, i) => `-example.com/mod${i} v1.0.${i} h1:abc${i}=`),
      ...Array.from({ length: 7 }, (_, i) => `+example.com/mod${i} v1.1.${i} h1:def${i}=`),
    ];
    const out = diffCompressor.compress([...deleted, ...lock].join('\n'), ctxFor('balanced'));
    expect(out).toContain('@@ -1,14 +0,0 @@\n[leeway: 14 lines of deleted file old.ts omitted; retrieve key=lw_0123456789abcdef]\ndiff --git a/go.sum');
    expect(out).toContain('+++ b/go.sum\n[leeway: 1 hunk of lock file go.sum omitted (+7 −7 lines); retrieve key=lw_0123456789abcdef]');
    expect(out).not.toContain('export const value3');
  });

  it('keeps a small lock-file change', () => {
    const lock = ['--- a/pnpm-lock.yaml', '+++ b/pnpm-lock.yaml', '@@ -5,3 +5,3 @@', ' a: 1', '-b: 2', '+b: 3', ' c: 4'].join('\n');
    expect(diffCompressor.compress(lock, ctxFor('balanced'))).toBe(lock);
  });

  it('cuts long removed runs only in aggressive mode', () => {
    const diff = ['--- a/x.py', '+++ b/x.py', '@@ -1,20 +1,1 @@', ...Array.from({ length: 20 }, (_, i) => `-    legacy_function_call_${i}(argument)`), '+    replacement()'].join('\n');
    expect(diffCompressor.compress(diff, ctxFor('balanced'))).toBe(diff);
    const out = diffCompressor.compress(diff, ctxFor('aggressive'));
    expect(out).toContain('-    legacy_function_call_2(argument)\n… 16 removed lines\n-    legacy_function_call_19(argument)');
  });

  it('puts binary patch data behind a marker', () => {
    const diff = [
      'diff --git a/logo.png b/logo.png',
      'index 6666666..7777777 100644',
      'GIT binary patch',
      'literal 1024',
      'zcmV-q1Ag=Ad',
      'zcmV-q1Ag=Ae',
      'zcmV-q1Ag=Af',
      '',
      'diff --git a/a.txt b/a.txt',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1 +1 @@',
      '-x',
      '+y',
    ].join('\n');
    const out = diffCompressor.compress(diff, ctxFor('balanced'));
    expect(out).toContain('GIT binary patch\n[leeway: binary patch data of logo.png (5 lines) omitted; retrieve key=lw_0123456789abcdef]\ndiff --git a/a.txt');
  });

  it('tolerates malformed diffs: truncated hunks, +++ without ---, no hunks at all', () => {
    const truncated = MODIFY.split('\n').slice(0, 14).join('\n');
    const out = diffCompressor.compress(truncated, ctxFor('balanced'));
    for (const line of truncated.split('\n')) if (/^[-+@]/.test(line)) expect(out).toContain(line);
    const noMinus = ['+++ b/x', '@@ -1,2 +1,2 @@', ' a', '-b', '+c'].join('\n');
    expect(() => diffCompressor.compress(noMinus, ctxFor('balanced'))).not.toThrow();
    const headersOnly = 'diff --git a/x b/x\nold mode 100644\nnew mode 100755\n';
    expect(diffCompressor.compress(headersOnly, ctxFor('balanced'))).toBe(headersOnly);
  });

  it('leaves a git log alone', () => {
    const log = Array.from({ length: 60 }, (_, i) => `${(0xabc000 + i).toString(16)} fix: handle case ${i} in the parser`).join('\n');
    expect(detectKind(log)).not.toBe('diff');
    expect(diffCompressor.compress(log, ctxFor('balanced'))).toBe(log);
    expect(compress(log, { kind: 'diff', mode: 'aggressive' }).output).toBe(log);
  });

  it('never throws, is deterministic and keeps every changed line (property)', () => {
    const line = fc.oneof(
      fc.constantFrom(' ctx line with some words', '-removed', '+added', '', '\\ No newline at end of file', '@@ -1,3 +1,3 @@', '--- a/f', '+++ b/f'),
      fc.string({ maxLength: 16 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), fc.constantFrom<CompressionMode>('balanced', 'aggressive'), (lines, mode) => {
        const input = ['diff --git a/f b/f', '--- a/f', '+++ b/f', '@@ -1,8 +1,8 @@', ...lines].join('\n');
        const out = diffCompressor.compress(input, ctxFor(mode));
        expect(diffCompressor.compress(input, ctxFor(mode))).toBe(out);
        if (mode === 'balanced') {
          // Every changed line of a parsed hunk survives balanced mode, in order.
          const inputLines = input.split('\n');
          const changed: string[] = [];
          for (const section of parseDiff(inputLines)) {
            for (const hunk of section.hunks) {
              hunk.kinds.forEach((kind, k) => {
                if (kind === 'added' || kind === 'removed') changed.push(inputLines[hunk.start + k]!);
              });
            }
          }
          const outLines = out.split('\n');
          let at = 0;
          for (const c of changed) {
            at = outLines.indexOf(c, at);
            expect(at).toBeGreaterThanOrEqual(0);
            at++;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('isLockFile', () => {
  it('knows common lock files', () => {
    expect(isLockFile('go.sum')).toBe(true);
    expect(isLockFile('web/package-lock.json')).toBe(true);
    expect(isLockFile('Cargo.lock')).toBe(true);
    expect(isLockFile('src/lock.ts')).toBe(false);
  });
});
