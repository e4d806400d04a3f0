import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { findMarkerKeys } from '../markers';
import type { CompressionMode, CompressorContext } from '../types';
import { codeCompressor } from './code';
import { decodeNumbered, detectNumberStyle } from './numbered';

/** A Python module of about `functions * 16` lines: imports, a class, methods with real-looking bodies. */
function pythonModule(functions: number): string[] {
  const lines = ['import os', 'import sys', 'from typing import Any', '', '', 'class Store:', '    """A key-value store."""', ''];
  for (let f = 0; f < functions; f++) {
    lines.push(`    def method_${f}(self, key: str, value: Any = None) -> Any:`);
    lines.push(`        """Handle case ${f}."""`);
    for (let i = 0; i < 11; i++) lines.push(`        item_${i} = self.lookup(key, offset=${i}, scale=${f}) or default_value_${i}`);
    lines.push(`        return item_10`);
    lines.push('');
  }
  return lines;
}

const catN = (lines: readonly string[], first = 1): string[] => lines.map((l, i) => `${String(first + i).padStart(6)}\t${l}`);

function ctxFor(mode: CompressionMode, query?: string): CompressorContext {
  return {
    mode,
    query,
    countTokens: (s) => Math.ceil(s.length / 4),
    elide: (_original, summary) => `[leeway: ${summary}; retrieve key=lw_0123456789abcdef]`,
  };
}

describe('codeCompressor, lossless', () => {
  const view = ["Here's the result of running `cat -n` on /srv/store.py:", ...catN(pythonModule(3))].join('\n');

  it('unpads numbers and folds blank lines, and decodes back to the input exactly', () => {
    const result = compress(view, { mode: 'lossless' });
    expect(result.changed).toBe(true);
    expect(result.lossless).toBe(true);
    expect(result.output).toContain('6\tclass Store:');
    const style = detectNumberStyle(view.split('\n'))!;
    expect(decodeNumbered(result.output.split('\n'), style)!.join('\n')).toBe(view);
  });

  it('is what balanced mode does too', () => {
    expect(compress(view, { mode: 'balanced' }).output).toBe(compress(view, { mode: 'lossless' }).output);
  });

  it('leaves raw source alone (it must not be renumbered)', () => {
    const raw = pythonModule(4).join('\n');
    expect(codeCompressor.compress(raw, ctxFor('lossless'))).toBe(raw);
    expect(codeCompressor.compress(raw, ctxFor('balanced'))).toBe(raw);
  });

  it('round-trips arbitrary numbered views (property)', () => {
    const codeLine = fc.oneof(fc.constantFrom('', '    pass', 'def f():', '  }', '\r'), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(codeLine, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (code, first, crlf) => {
        const lines = ['OBSERVATION:', ...catN(code, first), 'Review the changes.'].map((l) => (crlf ? `${l}\r` : l));
        const input = lines.join('\n');
        const output = codeCompressor.compress(input, ctxFor('lossless'));
        expect(codeCompressor.compress(input, ctxFor('lossless'))).toBe(output);
        if (output === input) return;
        const out = output.split('\n');
        const style = detectNumberStyle(lines);
        expect(style).not.toBeNull();
        expect(decodeNumbered(out, style!)!.join('\n')).toBe(input);
      }),
      { numRuns: 300 },
    );
  });
});

describe('codeCompressor, aggressive outline', () => {
  const source = pythonModule(30);
  const view = ["Here's the result of running `cat -n` on /srv/store.py:", ...catN(source)].join('\n');

  it('keeps signatures with their true line numbers and puts each body behind a marker naming its range', () => {
    const result = compress(view, { mode: 'aggressive', keySecret: 's' });
    expect(result.lossless).toBe(false);
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore * 0.5);
    const keys = findMarkerKeys(result.output);
    expect(keys).toHaveLength(1);
    expect(result.originals[keys[0]!]).toBe(view);
    const shown: number[] = [];
    let prev = -1;
    for (const line of result.output.split('\n').slice(2)) {
      const numbered = /^(\d+)\t(.*)$/.exec(line);
      const marker = /lines (\d+)–(\d+) \(body of \w+\) omitted/.exec(line);
      if (numbered) {
        prev = Number(numbered[1]);
        expect(numbered[2]).toBe(source[prev - 1]);
        shown.push(prev);
      } else if (marker) {
        for (let n = Number(marker[1]); n <= Number(marker[2]); n++) shown.push(n);
        prev = -1;
      } else {
        expect(line).toBe('');
        expect(prev).toBeGreaterThan(0);
        prev += 1;
        expect(source[prev - 1]).toBe('');
        shown.push(prev);
      }
    }
    // Every line is shown, folded as a blank line, or inside exactly one marker's range, in order.
    expect(shown).toEqual(source.map((_, i) => i + 1));
    expect(result.output).toContain('def method_29(self, key: str, value: Any = None) -> Any:');
    expect(result.output).toMatch(/lines 26–38 \(body of method_1\) omitted/);
  });

  it('keeps the lines relevant to the query', () => {
    const lines = pythonModule(30);
    lines[200] = '        raise PermissionError("quota exceeded for tenant")';
    const input = catN(lines).join('\n');
    const output = codeCompressor.compress(input, ctxFor('aggressive', 'PermissionError quota exceeded'));
    expect(output).toContain('201\t        raise PermissionError("quota exceeded for tenant")');
  });

  it('outlines raw source too, naming the elided line ranges', () => {
    const raw = pythonModule(30).join('\n');
    const output = codeCompressor.compress(raw, ctxFor('aggressive'));
    expect(output.split('\n')[0]).toBe('[leeway: outline; kept lines carry their line numbers]');
    expect(output).toContain('\n24\t    def method_1(self, key: str, value: Any = None) -> Any:\n');
    expect(output).toMatch(/\[leeway: lines 26–38 \(body of method_1\) omitted; retrieve key=lw_[0-9a-f]{16}\]/);
    expect(output.length).toBeLessThan(raw.length / 2);
  });

  it('leaves views of up to 300 lines whole', () => {
    const small = catN(pythonModule(10)).join('\n');
    expect(codeCompressor.compress(small, ctxFor('aggressive'))).not.toContain('omitted');
  });

  it('is deterministic', () => {
    expect(compress(view, { mode: 'aggressive', query: 'method_7 lookup' }).output).toBe(
      compress(view, { mode: 'aggressive', query: 'method_7 lookup' }).output,
    );
  });
});
