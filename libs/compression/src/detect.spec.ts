import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectKind } from './detect';

const lines = (...l: string[]) => l.join('\n');

describe('detectKind', () => {
  it.each([
    ['json', '{"a": 1, "b": [1, 2, 3]}'],
    ['json', '[\n  {"id": 1},\n  {"id": 2}\n]'],
    ['json', lines('{"type":"match","n":1}', '{"type":"match","n":2}', '{"type":"end"}')],
    ['diff', lines('diff --git a/x.ts b/x.ts', 'index 1..2 100644', '--- a/x.ts', '+++ b/x.ts', '@@ -1,3 +1,3 @@', ' a', '-b', '+c')],
    ['search', lines('src/a.ts:12:const x = 1;', 'src/a.ts:40:  return x;', 'src/lib/b.ts:3:import { x } from "./a";', 'src/lib/b.ts:9:x()')],
    ['listing', lines('./internal/dao/pod.go', './internal/dao/node.go', './internal/view/app.go', './cmd/root.go', './main.go')],
    ['listing', lines('.', '├── src', '│   ├── a.ts', '│   └── b.ts', '└── package.json')],
    ['code', lines('     1\timport os', '     2\t', '     3\tdef main():', '     4\t    print(os.getcwd())')],
    ['logs', lines('2024-05-01 10:00:01 INFO started', '2024-05-01 10:00:02 WARN slow disk', '2024-05-01 10:00:03 ERROR failed to open /x', '2024-05-01 10:00:04 INFO done')],
    ['html', '<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>'],
    ['code', lines('import { x } from "y";', '', 'export function f(a: number) {', '  if (a > 1) {', '    return a;', '  }', '  return 0;', '}')],
    ['text', 'Just a paragraph of prose that explains something in plain words, nothing else.'],
  ])('detects %s', (kind, input) => {
    expect(detectKind(input)).toBe(kind);
  });

  it('treats malformed input as something, never throwing: truncated JSON, orphaned +++, binary', () => {
    expect(detectKind('{"a": [1, 2, ')).not.toBe('json');
    expect(['text', 'code', 'diff']).toContain(detectKind(lines('+++ b/x.ts', '+a', '+b')));
    expect(detectKind('\u0000\u0001\u0002binary')).toBe('text');
    expect(detectKind('')).toBe('text');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        expect(typeof detectKind(s)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
