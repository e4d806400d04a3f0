import { describe, expect, it } from 'vitest';
import { formatItem, parseSearch, type SearchItem } from './grep-parse';

function parse(text: string): SearchItem[] {
  return parseSearch(text.split('\n'));
}

describe('parseSearch', () => {
  it('reads path:line:text matches and path-line-text context lines', () => {
    const items = parse(['a/b.go-47-\tctx', 'a/b.go:48:\tif x {', '--', 'c.go:3:y'].join('\n'));
    expect(items).toEqual([
      { type: 'record', style: 'inline', path: 'a/b.go', num: '47', sep: '-', text: '\tctx' },
      { type: 'record', style: 'inline', path: 'a/b.go', num: '48', sep: ':', text: '\tif x {' },
      { type: 'separator', raw: '--' },
      { type: 'record', style: 'inline', path: 'c.go', num: '3', sep: ':', text: 'y' },
    ]);
  });

  it('uses the path of a nearby match for context lines of hyphenated paths', () => {
    const items = parse(['my-1-file.go-11-before', 'my-1-file.go:12:match', 'my-1-file.go-13-after'].join('\n'));
    expect(items.map((i) => (i.type === 'record' ? [i.path, i.num, i.sep, i.text] : i.type))).toEqual([
      ['my-1-file.go', '11', '-', 'before'],
      ['my-1-file.go', '12', ':', 'match'],
      ['my-1-file.go', '13', '-', 'after'],
    ]);
  });

  it('reads rg --heading groups, with -- between groups of one file', () => {
    const items = parse(['src/a.py', '3:def f():', '--', '9-x', '10:def g():', '', 'src/b.py', '1:import os'].join('\n'));
    expect(items.map((i) => i.type)).toEqual(['heading', 'record', 'separator', 'record', 'record', 'other', 'heading', 'record']);
    expect(items[4]).toEqual({ type: 'record', style: 'heading', path: 'src/a.py', num: '10', sep: ':', text: 'def g():' });
  });

  it('reads grep without line numbers only when nothing numbered is there', () => {
    const items = parse(['./tests/test_a.py:def test_x():', './a.py:    x = 1', 'Binary file b.bin matches'].join('\n'));
    expect(items.map((i) => (i.type === 'record' ? `${i.style}:${i.path}` : i.type))).toEqual([
      'plain:./tests/test_a.py',
      'plain:./a.py',
      'other',
    ]);
  });

  it('keeps prose and timestamps as other lines', () => {
    const items = parse(['Found 3 matches:', '2024-01-01 12:30:45 INFO started', 'Error at line 12: bad'].join('\n'));
    expect(items.every((i) => i.type === 'other')).toBe(true);
  });

  it('prints every item back as it was', () => {
    const lines = ['x', 'a.go-1-p', 'a.go:2:q', '--', 'b.go:7:r', '', 'h.py', '4:s', '5-t'];
    expect(parseSearch(lines).map(formatItem)).toEqual(lines);
  });
});
