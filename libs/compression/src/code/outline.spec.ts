import { describe, expect, it } from 'vitest';
import { findDeclaration, outlineRanges } from './outline';

const body = (indent: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${indent}value_${i} = compute_something(value_${i - 1}, factor=${i})`);

describe('findDeclaration', () => {
  it('finds functions in Python, JS/TS, Go, Rust and Java-like code', () => {
    expect(findDeclaration('def parse_args(argv):')?.name).toBe('parse_args');
    expect(findDeclaration('async def fetch(self, url: str) -> bytes:')?.name).toBe('fetch');
    expect(findDeclaration('export async function loadConfig(env: Env): Promise<Config> {')?.name).toBe('loadConfig');
    expect(findDeclaration('export const handler = async (req: Request) => {')?.name).toBe('handler');
    expect(findDeclaration('func (s *Server) Serve(ctx context.Context) error {')?.name).toBe('Serve');
    expect(findDeclaration('pub fn parse(input: &str) -> Result<Ast, Error> {')?.name).toBe('parse');
    expect(findDeclaration('public static List<String> splitAll(String s, int n) throws IOException {')?.name).toBe('splitAll');
    expect(findDeclaration('  private render(row: Row): string {')).toMatchObject({ name: 'render', needsBrace: true });
    expect(findDeclaration("it('parses a header', () => {")?.name).toBe("it('parses a header')");
  });

  it('does not take control flow, calls, assignments or containers for functions', () => {
    expect(findDeclaration('if (x > 1) {')).toBeNull();
    expect(findDeclaration('} else if (y) {')).toBeNull();
    expect(findDeclaration('for (const a of list) {')).toBeNull();
    expect(findDeclaration('console.log(value);')).toBeNull();
    expect(findDeclaration('this.items.push(item)')).toBeNull();
    expect(findDeclaration('result = compute(a, b)')).toBeNull();
    expect(findDeclaration('class Parser(Base):')).toBeNull();
    expect(findDeclaration('export class Parser {')).toBeNull();
    expect(findDeclaration('return foo(bar) {')).toBeNull();
  });
});

describe('outlineRanges', () => {
  it('elides long Python bodies and keeps signatures, short bodies and the first docstring line', () => {
    const lines = [
      'import os',
      '',
      'class Reader:',
      '    def __init__(self, path):',
      '        self.path = path',
      '',
      '    def read_all(self, limit=None):',
      '        """Read every record."""',
      ...body('        ', 10),
      '        return value_9',
      '',
      'def main():',
      ...body('    ', 8),
    ];
    const ranges = outlineRanges(lines, undefined);
    expect(ranges).toEqual([
      { start: 8, end: 19, label: 'body of read_all', indent: '        ' },
      { start: 21, end: 28, label: 'body of main', indent: '    ' },
    ]);
  });

  it('keeps the closing brace of brace-language bodies and handles multi-line signatures', () => {
    const lines = [
      'package main',
      '',
      'func Handle(',
      '\tctx context.Context,',
      '\treq *Request,',
      ') (*Response, error) {',
      ...body('\t', 9),
      '}',
      '',
      'func small() int {',
      '\treturn 1',
      '}',
    ];
    const ranges = outlineRanges(lines, undefined);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toMatchObject({ start: 6, end: 14, label: 'body of Handle' });
    expect(lines[ranges[0]!.end + 1]).toBe('}');
  });

  it('keeps lines relevant to the query visible, with one line of context', () => {
    const lines = ['def run(job):', ...body('    ', 12), '    raise TimeoutError("deadline exceeded for job")', ...body('    ', 12)];
    const ranges = outlineRanges(lines, 'why does the job hit a TimeoutError deadline');
    const hidden = new Set<number>();
    for (const r of ranges) for (let i = r.start; i <= r.end; i++) hidden.add(i);
    expect(hidden.has(13)).toBe(false);
    expect(hidden.has(12)).toBe(false);
    expect(hidden.has(14)).toBe(false);
    expect(ranges.length).toBe(2);
  });

  it('elides long docstrings, comment runs and literal blocks, keeping their first line', () => {
    const lines = [
      '# Copyright (c) Example',
      ...Array.from({ length: 8 }, (_, i) => `# licence line ${i} with enough words to be worth eliding here`),
      'TEMPLATE = """',
      ...Array.from({ length: 8 }, (_, i) => `  <Item id="${i}">{{ item_${i}.value }} and some more markup</Item>`),
      '"""',
      'ROUTES = {',
      ...Array.from({ length: 8 }, (_, i) => `    "route_${i}": handler_for_route_number_${i},`),
      '}',
    ];
    const ranges = outlineRanges(lines, undefined);
    expect(ranges.map((r) => [r.start, r.end, r.label])).toEqual([
      [1, 8, 'comment'],
      [10, 18, 'string TEMPLATE'],
      [20, 27, 'value of ROUTES'],
    ]);
  });

  it('never throws and returns nothing for text without structure', () => {
    expect(outlineRanges([], undefined)).toEqual([]);
    expect(outlineRanges(['just words', 'more words'], 'words')).toEqual([]);
    expect(outlineRanges(['def broken(', '    a,'], undefined)).toEqual([]);
  });
});
