import { topRelevant } from '../relevance';
import type { Compressor, CompressorContext } from '../types';
import {
  decodeLsRecursive,
  drawTree,
  encodeLsRecursive,
  indentTree,
  lsTree,
  parseListing,
  pathsDirTree,
  stripCr,
  treeDirTree,
  type CrlfStyle,
  type ParsedListing,
  type TreeEntry,
  type TreeGlyphs,
  type TreeListing,
} from './listing-parse';
import {
  countFiles,
  decodePathTree,
  encodePathTree,
  chooseFolds,
  measureDirTree,
  renderDirTree,
  type DirNode,
  type RenderCache,
  type RenderResult,
} from './path-tree';

/**
 * File listings (`find`, `rg --files`, `ls -R`, `tree`).
 * - lossless: flat path lists become an order-preserving directory tree (`dir/ file file …`, subdirectories
 *   indented); `ls -R` headers are written relative to the root; `tree` drawings become indentation.
 *   Every encoding is decoded again before it is used, so it is exact or not used at all.
 * - balanced/aggressive: when the lossless form is still large, a merged tree with at most N files per
 *   directory (task-relevant names always kept, a variety of extensions preferred, the rest counted by
 *   extension) and deep subtrees folded into counts; one marker names the whole original.
 */
export const listingCompressor: Compressor = {
  kind: 'listing',
  compress(input: string, ctx: CompressorContext): string {
    const lines = input.split('\n');
    const parsed = parseListing(lines);
    if (!parsed) return input;
    const encoded = encodeListing(lines, parsed);
    // Every encoding is decoded again before it is used: exact or not at all.
    const exact = (): string | null => (encoded !== null && decodeListing(encoded) === input ? encoded : null);
    if (ctx.mode === 'lossless') return exact() ?? input;
    return balancedListing(input, parsed, encoded, exact, ctx) ?? exact() ?? input;
  },
};

// ------------------------------------------------------------------------------------------ lossless

const PATHS_LEGEND_RE = /^\[leeway: (\d+) paths grouped by directory: "dir\/ file file …", subdirectories indented\]$/;
const TREE_LEGEND_RE = /^\[leeway: (\d+) tree entries, drawing lines replaced by indentation \(2 spaces a level(, ascii)?\)\]$/;

function pathsLegend(n: number): string {
  return `[leeway: ${n} paths grouped by directory: "dir/ file file …", subdirectories indented]`;
}

function treeLegend(n: number, ascii: boolean): string {
  return `[leeway: ${n} tree entries, drawing lines replaced by indentation (2 spaces a level${ascii ? ', ascii' : ''})]`;
}

const UNICODE_GLYPHS: TreeGlyphs = { vertical: '│   ', blank: '    ', branch: '├── ', last: '└── ' };
const ASCII_GLYPHS: TreeGlyphs = { vertical: '|   ', blank: '    ', branch: '|-- ', last: '`-- ' };

/** The lossless re-encoding of a listing, or null when there is none that round-trips. */
export function losslessListing(lines: readonly string[], parsed: ParsedListing): string | null {
  const encoded = encodeListing(lines, parsed);
  return encoded !== null && decodeListing(encoded) === lines.join('\n') ? encoded : null;
}

/** The lossless re-encoding of a listing, not yet verified. */
function encodeListing(lines: readonly string[], parsed: ParsedListing): string | null {
  let out: string[] | null = null;
  if (parsed.form === 'paths') {
    const tree = parsed.crlf === null ? null : encodePathTree(parsed.paths);
    if (tree) out = [...parsed.before, ...withCr([pathsLegend(parsed.paths.length), ...tree], parsed.crlf), ...parsed.after];
  } else if (parsed.form === 'ls-recursive') {
    out = encodeLsRecursive(lines, parsed);
  } else {
    out = encodeTree(parsed);
  }
  return out === null ? null : out.join('\n');
}

