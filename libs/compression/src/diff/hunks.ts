/**
 * Unified-diff structure, as much as trimming needs: file sections (git headers, `---`/`+++`) and hunks
 * whose bodies are counted against their `@@ -a,b +c,d @@` header. Anything that does not parse (commit
 * headers, `--stat` blocks, binary patches, truncated or malformed hunks) is left to the caller as
 * plain lines, so a malformed diff degrades to "nothing trimmed", never to a wrong diff.
 */

export type BodyLineKind = 'context' | 'added' | 'removed' | 'note';

/** A hunk: its header line index and the kinds of the body lines that follow it. */
export interface Hunk {
  readonly header: number;
  /** Index of the first body line (header + 1). */
  readonly start: number;
  /** Kinds of the body lines, in order (body = lines[start .. start + kinds.length - 1]). */
  readonly kinds: readonly BodyLineKind[];
}

/** The diff of one file: where it starts, its path and what kind of change it is. */
export interface FileSection {
  /** Index of the first line of the section (`diff --git`, or `---` for plain unified diffs). */
  readonly start: number;
  /** Index one past its last line. */
  end: number;
  path: string;
  deleted: boolean;
  binaryPatch: { start: number; end: number }[];
  readonly hunks: Hunk[];
}

const HUNK_HEADER_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Old and new line counts of a hunk header, or null when the line is not a (two-way) hunk header. */
export function parseHunkHeader(line: string): { oldCount: number; newCount: number } | null {
  const m = HUNK_HEADER_RE.exec(line);
  if (!m) return null;
  return { oldCount: m[2] === undefined ? 1 : Number(m[2]), newCount: m[4] === undefined ? 1 : Number(m[4]) };
}

function stripPathPrefix(raw: string): string {
  const path = raw.replace(/\t.*$/, '').replace(/\r$/, '');
  return /^[ab]\//.test(path) ? path.slice(2) : path;
}

/** Split a diff into file sections with their hunks. Lines outside any section are not covered. */
export function parseDiff(lines: readonly string[]): FileSection[] {
  const sections: FileSection[] = [];
  let current: FileSection | null = null;
  const open = (start: number, path: string): FileSection => {
    const last = sections[sections.length - 1];
    if (last) last.end = start;
    const section: FileSection = { start, end: lines.length, path, deleted: false, binaryPatch: [], hunks: [] };
    sections.push(section);
    return section;
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      const m = / b\/(.+)$/.exec(line.replace(/\r$/, ''));
      current = open(i, m ? m[1]! : line.slice(11));
      i++;
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const section: FileSection = current && !current.hunks.length && current.start >= i - 6 ? current : open(i, '');
      current = section;
      const oldPath = stripPathPrefix(line.slice(4));
      const newPath = stripPathPrefix(lines[i + 1]!.slice(4));
      if (newPath === '/dev/null') section.deleted = true;
      if (!section.path) section.path = newPath === '/dev/null' ? oldPath : newPath;
      i += 2;
      continue;
    }
    if (current === null) {
      i++;
      continue;
    }
    const section: FileSection = current;
    if (line.startsWith('deleted file mode')) section.deleted = true;
    if (line.startsWith('GIT binary patch')) {
      let j = i + 1;
      while (j < lines.length && !lines[j]!.startsWith('diff --git ')) j++;
      section.binaryPatch.push({ start: i + 1, end: j });
      i = j;
      continue;
    }
    const header = parseHunkHeader(line);
    if (header) {
      const kinds = hunkBody(lines, i + 1, header.oldCount, header.newCount);
      section.hunks.push({ header: i, start: i + 1, kinds });
      i += 1 + kinds.length;
      continue;
    }
    i++;
  }
  return sections;
}

/** Kinds of the body lines of a hunk starting at `start`, stopping early at anything malformed. */
function hunkBody(lines: readonly string[], start: number, oldCount: number, newCount: number): BodyLineKind[] {
  const kinds: BodyLineKind[] = [];
  let oldLeft = oldCount;
  let newLeft = newCount;
  let i = start;
  while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
    const line = lines[i]!;
    const c = line[0];
    // An empty line is a blank context line whose space an editor stripped (but not the input's final newline).
    if ((c === ' ' || (line === '' && i < lines.length - 1)) && oldLeft > 0 && newLeft > 0) {
      kinds.push('context');
      oldLeft--;
      newLeft--;
    } else if (c === '-' && oldLeft > 0) {
      kinds.push('removed');
      oldLeft--;
    } else if (c === '+' && newLeft > 0) {
      kinds.push('added');
      newLeft--;
    } else if (c === '\\' && kinds.length > 0) {
      kinds.push('note');
    } else {
      return kinds;
    }
    i++;
  }
  if (i < lines.length && lines[i]!.startsWith('\\ ')) kinds.push('note');
  return kinds;
}
