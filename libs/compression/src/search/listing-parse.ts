/**
 * Parsing of file listings — flat path lists (`find`, `rg --files`, `git ls-files`), `ls -R` sections
 * and `tree` drawings — into a form the listing compressor can re-encode. Lines that are not part of the
 * listing (a command echo above it, a prompt or exit code below it) are kept aside, verbatim, as
 * `before` / `after`.
 */
import { buildDirTree, dirAt, newDir, type DirNode } from './path-tree';

export interface PathListing {
  readonly form: 'paths';
  readonly before: string[];
  /** The paths, without a line's trailing `\r`. */
  readonly paths: string[];
  readonly after: string[];
  /** Which path lines ended in `\r` (CRLF output of a terminal). */
  readonly crlf: CrlfStyle;
}

export interface LsSection {
  /** Directory path as printed, without the trailing `:`. */
  readonly dir: string;
  /** Entry names (columns split). */
  readonly names: string[];
  /** Lines inside the section that are not entries (`[... output truncated ...]`), verbatim. */
  readonly notes: string[];
}

export interface LsRecursiveListing {
  readonly form: 'ls-recursive';
  readonly before: string[];
  readonly sections: LsSection[];
  readonly after: string[];
  /** Index (in the input lines) of every section header. */
  readonly headerLines: number[];
}

export interface TreeEntry {
  readonly depth: number;
  readonly name: string;
}

export interface TreeGlyphs {
  readonly vertical: string;
  readonly blank: string;
  readonly branch: string;
  readonly last: string;
}

export interface TreeListing {
  readonly form: 'tree';
  readonly before: string[];
  /** The line naming the tree's root (`.`), or null when the drawing starts without one. */
  readonly root: string | null;
  readonly entries: TreeEntry[];
  readonly glyphs: TreeGlyphs;
  readonly after: string[];
  /** As for `PathListing`. */
  readonly crlf: CrlfStyle;
}

export type ParsedListing = PathListing | LsRecursiveListing | TreeListing;

const MAX_PATH_CHARS = 1024;

/** One path a line: no whitespace, not a `dir:` header (a trailing `\r` is ignored). */
export function isPathLine(line: string): boolean {
  const t = stripCr(line);
  return t.length > 0 && t.length <= MAX_PATH_CHARS && !/\s/.test(t) && !t.endsWith(':');
}

/** A line without its trailing `\r` (terminal output often has CRLF line ends). */
export function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * `\r` line ends of a block of lines: `none`, `all`, `last-bare` (all but the last, as when the output
 * lacks a final newline), or null when mixed otherwise.
 */
export type CrlfStyle = 'none' | 'all' | 'last-bare' | null;

function crlfOf(lines: readonly string[]): CrlfStyle {
  const n = lines.reduce((k, l) => (l.endsWith('\r') ? k + 1 : k), 0);
  if (n === 0) return 'none';
  if (n === lines.length) return 'all';
  if (n === lines.length - 1 && !lines[lines.length - 1]!.endsWith('\r')) return 'last-bare';
  return null;
}

export function parseListing(lines: readonly string[]): ParsedListing | null {
  return parseTree(lines) ?? parseLsRecursive(lines) ?? parsePaths(lines);
}

// ------------------------------------------------------------------------------------------ paths

export function parsePaths(lines: readonly string[]): PathListing | null {
  let bestStart = 0;
  let bestLength = 0;
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && isPathLine(lines[i]!)) continue;
    if (i - start > bestLength) {
      bestStart = start;
      bestLength = i - start;
    }
    start = i + 1;
  }
  if (bestLength < 3) return null;
  const nonBlank = lines.reduce((n, l) => (l.trim().length > 0 ? n + 1 : n), 0);
  if (bestLength < nonBlank * 0.5) return null;
  const raw = lines.slice(bestStart, bestStart + bestLength);
  const paths = raw.map(stripCr);
  const withSlash = paths.reduce((n, p) => (p.includes('/') ? n + 1 : n), 0);
  if (withSlash < paths.length * 0.5) return null;
  return {
    form: 'paths',
    before: lines.slice(0, bestStart),
    paths,
    after: lines.slice(bestStart + bestLength),
    crlf: crlfOf(raw),
  };
}

// ------------------------------------------------------------------------------------------ ls -R

/** `./src:`, `/workspace/repo/docs:`, `.:` — a directory path (with a `/`, or `.`) and a colon. */
const LS_HEADER_RE = /^(\.|[^\s:]*\/[^\s:]*|\.[^\s:]*):\r?$/;
function isLsHeader(line: string): boolean {
  return (line.endsWith(':') || line.endsWith(':\r')) && LS_HEADER_RE.test(line);
}

const COLUMN_SPLIT_RE = /\t+ *| {2,}/;