function encodeTree(parsed: TreeListing): string[] | null {
  const ascii = sameGlyphs(parsed.glyphs, ASCII_GLYPHS);
  if (parsed.crlf === null || (!ascii && !sameGlyphs(parsed.glyphs, UNICODE_GLYPHS))) return null;
  const head = parsed.root === null ? parsed.before : [...parsed.before, parsed.root];
  const body = withCr([treeLegend(parsed.entries.length, ascii), ...indentTree(parsed.entries)], parsed.crlf);
  return [...head, ...body, ...parsed.after];
}

/** Give encoded lines the input's `\r` line ends (the legend line says whether there are any). */
function withCr(lines: string[], crlf: CrlfStyle): string[] {
  if (crlf === 'none' || crlf === null) return lines;
  return lines.map((l, i) => (crlf === 'last-bare' && i === lines.length - 1 && i > 0 ? l : `${l}\r`));
}

/** Undo `withCr` on decoded lines: `\r` on each, except the last when the last encoded line had none. */
function restoreCr(decoded: string[], encodedLast: string | undefined): string[] {
  const lastBare = encodedLast !== undefined && !encodedLast.endsWith('\r');
  return decoded.map((l, i) => (lastBare && i === decoded.length - 1 ? l : `${l}\r`));
}

function sameGlyphs(a: TreeGlyphs, b: TreeGlyphs): boolean {
  return a.vertical === b.vertical && a.blank === b.blank && a.branch === b.branch && a.last === b.last;
}

/**
 * Decode any lossless listing encoding back to the original text (used to verify every encoding, and by
 * tests). Text without a listing legend is returned as it is.
 */
export function decodeListing(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('[leeway: ')) continue;
    const cr = line.endsWith('\r') ? '\r' : '';
    const bare = stripCr(line);
    const paths = PATHS_LEGEND_RE.exec(bare);
    if (paths) {
      const n = Number(paths[1]);
      const rest = lines.slice(i + 1);
      const decoded = decodePathTree(cr ? rest.map(stripCr) : rest, n);
      if (!decoded) return text;
      const body = cr ? restoreCr(decoded.paths, rest[decoded.consumed - 1]) : decoded.paths;
      return [...lines.slice(0, i), ...body, ...lines.slice(i + 1 + decoded.consumed)].join('\n');
    }
    const tree = TREE_LEGEND_RE.exec(bare);
    if (tree) {
      const n = Number(tree[1]);
      const entries: TreeEntry[] = [];
      for (const raw of lines.slice(i + 1, i + 1 + n)) {
        const row = cr ? stripCr(raw) : raw;
        let spaces = 0;
        while (row.charCodeAt(spaces) === 32) spaces++;
        entries.push({ depth: Math.floor(spaces / 2), name: row.slice(spaces) });
      }
      const drawn = drawTree(entries, tree[2] ? ASCII_GLYPHS : UNICODE_GLYPHS);
      if (!drawn) return text;
      const body = cr ? restoreCr(drawn, lines[i + n]) : drawn;
      return [...lines.slice(0, i), ...body, ...lines.slice(i + 1 + n)].join('\n');
    }
    if (line.startsWith('[leeway: ls -R output;')) {
      return decodeLsRecursive(lines)?.join('\n') ?? text;
    }
  }
  return text;
}

// ------------------------------------------------------------------------------------------ balanced

/** Balanced output aims at this share of the input's tokens (the target is 0.30) … */
const TARGET_RATIO = 0.285;
/** … and is tightened when the exact count lands above this share. */
const MAX_RATIO = 0.3;
/** A listing this small (in tokens) is shown in full when its lossless form fits, and never squeezed below it. */
const FLOOR_TOKENS = 400;
/** Per-directory caps tried in turn when folding subtrees: the first one that can be made to fit wins. */
const MIN_CAPS = [4, 2, 0];
/** Tokens of the marker line. */
const MARKER_TOKENS = 48;
/** Paths relevant to the task that are always shown. */
const RELEVANT_LIMIT = 24;

