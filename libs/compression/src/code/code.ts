import type { Compressor, CompressorContext } from '../types';
import { detectNumberStyle, encodeNumbered, numberedLines, type NumberStyle } from './numbered';
import { outlineRanges } from './outline';

/**
 * Code and file views. Lossless (the default, and balanced mode too): in numbered views (`cat -n`,
 * SWE-agent windows) the number padding is dropped and blank numbered lines become empty lines, behind a
 * one-line legend; raw source is never renumbered or re-indented, so it is left as it is. Aggressive mode:
 * a view showing more than `OUTLINE_MIN_LINES` lines becomes an outline — imports, declarations and
 * signatures with their line numbers, lines relevant to the query — and every elided body is a marker that
 * names its line range (raw source gets its line numbers written on the lines the outline keeps).
 */
export const OUTLINE_MIN_LINES = 300;

export const codeCompressor: Compressor = {
  kind: 'code',
  compress(input: string, ctx: CompressorContext): string {
    const lines = input.split('\n');
    const style = detectNumberStyle(lines);
    const outlined = ctx.mode === 'aggressive' ? outline(lines, style, ctx) : lines;
    if (style === null) return outlined === lines ? input : outlined.join('\n');
    const encoded = encodeNumbered(outlined, style, { unpad: true, fold: true }) ?? encodeNumbered(outlined, style, { unpad: true, fold: false });
    return (encoded ?? outlined).join('\n');
  },
};

/** The view's code lines (numbered lines, or every line of raw source) with their line numbers. */
function codeLines(lines: readonly string[], style: NumberStyle | null): { index: number; num: number; content: string }[] {
  if (style !== null) return numberedLines(lines, style);
  return lines.map((content, index) => ({ index, num: index + 1, content }));
}

/**
 * Replace long bodies of a large view by markers. Numbered views keep their lines as they are; raw source
 * gets its line numbers written on the lines it keeps (`12\tcode`), so that every line stays citable.
 */
function outline(lines: readonly string[], style: NumberStyle | null, ctx: CompressorContext): readonly string[] {
  const code = codeLines(lines, style);
  if (code.length <= OUTLINE_MIN_LINES) return lines;
  const ranges = outlineRanges(
    code.map((c) => c.content),
    ctx.query,
  );
  if (ranges.length === 0) return lines;
  const input = lines.join('\n');
  let crlfLines = 0;
  for (const line of lines) if (line.endsWith('\r')) crlfLines++;
  const eol = crlfLines > lines.length / 2 ? '\r' : '';
  const keep = style === null ? (i: number): string => numberRaw(lines[i]!, i + 1) : (i: number): string => lines[i]!;
  const out: string[] = style === null ? [`[leeway: outline; kept lines carry their line numbers]${eol}`] : [];
  let next = 0;
  for (const range of ranges) {
    const first = code[range.start]!;
    const last = code[range.end]!;
    for (let i = next; i < first.index; i++) out.push(keep(i));
    const span = first.num === last.num ? `line ${first.num}` : `lines ${first.num}–${last.num}`;
    const marker = ctx.elide(input, `${span} (${range.label}) omitted`);
    out.push(`${range.indent}${marker}${eol}`);
    next = last.index + 1;
  }
  for (let i = next; i < lines.length; i++) out.push(keep(i));
  return out;
}

/** A kept line of raw source with its number; blank lines stay empty. */
function numberRaw(line: string, num: number): string {
  return line.trim().length === 0 ? line.replace(/^[ \t]+/, '') : `${num}\t${line}`;
}
