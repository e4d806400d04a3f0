import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { detectKind } from '../detect';
import { findMarkerKeys } from '../markers';
import { tokenCounter } from '../tokenizer';
import type { CompressionMode, CompressorContext } from '../types';
import { decodeListing, listingCompressor } from './listing';
import { parseListing } from './listing-parse';

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

/** A repository-like listing: `n` Go packages with source and test files. */
function goRepo(packages: number, filesEach: number): string[] {
  const out: string[] = [];
  for (let p = 0; p < packages; p++) {
    for (let f = 0; f < filesEach; f++) {
      out.push(`./internal/pkg${p}/p${p}file${f}.go`);
      if (f % 2 === 0) out.push(`./internal/pkg${p}/p${p}file${f}_test.go`);
    }
  }
  return out;
}

describe('listing detection and parsing', () => {
  it('detects ls -R with columns and CRLF line ends, and keeps prose out', () => {
    const ls = [
      'ls -R /w/repo\r',
      '/w/repo:\r',
      'README.md  docs\tsrc\r',
      '\r',
      '/w/repo/docs:\r',
      'a.md  b.md\r',
      '\r',
      '/w/repo/src:\r',
      'main.py  util.py\r',
      'x.py\r',
    ].join('\n');
    expect(detectKind(ls)).toBe('listing');
    const prose = ['ISSUE:', 'The function fails.', '', 'INSTRUCTIONS:', 'Fix it in src/a.py:', 'thanks', 'more text here', 'and here'];
    expect(detectKind(prose.join('\n'))).not.toBe('listing');
    expect(parseListing(prose)).toBeNull();
  });

  it('reads ls columns top to bottom (ls fills columns first)', () => {
    const lines = ['./a:', 'b1  b4', 'b2  b5', 'b3', '', './a/c:', 'x'];
    const parsed = parseListing(lines);
    expect(parsed?.form).toBe('ls-recursive');
    if (parsed?.form === 'ls-recursive') expect(parsed.sections[0]!.names).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
  });
});

