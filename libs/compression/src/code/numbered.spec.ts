import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNumbered, detectNumberStyle, encodeNumbered, parseNumbered, type NumberStyle } from './numbered';

const catN = (num: number, text: string): string => `${String(num).padStart(6)}\t${text}`;

describe('parseNumbered', () => {
  it('reads cat -n lines padded to width 6 only', () => {
    expect(parseNumbered('    12\tx = 1', 'tab')).toEqual({ num: 12, content: 'x = 1' });
    expect(parseNumbered('1234567\tx', 'tab')).toEqual({ num: 1234567, content: 'x' });
    expect(parseNumbered('  12\tx', 'tab')).toBeNull();
    expect(parseNumbered('12\tx', 'tab')).toBeNull();
    expect(parseNumbered('    12 x', 'space')).toEqual({ num: 12, content: 'x' });
    expect(parseNumbered('12:x', 'colon')).toEqual({ num: 12, content: 'x' });
    expect(parseNumbered(' 12:x', 'colon')).toBeNull();
  });
});

describe('detectNumberStyle', () => {
  it('recognises the three view styles', () => {
    expect(detectNumberStyle([catN(1, 'a'), catN(2, 'b'), catN(3, 'c')])).toBe('tab');
    expect(detectNumberStyle(['[File: a.py (3 lines total)]', '1:a', '2:b', '3:c'])).toBe('colon');
    expect(detectNumberStyle(['     1 a', '     2 b', '     3 c', '     4 d'])).toBe('space');
    expect(detectNumberStyle(['     1→a', '     2→', '     3→c'])).toBe('arrow');
  });

  it('does not take counts or scattered hits for a view', () => {
    // `uniq -c` pads to width 7 and its counts are not consecutive.
    expect(detectNumberStyle(['      3 foo', '     12 bar', '      1 baz'])).toBeNull();
    expect(detectNumberStyle(['12:a', '40:b', '97:c', '200:d'])).toBeNull();
    expect(detectNumberStyle(['plain text', 'more text', 'and more'])).toBeNull();
  });
});

describe('encodeNumbered', () => {
  const view = [
    "Here's the result of running `cat -n` on /x.py:",
    catN(1, 'import os'),
    catN(2, ''),
    catN(3, ''),
    catN(4, 'def f():'),
    catN(5, '    return 1'),
    'Review the changes.',
  ];

  it('drops the padding and writes blank numbered lines as empty lines, behind a legend', () => {
    const out = encodeNumbered(view, 'tab', { unpad: true, fold: true })!;
    expect(out).toEqual([
      "Here's the result of running `cat -n` on /x.py:",
      '[leeway: numbers unpadded (width 6); empty line = blank numbered line]',
      '1\timport os',
      '',
      '',
      '4\tdef f():',
      '5\t    return 1',
      'Review the changes.',
    ]);
    expect(decodeNumbered(out, 'tab')).toEqual(view);
  });

  it('keeps CRLF line ends', () => {
    const crlf = view.map((l) => `${l}\r`);
    const out = encodeNumbered(crlf, 'tab', { unpad: true, fold: true })!;
    expect(out[3]).toBe('\r');
    expect(out[5]).toBe('4\tdef f():\r');
    expect(decodeNumbered(out, 'tab')).toEqual(crlf);
  });

  it('refuses an encoding that would not decode exactly', () => {
    // An empty line right after a numbered line would read as a folded blank line.
    const ambiguous = [catN(1, 'a'), '', catN(2, '')];
    expect(encodeNumbered(ambiguous, 'tab', { unpad: false, fold: true })).toBeNull();
    const unpadOnly = encodeNumbered(ambiguous, 'tab', { unpad: true, fold: false })!;
    expect(decodeNumbered(unpadOnly, 'tab')).toEqual(ambiguous);
    // A line that already looks unpadded would be re-padded by the decoder.
    expect(encodeNumbered([catN(1, 'a'), '7\tnot a view line', catN(2, 'b')], 'tab', { unpad: true, fold: true })).toBeNull();
  });

  it('folds blank lines of SWE-agent windows (which have no padding)', () => {
    const window = ['[File: /a.py (9 lines total)]', '(3 more lines above)', '4:x = 1', '5:', '6:y = 2', '(3 more lines below)'];
    const out = encodeNumbered(window, 'colon', { unpad: true, fold: true })!;
    expect(out).toContain('[leeway: empty line = blank numbered line]');
    expect(out).toContain('');
    expect(decodeNumbered(out, 'colon')).toEqual(window);
  });

  it('folds only blank lines that sit between numbered lines (Claude Code Read output)', () => {
    const read = ['     1→import os', '     2→', '     3→x = 1', '     4→', '', '<system-reminder>', 'Be careful.', '</system-reminder>', ''];
    const out = encodeNumbered(read, 'arrow', { unpad: true, fold: true })!;
    expect(out).toEqual([
      '[leeway: numbers unpadded (width 6); empty line = blank numbered line]',
      '1→import os',
      '',
      '3→x = 1',
      '4→',
      '',
      '<system-reminder>',
      'Be careful.',
      '</system-reminder>',
      '',
    ]);
    expect(decodeNumbered(out, 'arrow')).toEqual(read);
  });

  it('returns null when there is nothing to change', () => {
    expect(encodeNumbered(['1:a', '2:b', '3:c'], 'colon', { unpad: true, fold: true })).toBeNull();
    expect(encodeNumbered(['no numbers here'], 'tab', { unpad: true, fold: true })).toBeNull();
  });

  it('round-trips any view exactly (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('', '\r', '    x = 1', 'def f():', '\t}', '   ', '1\tlooks numbered', '12:colon', '[leeway: fake]'),
      fc.string({ maxLength: 12 }),
    );
    const styles: NumberStyle[] = ['tab', 'space', 'arrow', 'colon'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), line), { maxLength: 40 }),
        fc.integer({ min: 1, max: 999_990 }),
        fc.constantFrom(...styles),
        fc.boolean(),
        (rows, first, style, fold) => {
          let num = first;
          const lines = rows.map(([numbered, text]) => {
            if (!numbered) return text;
            const n = num++;
            if (style === 'colon') return `${n}:${text}`;
            return `${String(n).padStart(6)}${style === 'tab' ? '\t' : style === 'arrow' ? '→' : ' '}${text}`;
          });
          const out = encodeNumbered(lines, style, { unpad: true, fold });
          if (out !== null) expect(decodeNumbered(out, style)).toEqual(lines);
        },
      ),
      { numRuns: 400 },
    );
  });
});
