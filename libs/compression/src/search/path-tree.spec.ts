import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildDirTree,
  chooseFolds,
  countFiles,
  decodePathTree,
  encodePathTree,
  extensionClass,
  isEncodablePath,
  keepOrder,
  renderDirTree,
  spreadOrder,
  splitPath,
  summarizeClasses,
} from './path-tree';

const none = new Set<never>();

describe('splitPath', () => {
  it('keeps each directory with its slash', () => {
    expect(splitPath('./internal/dao/pod.go')).toEqual({ dirs: ['./', 'internal/', 'dao/'], base: 'pod.go' });
    expect(splitPath('/testbed/a.py')).toEqual({ dirs: ['/', 'testbed/'], base: 'a.py' });
    expect(splitPath('README.md')).toEqual({ dirs: [], base: 'README.md' });
  });
});

describe('encodePathTree / decodePathTree', () => {
  it('groups files under their directory line and indents subdirectories', () => {
    const paths = ['./cmd/info.go', './cmd/root.go', './internal/dao/pod.go', './internal/dao/svc.go', './main.go'];
    expect(encodePathTree(paths)).toEqual([
      './',
      '  cmd/ info.go root.go',
      '  internal/dao/ pod.go svc.go',
      '  main.go',
    ]);
  });

  it('continues a directory after a subdirectory, as sorted listings interleave them', () => {
    const paths = ['run/a.py', 'run/hooks/x.py', 'run/z.py'];
    const lines = encodePathTree(paths)!;
    expect(lines).toEqual(['run/ a.py', '  hooks/ x.py', '  z.py']);
    expect(decodePathTree(lines)!.paths).toEqual(paths);
  });

  it('round-trips revisited directories, root files, absolute paths and empty components', () => {
    const paths = ['a/x', 'b/y', 'a/z', 'README', '/abs/p.txt', 'c//d.txt', 'LICENSE', 'a/x'];
    expect(decodePathTree(encodePathTree(paths)!)!.paths).toEqual(paths);
  });

  it('refuses paths it cannot carry', () => {
    expect(isEncodablePath('dir/with space.txt')).toBe(false);
    expect(isEncodablePath('docs/')).toBe(false);
    expect(isEncodablePath('')).toBe(false);
    expect(encodePathTree(['ok.txt', 'not ok.txt'])).toBeNull();
  });

  it('rejects lines that are not in the notation', () => {
    expect(decodePathTree([' odd-indent'])).toBeNull();
    expect(decodePathTree(['    too/ deep'])).toBeNull();
    expect(decodePathTree(['a/ b//'])).toBeNull();
  });

  it('stops after the requested number of paths', () => {
    const decoded = decodePathTree(['a/ x y', 'trailer line'], 2)!;
    expect(decoded).toEqual({ paths: ['a/x', 'a/y'], consumed: 1 });
  });

  const component = fc.constantFrom('src', 'lib', 'a', 'b-c', '.github', 'x_y', '', '.', '..', 'tests', 'd.e');
  const file = fc.constantFrom('index.ts', 'a.go', 'a_test.go', 'README', 'x.y.z', '.env', 'f-1.txt');
  const path = fc
    .tuple(fc.array(component, { maxLength: 4 }), file)
    .map(([dirs, base]) => [...dirs, base].join('/'));

  it('decodes every encodable sequence back exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(path, { maxLength: 60 }), (paths) => {
        const lines = encodePathTree(paths);
        expect(lines).not.toBeNull();
        expect(decodePathTree(lines!)!.paths).toEqual(paths);
      }),
      { numRuns: 300 },
    );
  });
});

