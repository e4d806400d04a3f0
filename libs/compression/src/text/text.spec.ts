import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { foldIdenticalRuns, foldRepeatedParagraphs } from './text';

describe('text compressor', () => {
  it('folds runs of identical lines with a count, keeping short runs', () => {
    expect(foldIdenticalRuns(['a', 'b', 'b', 'b', 'b', 'c', 'c'])).toEqual([
      'a',
      'b',
      '[leeway: the line above repeats 3 more times]',
      'c',
      'c',
    ]);
  });

  it('never folds blank lines or changes indentation', () => {
    expect(foldIdenticalRuns(['', '', '', ''])).toEqual(['', '', '', '']);
    expect(foldIdenticalRuns(['  x', '  x', '  x'])).toEqual(['  x', '[leeway: the line above repeats 2 more times]']);
  });

  it('replaces a repeated paragraph by a pointer to its first occurrence', () => {
    const para = ['Traceback (most recent call last):', '  File "a.py", line 3, in <module>', '    main()', 'ValueError: boom — a long enough message to count'];
    const out = foldRepeatedParagraphs([...para, '', 'other', '', ...para]);
    expect(out.slice(0, 4)).toEqual(para);
    expect(out.at(-1)).toBe('[leeway: 4 lines identical to the block starting at output line 1]');
  });

  it('compresses repetitive text end to end and stays lossless', () => {
    const input = Array.from({ length: 200 }, () => 'retrying connection to db-primary:5432 ...').join('\n');
    const r = compress(input, { kind: 'text', mode: 'balanced' });
    expect(r.changed).toBe(true);
    expect(r.lossless).toBe(true);
    expect(r.output).toContain('repeats 199 more times');
  });
});