function balancedListing(
  input: string,
  parsed: ParsedListing,
  encoded: string | null,
  exact: () => string | null,
  ctx: CompressorContext,
): string | null {
  const tokensIn = ctx.countTokens(input);
  const encodedTokens = encoded === null ? 0 : ctx.countTokens(encoded);
  if (encoded !== null && encodedTokens <= Math.max(tokensIn * TARGET_RATIO, FLOOR_TOKENS)) {
    const lossless = exact();
    if (lossless !== null) return lossless;
  }

  const tree = dirTreeOf(parsed);
  const total = countFiles(tree);
  if (total === 0) return null;
  const forced = relevantPaths(tree, ctx.query);
  const cache: RenderCache = new WeakMap();
  const maxFiles = largestDir(tree);
  const none = new Set<DirNode>();
  const render = (cap: number, folded: ReadonlySet<DirNode>): RenderResult =>
    renderDirTree(tree, { cap, folded, forced }, cache);
  const measure = (cap: number, folded: ReadonlySet<DirNode>): number =>
    measureDirTree(tree, { cap, folded, forced }, cache);

  // Tokens per character of this notation, measured once, turn token budgets into character budgets.
  let perChar: number;
  if (parsed.form === 'paths' && encoded !== null) {
    perChar = encodedTokens / Math.max(1, encoded.length);
  } else {
    const fullText = render(maxFiles, none).lines.join('\n');
    perChar = ctx.countTokens(fullText) / Math.max(1, fullText.length);
  }
  const fixed = ctx.countTokens([...parsed.before, ...parsed.after].join('\n')) + MARKER_TOKENS;

  let ratio = TARGET_RATIO;
  let text = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const budgetChars = Math.max(0, Math.max(tokensIn * ratio, FLOOR_TOKENS) - fixed) / perChar;
    // Fold subtrees so that at least a few files of every shown directory fit, then show as many as fit.
    let cap = 0;
    let folded: ReadonlySet<DirNode> = none;
    for (const minCap of MIN_CAPS) {
      folded = chooseFolds(tree, forced, budgetChars, minCap, cache);
      cap = largestFitting(measure, maxFiles, folded, budgetChars);
      if (measure(minCap, folded) <= budgetChars) break;
    }
    const result = render(cap, folded);
    text = assemble(parsed.before, parsed.after, result, total, ctx, input);
    if (ctx.countTokens(text) <= Math.max(tokensIn * MAX_RATIO, FLOOR_TOKENS)) return text;
    ratio *= 0.8;
  }
  return text;
}

/** Binary search for the largest per-directory cap whose measured size fits the character budget. */
function largestFitting(
  measure: (cap: number, folded: ReadonlySet<DirNode>) => number,
  maxFiles: number,
  folded: ReadonlySet<DirNode>,
  budgetChars: number,
): number {
  let lo = 0;
  let hi = maxFiles;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(mid, folded) <= budgetChars) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function assemble(
  head: readonly string[],
  tail: readonly string[],
  result: RenderResult,
  total: number,
  ctx: CompressorContext,
  input: string,
): string {
  const summary =
    result.omitted > 0
      ? `${total} files grouped by directory, subdirectories indented; ${result.omitted} not shown but counted in brackets by extension`
      : `${total} files grouped by directory, subdirectories indented`;
  const marker = result.omitted > 0 ? ctx.elide(input, summary) : `[leeway: ${summary}]`;
  return [...head, marker, ...result.lines, ...tail].join('\n');
}

function dirTreeOf(parsed: ParsedListing): DirNode {
  if (parsed.form === 'paths') return pathsDirTree(parsed);
  if (parsed.form === 'ls-recursive') return lsTree(parsed);
  return treeDirTree(parsed);
}

function largestDir(node: DirNode): number {
  let max = node.files.length;
  for (const child of node.dirs.values()) max = Math.max(max, largestDir(child));
  return max;
}

function relevantPaths(tree: DirNode, query: string | undefined): Set<string> {
  if (!query) return new Set();
  const paths: string[] = [];
  const walk = (node: DirNode, prefix: string): void => {
    const path = prefix + node.name;
    for (const f of node.files) paths.push(path + f);
    for (const child of node.dirs.values()) walk(child, path);
  };
  walk(tree, '');
  // Path separators and dots as spaces so that `internal/dao/pod.go` matches "pod" and "dao".
  const docs = paths.map((p) => p.replace(/[/._-]+/g, ' '));
  return new Set(topRelevant(docs, query, RELEVANT_LIMIT).map((i) => paths[i]!));
}