describe('lossy tree rendering', () => {
  const paths = [
    ...Array.from({ length: 30 }, (_, i) => `internal/dao/f${String(i).padStart(2, '0')}.go`),
    ...Array.from({ length: 10 }, (_, i) => `internal/dao/f${String(i).padStart(2, '0')}_test.go`),
    'internal/view/app.go',
    'README.md',
  ];
  const tree = buildDirTree(paths);

  it('caps files per directory and counts the rest by extension', () => {
    const r = renderDirTree(tree, { cap: 4, folded: none, forced: none });
    expect(r.lines[0]).toBe('README.md');
    expect(r.lines[1]).toBe('internal/');
    expect(r.lines[2]).toMatch(/^ {2}dao\/( f\d\d\.go){4} \[\+36 more: 26 \.go, 10 _test\.go\]$/);
    expect(r.lines[3]).toBe('  view/ app.go');
    expect(r.shown + r.omitted).toBe(countFiles(tree));
  });

  it('always shows forced (task-relevant) paths', () => {
    const r = renderDirTree(tree, { cap: 1, folded: none, forced: new Set(['internal/dao/f07_test.go']) });
    expect(r.lines.join('\n')).toContain('f07_test.go');
  });

  it('folds a subtree into one summary line', () => {
    const dao = tree.dirs.get('internal/')!.dirs.get('dao/')!;
    const r = renderDirTree(tree, { cap: 4, folded: new Set([dao]), forced: none });
    expect(r.lines).toContain('  dao/ [40 files: 30 .go, 10 _test.go]');
  });

  it('names a file list already shown instead of repeating it', () => {
    const regions = ['us-east-1.json', 'eu-west-1.json', 'ap-south-1.json'];
    const t = buildDirTree([...regions.map((f) => `res/a/${f}`), ...regions.map((f) => `res/b/${f}`)]);
    const r = renderDirTree(t, { cap: 10, folded: none, forced: none });
    expect(r.lines).toEqual(['res/', '  a/ us-east-1.json eu-west-1.json ap-south-1.json', '  b/ [the same 3 files as res/a/]']);
  });

  it('drops an entry that is also shown as a directory header', () => {
    const t = buildDirTree(['/w/repo', '/w/repo/a.py', '/w/repo/pkg', '/w/repo/pkg/b.py']);
    const r = renderDirTree(t, { cap: 10, folded: none, forced: none });
    expect(r.lines).toEqual(['/w/repo/ a.py', '  pkg/ b.py']);
  });

  it('folds low-value subtrees (tests, fixtures) first when directories alone are over budget', () => {
    const many = [
      ...Array.from({ length: 20 }, (_, i) => `src/m${i}/mod.py`),
      ...Array.from({ length: 20 }, (_, i) => `tests/t${i}/test_x.py`),
    ];
    const t = buildDirTree(many);
    const full = renderDirTree(t, { cap: 2, folded: none, forced: none });
    const budget = full.lines.join('\n').length * 0.7;
    const folds = chooseFolds(t, none, budget, 2);
    expect([...folds].map((d) => d.name)).toEqual(['tests/']);
  });
});

describe('helpers', () => {
  it('classes test files by their suffix', () => {
    expect(extensionClass('pod_test.go')).toBe('_test.go');
    expect(extensionClass('a.spec.ts')).toBe('.spec.ts');
    expect(extensionClass('test_api.py')).toBe('test_*.py');
    expect(extensionClass('Makefile')).toBe('(no ext)');
    expect(summarizeClasses(['a.go', 'b.go', 'c_test.go', 'd.md', 'e.txt'], 2)).toBe('2 .go, 1 .md, 2 other');
  });

  it('spreads a prefix of the order over the range and yields a permutation', () => {
    expect(spreadOrder(8).slice(0, 4)).toEqual([0, 4, 2, 6]);
    fc.assert(
      fc.property(fc.nat(200), (n) => {
        expect([...spreadOrder(n)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('keeps landmarks and one file of each extension before the rest', () => {
    const files = ['a.go', 'b.go', 'c_test.go', 'main.go', 'schema.json', 'z.go'];
    const order = keepOrder(files).map((i) => files[i]);
    expect(order.slice(0, 3)).toEqual(['main.go', 'a.go', 'schema.json']);
    expect(order[order.length - 1]).toBe('c_test.go');
  });
});
