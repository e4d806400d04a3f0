/**
 * Parsing of search output into records:
 * - inline (`grep -n`, `rg -n`): `path:12:text` for a match, `path-12-text` for a context line;
 * - heading (`rg --heading`, or one-file `grep -n`): a path line, then `12:text` / `12-text` lines;
 * - plain (`grep -r` without `-n`): `path:text`;
 * - `--` between context groups; anything else is an `other` line, kept verbatim where it stands.
 * A trailing `\r` (terminal output) stays part of the record's text, so nothing is lost.
 */

export type SearchStyle = 'inline' | 'heading' | 'plain';

export interface SearchRecord {
  readonly type: 'record';
  readonly style: SearchStyle;
  readonly path: string;
  /** Line number as printed (null for plain `path:text` matches). */
  readonly num: string | null;
  /** `:` for a match, `-` for a context line. */
  readonly sep: ':' | '-';
  readonly text: string;
}

export interface SearchHeading {
  readonly type: 'heading';
  /** The heading line as printed (the path, for `rg --heading`). */
  readonly raw: string;
}

export interface SearchSeparator {
  readonly type: 'separator';
  readonly raw: string;
}

export interface SearchOther {
  readonly type: 'other';
  readonly raw: string;
}

export type SearchItem = SearchRecord | SearchHeading | SearchSeparator | SearchOther;

const INLINE_HIT_RE = /^([^\s:][^:]*?):(\d+):/;
const NUMBERED_RE = /^(\d+)([:-])/;
const PLAIN_HIT_RE = /^([^\s:]+):(?!:)/;
const SEPARATOR_RE = /^--\r?$/;

/** A path as grep prints it: no whitespace, and a `/` or a file extension. */
function isPlausiblePath(path: string): boolean {
  return !/\s/.test(path) && (path.includes('/') || /\.[A-Za-z][\w-]{0,9}$/.test(path));
}

export function parseSearch(lines: readonly string[]): SearchItem[] {
  const items = new Array<SearchItem | undefined>(lines.length);
  const knownPaths = new Set<string>();
  let inlineHits = 0;
  // Pass 1: inline matches, which name their path unambiguously.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = INLINE_HIT_RE.exec(line);
    if (!m || !isPlausiblePath(m[1]!)) continue;
    items[i] = { type: 'record', style: 'inline', path: m[1]!, num: m[2]!, sep: ':', text: line.slice(m[0].length) };
    knownPaths.add(m[1]!);
    inlineHits++;
  }
  // Pass 2: inline context lines — `path-12-text` for a path seen in a match near it.
  if (inlineHits > 0) {
    const nextPath = new Array<string | null>(lines.length).fill(null);
    let upcoming: string | null = null;
    for (let i = lines.length - 1; i >= 0; i--) {
      const item = items[i];
      if (item?.type === 'record') upcoming = item.path;
      nextPath[i] = upcoming;
    }
    let previous: string | null = null;
    for (let i = 0; i < lines.length; i++) {
      const item = items[i];
      if (item?.type === 'record') {
        previous = item.path;
        continue;
      }
      const line = lines[i]!;
      if (SEPARATOR_RE.test(line)) continue;
      const context: SearchRecord | null = contextRecord(line, previous) ?? contextRecord(line, nextPath[i] ?? null);
      if (context) {
        items[i] = context;
        previous = context.path;
      } else {
        previous = null;
      }
    }
  }
  // Pass 3: headings (a line followed by numbered lines) and their numbered lines.
  for (let i = 0; i < lines.length; i++) {
    if (items[i] || SEPARATOR_RE.test(lines[i]!) || lines[i]!.trim().length === 0) continue;
    if (NUMBERED_RE.test(lines[i]!)) continue;
    const next = lines[i + 1];
    if (next === undefined || items[i + 1] || !NUMBERED_RE.test(next)) continue;
    if (!isPlausiblePath(lines[i]!.replace(/\r$/, ''))) continue;
    const raw = lines[i]!;
    items[i] = { type: 'heading', raw };
    let j = i + 1;
    for (; j < lines.length && !items[j]; j++) {
      const row = lines[j]!;
      if (SEPARATOR_RE.test(row)) {
        // `--` inside a heading group separates context groups of the same file.
        if (j + 1 < lines.length && NUMBERED_RE.test(lines[j + 1]!)) continue;
        break;
      }
      const m = NUMBERED_RE.exec(row);
      if (!m) break;
      items[j] = {
        type: 'record',
        style: 'heading',
        path: raw,
        num: m[1]!,
        sep: m[2] as ':' | '-',
        text: row.slice(m[0].length),
      };
    }
    i = j - 1;
  }
  // Pass 4: plain `path:text` matches, only when nothing above matched (they are ambiguous otherwise).
  const anyRecord = items.some((it) => it?.type === 'record');
  if (!anyRecord) {
    for (let i = 0; i < lines.length; i++) {
      const m = PLAIN_HIT_RE.exec(lines[i]!);
      if (!m || !isPlausiblePath(m[1]!)) continue;
      items[i] = { type: 'record', style: 'plain', path: m[1]!, num: null, sep: ':', text: lines[i]!.slice(m[0].length) };
    }
  }
  return Array.from(
    items,
    (item, i): SearchItem =>
      item ?? (SEPARATOR_RE.test(lines[i]!) ? { type: 'separator', raw: lines[i]! } : { type: 'other', raw: lines[i]! }),
  );
}

function contextRecord(line: string, path: string | null): SearchRecord | null {
  if (path === null || !line.startsWith(`${path}-`)) return null;
  const m = /^(\d+)-/.exec(line.slice(path.length + 1));
  if (!m) return null;
  return {
    type: 'record',
    style: 'inline',
    path,
    num: m[1]!,
    sep: '-',
    text: line.slice(path.length + 1 + m[0].length),
  };
}

/** The line as it was printed. */
export function formatItem(item: SearchItem): string {
  if (item.type !== 'record') return item.raw;
  if (item.style === 'plain') return `${item.path}:${item.text}`;
  if (item.style === 'heading') return `${item.num!}${item.sep}${item.text}`;
  return `${item.path}${item.sep}${item.num!}${item.sep}${item.text}`;
}