describe('listingCompressor lossless', () => {
  it('writes paths as a directory tree that decodes to the exact input', () => {
    const input = `${goRepo(6, 4).join('\n')}\n`;
    const out = listingCompressor.compress(input, context('lossless'));
    expect(out.split('\n').slice(0, 4)).toEqual([
      '[leeway: 36 paths grouped by directory: "dir/ file file …", subdirectories indented]',
      './internal/',
      '  pkg0/ p0file0.go p0file0_test.go p0file1.go p0file2.go p0file2_test.go p0file3.go',
      '  pkg1/ p1file0.go p1file0_test.go p1file1.go p1file2.go p1file2_test.go p1file3.go',
    ]);
    expect(decodeListing(out)).toBe(input);
    expect(countTokens(out)).toBeLessThan(countTokens(input) * 0.7);
  });

  it('round-trips any path listing with a command echo, a prompt and CRLF (property)', () => {
    const name = fc.constantFrom('src', 'a', 'lib', 'x.py', 'y_test.go', 'README', '.git', 'b-c.txt');
    const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(
        fc.array(path, { minLength: 3, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('', '\n', '\nroot@host:/w # '),
        (paths, crlf, echo, tail) => {
          const body = paths.map((p) => `${p}/f.txt${crlf ? '\r' : ''}`);
          const input = [...(echo ? ['OBSERVATION:', '$ find . -type f'] : []), ...body].join('\n') + tail;
          const out = listingCompressor.compress(input, context('lossless'));
          expect(decodeListing(out)).toBe(input);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes ls -R headers relative to the root and keeps everything else verbatim', () => {
    const input = [
      '/workspace/project:',
      'README.md  setup.py  src',
      '',
      '/workspace/project/src:',
      'pkg',
      '',
      '/workspace/project/src/pkg:',
      '__init__.py  core.py',
    ].join('\n');
    const out = listingCompressor.compress(input, context('lossless'));
    expect(out).toContain('\nsrc/pkg:\n');
    expect(decodeListing(out)).toBe(input);
  });

  it('replaces tree drawing with indentation and draws it back exactly', () => {
    for (const [branch, last, vertical] of [
      ['├── ', '└── ', '│   '],
      ['|-- ', '`-- ', '|   '],
    ] as const) {
      const input = [
        '.',
        `${branch}cmd`,
        `${vertical}${branch}info.go`,
        `${vertical}${last}root.go`,
        `${branch}internal`,
        `${vertical}${last}dao`,
        `${vertical}    ${branch}pod.go`,
        `${vertical}    ${last}svc.go`,
        `${last}main.go`,
        '',
        '4 directories, 5 files',
      ].join('\n');
      const out = listingCompressor.compress(input, context('lossless'));
      expect(out).toContain('\n  info.go\n');
      expect(out).not.toContain('──');
      expect(decodeListing(out)).toBe(input);
    }
  });

  it('round-trips any tree drawing (property)', () => {
    interface Node {
      name: string;
      kids: Node[];
    }
    const node: fc.Memo<Node> = fc.memo((n) =>
      fc.record({
        name: fc.constantFrom('src', 'a.go', 'README.md', 'lib', 'x y.txt', 'b'),
        kids: n > 1 ? fc.array(node(n - 1), { maxLength: 3 }) : fc.constant([]),
      }),
    );
    /** An independent renderer of `tree` output. */
    const draw = (kids: Node[], prefix: string, out: string[]): void => {
      kids.forEach((k, i) => {
        const last = i === kids.length - 1;
        out.push(`${prefix}${last ? '└── ' : '├── '}${k.name}`);
        draw(k.kids, prefix + (last ? '    ' : '│   '), out);
      });
    };
    fc.assert(
      fc.property(fc.array(node(4), { minLength: 1, maxLength: 4 }), (roots) => {
        const out: string[] = ['.'];
        draw(roots, '', out);
        const input = [...out, '', 'N directories, M files'].join('\n');
        const encoded = listingCompressor.compress(input, context('lossless'));
        if (out.length >= 4) expect(encoded).toContain('tree entries, drawing lines replaced by indentation');
        expect(decodeListing(encoded)).toBe(input);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves a listing it cannot encode exactly alone', () => {
    const input = ['a/b c.txt', 'a/d e.txt', 'a/f g.txt'].join('\n');
    expect(listingCompressor.compress(input, context('lossless'))).toBe(input);
  });
});

describe('listingCompressor balanced', () => {
  const paths = goRepo(40, 12);
  const input = paths.join('\n');

  it('caps files per directory, counts the rest, and stays within 0.30 of the input', () => {
    const ctx = context('balanced');
    const out = listingCompressor.compress(input, ctx);
    expect(countTokens(out)).toBeLessThanOrEqual(countTokens(input) * 0.3);
    expect(out.split('\n')[0]).toMatch(/^\[leeway: 720 files grouped by directory, .*; retrieve key=lw_\d+\]$/);
    expect(out).toMatch(/ \[\+(\d+) more: \d+ (?:\.go|_test\.go), \d+ (?:\.go|_test\.go)\]/);
    // Every directory is still named, and the marker's original is the whole input.
    for (let p = 0; p < 40; p++) expect(out).toContain(`pkg${p}/`);
    expect([...ctx.originals.values()]).toEqual([input]);
  });

  it('keeps names relevant to the task', () => {
    const out = listingCompressor.compress(input, context('balanced', 'where is p37file10_test?'));
    expect(out).toMatch(/pkg37\/[^\n]* p37file10_test\.go/);
  });

  it('is deterministic', () => {
    expect(listingCompressor.compress(input, context('balanced'))).toBe(listingCompressor.compress(input, context('balanced')));
  });
});

describe('listings through compress()', () => {
  it('leaves small outputs (ls -la, git status) unchanged', () => {
    const lsLa = [
      'total 48',
      'drwxr-xr-x  6 user user 4096 Jan  1 10:00 .',
      'drwxr-xr-x 20 user user 4096 Jan  1 10:00 ..',
      '-rw-r--r--  1 user user  120 Jan  1 10:00 .gitignore',
      '-rw-r--r--  1 user user 1024 Jan  1 10:00 README.md',
      'drwxr-xr-x  2 user user 4096 Jan  1 10:00 src',
      '-rw-r--r--  1 user user  512 Jan  1 10:00 setup.py',
    ].join('\n');
    const status = ['On branch main', 'Changes not staged for commit:', '\tmodified:   src/a.py', ''].join('\n');
    for (const text of [lsLa, status]) {
      for (const mode of ['lossless', 'balanced'] as const) expect(compress(text, { mode }).output).toBe(text);
    }
  });

  it('never returns more tokens than it got, and every marker resolves', () => {
    const input = goRepo(30, 10).join('\n');
    for (const mode of ['lossless', 'balanced', 'aggressive'] as const) {
      const r = compress(input, { mode });
      expect(r.kind).toBe('listing');
      expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      for (const key of findMarkerKeys(r.output)) expect(r.originals[key]).toBe(input);
      if (mode === 'lossless') expect(decodeListing(r.output)).toBe(input);
    }
  });

  it('survives arbitrary text without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('lossless', 'balanced') as fc.Arbitrary<CompressionMode>, (text, mode) => {
        const out = listingCompressor.compress(text, context(mode));
        expect(typeof out).toBe('string');
        if (mode === 'lossless') expect(decodeListing(out)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
