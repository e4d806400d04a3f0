import type { Compressor, CompressorContext } from '../types';

/**
 * Plain text: fold runs of identical lines and repeated paragraphs. Never joins lines or changes
 * indentation; every fold is a reversible note (lossless), so line content stays exact.
 */
export const MIN_RUN = 3;
const MIN_PARAGRAPH_LINES = 3;
const MIN_PARAGRAPH_CHARS = 120;

export const textCompressor: Compressor = {
  kind: 'text',
  compress(input: string, _ctx: CompressorContext): string {
    const lines = input.split('\n');
    const folded = foldRepeatedParagraphs(foldIdenticalRuns(lines));
    return folded.join('\n');
  },
};

/** `x\nx\nx\nx` → `x\n[leeway: the line above repeats 3 more times]`. */
export function foldIdenticalRuns(lines: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    let j = i + 1;
    while (j < lines.length && lines[j] === line) j++;
    const run = j - i;
    if (run >= MIN_RUN && line.trim().length > 0) {
      out.push(line, `[leeway: the line above repeats ${run - 1} more times]`);
    } else {
      for (let k = i; k < j; k++) out.push(line);
    }
    i = j;
  }
  return out;
}

/** A paragraph (blank-line separated block) seen before is replaced by a pointer to its first occurrence. */
export function foldRepeatedParagraphs(lines: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.trim().length === 0) {
      out.push(lines[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.trim().length > 0) j++;
    const block = lines.slice(i, j);
    const body = block.join('\n');
    const first = seen.get(body);
    if (first !== undefined && block.length >= MIN_PARAGRAPH_LINES && body.length >= MIN_PARAGRAPH_CHARS) {
      out.push(`[leeway: ${block.length} lines identical to the block starting at output line ${first + 1}]`);
    } else {
      if (first === undefined) seen.set(body, out.length);
      out.push(...block);
    }
    i = j;
  }
  return out;
}