export function parseLsRecursive(lines: readonly string[]): LsRecursiveListing | null {
  // Strict headers (the first, then each after a blank line) are the ones the lossless form rewrites;
  // a header right after a note (`[... output truncated ...]`) also starts a section for the tree.
  const headerLines: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isLsHeader(lines[i]!)) continue;
    const previous = i > 0 ? stripCr(lines[i - 1]!) : '';
    if (starts.length === 0 || previous === '') {
      headerLines.push(i);
      starts.push(i);
    } else if (/\S \S/.test(previous)) {
      starts.push(i);
    }
  }
  if (headerLines.length < 2) return null;
  const sections: LsSection[] = [];
  let afterStart = lines.length;
  let prose = 0;
  let rows = 0;
  for (let h = 0; h < starts.length; h++) {
    const at = starts[h]!;
    const end = h + 1 < starts.length ? starts[h + 1]! : lines.length;
    const names: string[] = [];
    const notes: string[] = [];
    const isLast = h === starts.length - 1;
    let grid: string[][] = [];
    for (let i = at + 1; i < end; i++) {
      const row = stripCr(lines[i]!);
      if (row.trim().length === 0) {
        if (isLast) {
          afterStart = i;
          break;
        }
        continue;
      }
      rows++;
      if (/\S \S/.test(row)) {
        // After the last section, single-spaced words are a prompt or a note, not entries.
        if (isLast) {
          afterStart = i;
          rows--;
          break;
        }
        prose++;
        names.push(...columnMajor(grid));
        grid = [];
        notes.push(row);
        continue;
      }
      grid.push(row.trim().split(COLUMN_SPLIT_RE).filter((n) => n.length > 0));
    }
    names.push(...columnMajor(grid));
    sections.push({ dir: stripCr(lines[at]!).slice(0, -1), names, notes });
  }
  // Prose with a few `x/y:` lines is not a listing.
  if (prose > rows * 0.1) return null;
  return {
    form: 'ls-recursive',
    before: lines.slice(0, headerLines[0]),
    sections,
    after: lines.slice(afterStart),
    headerLines,
  };
}

/** `ls` fills columns top to bottom: read a grid of rows back in listing order. */
function columnMajor(grid: readonly string[][]): string[] {
  const height = grid.length;
  const keyed: { key: number; name: string }[] = [];
  grid.forEach((row, r) => row.forEach((name, c) => keyed.push({ key: c * height + r, name })));
  return keyed.sort((a, b) => a.key - b.key).map((k) => k.name);
}

/** Merge `ls -R` sections into one tree rooted at the first section's directory. */
export function lsTree(listing: LsRecursiveListing): DirNode {
  const rootDir = listing.sections[0]!.dir;
  const root = newDir(rootDir.endsWith('/') ? rootDir : `${rootDir}/`);
  const base = root.name;
  const sectionDirs = new Set(listing.sections.map((s) => s.dir));
  for (const section of listing.sections) {
    let node: DirNode;
    if (section.dir === rootDir) node = root;
    else if (section.dir.startsWith(base)) node = dirAt(root, splitDirs(section.dir.slice(base.length)));
    else node = dirAt(root, [`${section.dir}/`]);
    const prefix = section.dir.endsWith('/') ? section.dir : `${section.dir}/`;
    node.notes.push(...section.notes);
    for (const name of section.names) {
      if (sectionDirs.has(prefix + name)) dirAt(node, [`${name}/`]);
      else node.files.push(name);
    }
  }
  return root;
}

function splitDirs(rel: string): string[] {
  return rel
    .split('/')
    .filter((p) => p.length > 0)
    .map((p) => `${p}/`);
}

/**
 * Lossless `ls -R`: headers after the first are written relative to the first (`docs/api:` for
 * `/repo/docs/api:`); everything else is verbatim. Null when that saves nothing or does not round-trip.
 */
export function encodeLsRecursive(lines: readonly string[], listing: LsRecursiveListing): string[] | null {
  const rootRaw = lines[listing.headerLines[0]!]!;
  const rootLine = stripCr(rootRaw);
  const root = rootLine.slice(0, -1);
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const out = lines.slice();
  let shortened = 0;
  for (const at of listing.headerLines.slice(1)) {
    const line = lines[at]!;
    if (!line.startsWith(prefix)) return null;
    out[at] = line.slice(prefix.length);
    shortened++;
  }
  if (shortened === 0) return null;
  out.splice(listing.headerLines[0]!, 0, lsLegend(rootLine) + (rootRaw.endsWith('\r') ? '\r' : ''));
  const decoded = decodeLsRecursive(out);
  if (decoded === null || decoded.length !== lines.length || decoded.some((l, i) => l !== lines[i])) return null;
  return out;
}

function lsLegend(rootLine: string): string {
  return `[leeway: ls -R output; each directory header after ${rootLine} is written relative to it]`;
}

const LS_LEGEND_RE = /^\[leeway: ls -R output; each directory header after (.+) is written relative to it\]\r?$/;

