import type { Compressor, CompressorContext } from '../types';
import { parseDiff, type FileSection, type Hunk } from './hunks';

/**
 * Diffs (`git diff`, `git show --stat --patch`, patches). Every header (commit, `--stat`, `diff --git`,
 * `index`, modes, `---`/`+++`) and every hunk header is kept as it is, and so is every changed line.
 * Balanced mode cuts unchanged context to `CONTEXT_KEPT` line either side of a change: each cut becomes a
 * `… N unchanged lines` line, explained once by a legend marker at the top, so the original hunk headers
 * stay true. The bodies of deleted files, lock files and binary patches become markers. Aggressive mode
 * also cuts long runs of removed lines. Lossless mode changes nothing (a diff has nothing reversible to
 * gain). Anything that does not parse as a hunk is kept verbatim.
 */
export const CONTEXT_KEPT = 1;
/** A cut must hide at least this many lines and characters, or the gap line would cost about as much. */
const MIN_GAP_LINES = 2;
const MIN_GAP_CHARS = 30;
/** Deleted files and lock files with at least this many changed lines lose their bodies. */
const MIN_BULK_LINES = 12;
/** Aggressive mode: runs of removed lines this long keep their first and last lines only. */
const MIN_REMOVED_RUN = 12;
const REMOVED_HEAD = 3;
const REMOVED_TAIL = 1;
const MIN_BINARY_LINES = 3;

const LOCK_FILE_RE =
  /(?:^|\/)(?:go\.sum|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|uv\.lock|bun\.lockb?|flake\.lock|packages\.lock\.json|mix\.lock|pubspec\.lock|Podfile\.lock)$|\.min\.(?:js|css)$|\.js\.map$/;

/** Whether a path is a lock file or generated bundle whose diff lines a model rarely needs. */
export function isLockFile(path: string): boolean {
  return LOCK_FILE_RE.test(path);
}

/** One replacement: lines [start, end) become `text`. */
interface Cut {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** A `… N … lines` gap explained by the legend (not a self-contained marker). */
  readonly gap: 'unchanged' | 'removed' | null;
}

export const diffCompressor: Compressor = {
  kind: 'diff',
  compress(input: string, ctx: CompressorContext): string {
    if (ctx.mode === 'lossless') return input;
    const lines = input.split('\n');
    const sections = parseDiff(lines);
    if (!sections.some((s) => s.hunks.length > 0)) return input;
    const cuts: Cut[] = [];
    for (const section of sections) cuts.push(...sectionCuts(section, lines, input, ctx));
    if (cuts.length === 0) return input;
    cuts.sort((a, b) => a.start - b.start);
    const out: string[] = [];
    const gapKinds = new Set(cuts.map((c) => c.gap).filter((g) => g !== null));
    if (gapKinds.size > 0) out.push(ctx.elide(input, legend(gapKinds)));
    let next = 0;
    for (const cut of cuts) {
      for (let i = next; i < cut.start; i++) out.push(lines[i]!);
      out.push(cut.text);
      next = cut.end;
    }
    for (let i = next; i < lines.length; i++) out.push(lines[i]!);
    return out.join('\n');
  },
};

function legend(kinds: ReadonlySet<string>): string {
  const parts: string[] = [];
  if (kinds.has('unchanged')) {
    parts.push('unchanged context trimmed at each "… N unchanged lines"');
  }
  if (kinds.has('removed')) parts.push('long removed runs trimmed at each "… N removed lines"');
  return parts.join('; ');
}

function sectionCuts(section: FileSection, lines: readonly string[], input: string, ctx: CompressorContext): Cut[] {
  const cuts: Cut[] = [];
  const name = section.path || 'the file';
  for (const patch of section.binaryPatch) {
    const count = patch.end - patch.start;
    if (count >= MIN_BINARY_LINES) {
      const text = ctx.elide(input, `binary patch data of ${name} (${count} lines) omitted`);
      cuts.push({ start: patch.start, end: patch.end, text, gap: null });
    }
  }
  const hunks = section.hunks;
  if (hunks.length === 0) return cuts;
  let added = 0;
  let removed = 0;
  for (const hunk of hunks) {
    for (const kind of hunk.kinds) {
      if (kind === 'added') added++;
      else if (kind === 'removed') removed++;
    }
  }
  const first = hunks[0]!;
  const last = hunks[hunks.length - 1]!;
  const end = last.start + last.kinds.length;
  if ((section.deleted && removed >= MIN_BULK_LINES) || (isLockFile(section.path) && added + removed >= MIN_BULK_LINES)) {
    const what = section.deleted
      ? `${removed} lines of deleted file ${name} omitted`
      : `${hunks.length === 1 ? '1 hunk' : `${hunks.length} hunks`} of lock file ${name} omitted (+${added} −${removed} lines)`;
    // A deleted file keeps its hunk header (it says how many lines went); a lock file loses all its hunks.
    const start = section.deleted && hunks.length === 1 ? first.start : first.header;
    cuts.push({ start, end, text: ctx.elide(input, what), gap: null });
    return cuts;
  }
  for (const hunk of hunks) cuts.push(...hunkCuts(hunk, lines, ctx.mode === 'aggressive'));
  return cuts;
}

/** Cuts of unchanged context (and, in aggressive mode, of long removed runs) inside one hunk. */
function hunkCuts(hunk: Hunk, lines: readonly string[], aggressive: boolean): Cut[] {
  const { kinds, start } = hunk;
  const cuts: Cut[] = [];
  if (!kinds.some((k) => k !== 'context')) return cuts;
  const push = (from: number, to: number, gap: 'unchanged' | 'removed'): void => {
    // [from, to] are inclusive body indices.
    const count = to - from + 1;
    if (count < MIN_GAP_LINES) return;
    let chars = 0;
    for (let i = from; i <= to; i++) chars += lines[start + i]!.length;
    if (chars < MIN_GAP_CHARS) return;
    cuts.push({ start: start + from, end: start + to + 1, text: `… ${count} ${gap} lines`, gap });
  };
  let i = 0;
  while (i < kinds.length) {
    const kind = kinds[i]!;
    let j = i;
    while (j + 1 < kinds.length && kinds[j + 1] === kind) j++;
    if (kind === 'context') {
      const head = i > 0 ? CONTEXT_KEPT : 0;
      const tail = j < kinds.length - 1 ? CONTEXT_KEPT : 0;
      push(i + head, j - tail, 'unchanged');
    } else if (kind === 'removed' && aggressive && j - i + 1 >= MIN_REMOVED_RUN) {
      push(i + REMOVED_HEAD, j - REMOVED_TAIL, 'removed');
    }
    i = j + 1;
  }
  return cuts;
}