/** Inverse of `encodeLsRecursive`. */
export function decodeLsRecursive(lines: readonly string[]): string[] | null {
  const at = lines.findIndex((l) => LS_LEGEND_RE.test(l));
  if (at === -1) return null;
  const rootLine = LS_LEGEND_RE.exec(lines[at]!)![1]!;
  if (stripCr(lines[at + 1] ?? '') !== rootLine) return null;
  const root = rootLine.slice(0, -1);
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const out = lines.slice(0, at);
  out.push(lines[at + 1]!);
  for (let i = at + 2; i < lines.length; i++) {
    const line = lines[i]!;
    const bare = stripCr(line);
    const isHeader = stripCr(lines[i - 1]!) === '' && bare.endsWith(':') && !/\s/.test(bare) && bare.length > 1;
    out.push(isHeader ? prefix + line : line);
  }
  return out;
}

// ------------------------------------------------------------------------------------------- tree

const TREE_LINE_RE = /^((?:[│|][ \u00a0]{3}| {4})*)(├──|└──|\|--|`--)([ \u00a0])(.*)$/;
const UNIT = 4;

export function parseTree(lines: readonly string[]): TreeListing | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    if (TREE_LINE_RE.test(stripCr(lines[i]!))) {
      if (first === -1) first = i;
      last = i;
    } else if (first !== -1) {
      break;
    }
  }
  if (first === -1 || last - first + 1 < 3) return null;
  let vertical = '│   ';
  let blank = '    ';
  let branch = '';
  let lastGlyph = '';
  const entries: TreeEntry[] = [];
  for (let i = first; i <= last; i++) {
    const m = TREE_LINE_RE.exec(stripCr(lines[i]!))!;
    const indent = m[1]!;
    for (let u = 0; u < indent.length; u += UNIT) {
      const unit = indent.slice(u, u + UNIT);
      if (unit === '    ') blank = unit;
      else vertical = unit;
    }
    const glyph = m[2]! + m[3]!;
    if (m[2] === '├──' || m[2] === '|--') branch ||= glyph;
    else lastGlyph ||= glyph;
    entries.push({ depth: indent.length / UNIT, name: m[4]! });
  }
  const rootLine = first > 0 ? stripCr(lines[first - 1]!) : '';
  const hasRoot = rootLine.trim().length > 0 && !/\s{2,}/.test(rootLine);
  const before = lines.slice(0, hasRoot ? first - 1 : first);
  return {
    form: 'tree',
    before,
    root: hasRoot ? lines[first - 1]! : null,
    entries,
    glyphs: {
      vertical,
      blank,
      branch: branch || (lastGlyph.startsWith('`') ? '|-- ' : '├── '),
      last: lastGlyph || (branch.startsWith('|') ? '`-- ' : '└── '),
    },
    after: lines.slice(last + 1),
    crlf: crlfOf(lines.slice(first, last + 1)),
  };
}

/** Draw tree entries the way `tree` does (the glyphs are implied by the structure). */
export function drawTree(entries: readonly TreeEntry[], glyphs: TreeGlyphs): string[] | null {
  // isLast[i]: no later sibling (an entry at the same depth before one shallower).
  const isLast = new Array<boolean>(entries.length);
  const seen: boolean[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const depth = entries[i]!.depth;
    isLast[i] = !seen[depth];
    seen[depth] = true;
    seen.length = depth + 1;
  }
  const out: string[] = [];
  const ancestorsLast: boolean[] = [];
  let previousDepth = -1;
  for (let i = 0; i < entries.length; i++) {
    const { depth, name } = entries[i]!;
    if (depth > previousDepth + 1) return null;
    let prefix = '';
    for (let d = 0; d < depth; d++) prefix += ancestorsLast[d] ? glyphs.blank : glyphs.vertical;
    out.push(prefix + (isLast[i] ? glyphs.last : glyphs.branch) + name);
    ancestorsLast[depth] = isLast[i]!;
    ancestorsLast.length = depth + 1;
    previousDepth = depth;
  }
  return out;
}

/** Tree entries as indented names (two spaces a level). */
export function indentTree(entries: readonly TreeEntry[]): string[] {
  return entries.map((e) => '  '.repeat(e.depth) + e.name);
}

/** Entries whose name carries children are directories; the rest are files. */
export function treeDirTree(listing: TreeListing): DirNode {
  const rootText = listing.root === null ? '' : stripCr(listing.root);
  const rootName = rootText === '' ? '' : rootText.endsWith('/') ? rootText : `${rootText}/`;
  const root = newDir(rootName);
  const stack: DirNode[] = [root];
  const { entries } = listing;
  for (let i = 0; i < entries.length; i++) {
    const { depth, name } = entries[i]!;
    stack.length = Math.min(stack.length, depth + 1);
    const parent = stack[stack.length - 1]!;
    const hasChildren = i + 1 < entries.length && entries[i + 1]!.depth > depth;
    if (hasChildren) {
      const dir = dirAt(parent, [name.endsWith('/') ? name : `${name}/`]);
      stack.push(dir);
    } else {
      parent.files.push(name);
    }
  }
  return root;
}

/** Paths of a flat listing as a tree (balanced form). */
export function pathsDirTree(listing: PathListing): DirNode {
  return buildDirTree(listing.paths);
}
