import { queryTerms, topRelevant } from '../relevance';

/**
 * Outline of source code by indentation and brace heuristics (no parser): imports, declarations and
 * signatures stay, long function bodies become ranges to elide. Works for Python, JS/TS, Go, Java-like and
 * Rust-like code because a body is "the lines indented deeper than its signature"; a closing brace at the
 * signature's indentation is not part of the body, so it stays.
 */

/**
 * Bodies shorter than this (lines) or cheaper than this (estimated tokens: characters / 4 plus two for a line
 * number) are kept: a marker costs about 30 tokens, so eliding them would save little or nothing.
 */
export const MIN_ELIDED_LINES = 4;
export const MIN_ELIDED_TOKENS = 45;
/** Lines relevant to the query (BM25) that stay visible, each with one line of context either side. */
export const RELEVANT_LINES = 12;
const MAX_HEADER_LINES = 12;

/** A range of code lines (indices into the outlined lines, inclusive) to replace with a marker. */
export interface ElidedRange {
  readonly start: number;
  readonly end: number;
  /** What the range is, e.g. `body of parse_args`. */
  readonly label: string;
  /** Indentation of the first elided line, for the marker. */
  readonly indent: string;
}

interface LineInfo {
  readonly text: string;
  readonly blank: boolean;
  readonly indent: number;
  readonly indentText: string;
}

const CONTROL_WORDS = new Set([
  'if', 'else', 'for', 'while', 'switch', 'catch', 'return', 'do', 'try', 'new', 'throw', 'elif', 'except', 'with',
  'finally', 'case', 'select', 'defer', 'go', 'await', 'yield', 'sizeof', 'typeof', 'delete', 'match', 'loop',
]);

const PY_DEF_RE = /^(?:async\s+)?def\s+(\w+)/;
const FUNCTION_RE = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(\w*)/;
const GO_FUNC_RE = /^func\s+(?:\([^)]*\)\s*)?(\w+)/;
const RUST_FN_RE = /^(?:pub(?:\([\w:]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+"\w+"\s+)?fn\s+(\w+)/;
const ARROW_CONST_RE = /^(?:export\s+)?(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\([^)]*\)|\w+)\s*(?::[^=]+)?=>/;
const ARROW_OPEN_RE = /=>\s*\{\s*$/;
const CALLBACK_FN_RE = /\bfunction\s*\*?\s*\w*\s*\([^)]*\)\s*\{\s*$/;
/** A method or C-like function: `[modifiers] [type] name(args) [throws X] {` (brace possibly on the next line). */
const METHOD_RE = /^(?:[\w$<>[\],.?*&:@]+\s+)*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^;]*$/;
const CONTAINER_RE =
  /^(?:export\s+)?(?:default\s+)?(?:public\s+|private\s+|protected\s+|internal\s+|abstract\s+|final\s+|static\s+|sealed\s+|data\s+|pub(?:\([\w:]+\))?\s+)*(?:class|interface|struct|enum|trait|impl|module|namespace|object|record)\b/;
const HEADER_END_RE = /(?:[:{]|=>)\s*(?:#.*|\/\/.*|\/\*.*\*\/)?$/;
const DOC_START_RE = /^(?:"""|'''|r"""|\/\/|\/\*\*?|#|\*)\s*\S/;

function lineInfo(raw: string): LineInfo {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let i = 0;
  let width = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) {
    width += text[i] === '\t' ? 4 : 1;
    i++;
  }
  return { text: text.slice(i), blank: i === text.length, indent: width, indentText: text.slice(0, i) };
}

/** What a line declares: a function (its name), and whether its header must end in `{` to count. */
export interface Declaration {
  readonly name: string;
  readonly needsBrace: boolean;
}

/** The function a line declares, or null when it declares none (classes and other containers return null). */
export function findDeclaration(line: string): Declaration | null {
  const text = line.trimStart();
  const m =
    PY_DEF_RE.exec(text) ?? GO_FUNC_RE.exec(text) ?? RUST_FN_RE.exec(text) ?? FUNCTION_RE.exec(text) ?? ARROW_CONST_RE.exec(text);
  if (m) return { name: m[1] || 'anonymous function', needsBrace: false };
  if (CONTAINER_RE.test(text)) return null;
  if (ARROW_OPEN_RE.test(text) || CALLBACK_FN_RE.test(text)) return { name: callbackLabel(text), needsBrace: false };
  const method = METHOD_RE.exec(text);
  if (!method) return null;
  const first = /^[\w$]+/.exec(text)?.[0] ?? '';
  const name = method[1]!;
  const beforeParen = text.slice(0, text.indexOf('('));
  if (CONTROL_WORDS.has(first) || CONTROL_WORDS.has(name) || beforeParen.includes('.') || beforeParen.includes('=')) return null;
  if (/;\s*$/.test(text)) return null;
  return { name, needsBrace: true };
}

/** A short label for a callback (`it('parses', () => {` → `it('parses')`), without brackets. */
function callbackLabel(text: string): string {
  const call = /^([\w$.]+)\s*\(\s*(['"`])([^'"`]{0,48})/.exec(text);
  const label = call ? `${call[1]}(${call[2]}${call[3]}${call[2]})` : 'callback';
  return label.replace(/[[\]]/g, '');
}

/** Index of the last line of a signature that may span several lines (parameters, Allman braces). */
function headerEnd(info: readonly LineInfo[], start: number): number {
  let depth = 0;
  const last = Math.min(info.length - 1, start + MAX_HEADER_LINES);
  for (let j = start; j <= last; j++) {
    const text = info[j]!.text;
    for (const ch of text) {
      if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') depth--;
    }
    if (depth <= 0) {
      if (HEADER_END_RE.test(text)) return j;
      const next = info[j + 1];
      if (next && next.text === '{') return j + 1;
      return j;
    }
  }
  return start;
}

/**
 * Ranges to elide for an outline of `lines` (code only, no line-number prefixes): bodies of functions long
 * enough to pay for a marker, then long doc comments and comment runs (their first line stays), minus the
 * lines relevant to the query (kept with one line of context) and the first line of a body's doc comment.
 * Ranges are in order, disjoint, and extended over the blank lines that follow them.
 */
export function outlineRanges(lines: readonly string[], query: string | undefined): ElidedRange[] {
  const info = lines.map(lineInfo);
  const keep = relevantLines(lines, query);
  const ranges: ElidedRange[] = [];
  let i = 0;
  while (i < info.length) {
    const line = info[i]!;
    if (line.blank) {
      i++;
      continue;
    }
    const decl = findDeclaration(line.text);
    const h = decl ? headerEnd(info, i) : i;
    if (decl !== null && (!decl.needsBrace || /\{\s*$/.test(info[h]!.text))) {
      let k = h + 1;
      while (k < info.length && (info[k]!.blank || info[k]!.indent > line.indent)) k++;
      let end = k - 1;
      while (end > h && info[end]!.blank) end--;
      let start = h + 1;
      if (start <= end && DOC_START_RE.test(info[start]!.text)) start++;
      if (start <= end) pushSplit(ranges, info, start, end, keep, `body of ${decl.name}`);
      i = Math.max(k, i + 1);
      continue;
    }
    const block = commentEnd(info, i) ?? literalEnd(info, i);
    if (block !== null) {
      pushSplit(ranges, info, i + 1, block.end, keep, block.label);
      i = block.end + 1;
      continue;
    }
    i++;
  }
  return extendOverBlanks(ranges, info);
}

/**
 * The lines most relevant to the query (BM25), each with one line of context. Only lines that contain a
 * query term are scored, which keeps this linear in practice on large views.
 */
function relevantLines(lines: readonly string[], query: string | undefined): Set<number> {
  const keep = new Set<number>();
  const terms = query ? queryTerms(query) : [];
  if (terms.length === 0) return keep;
  const candidates: number[] = [];
  lines.forEach((line, i) => {
    const lower = line.toLowerCase();
    if (terms.some((t) => lower.includes(t))) candidates.push(i);
  });
  const docs = candidates.map((i) => lines[i]!);
  for (const c of topRelevant(docs, query, RELEVANT_LINES)) {
    const i = candidates[c]!;
    for (let k = i - 1; k <= i + 1; k++) keep.add(k);
  }
  return keep;
}

const TRIPLE_QUOTE_RE = /("""|\'\'\')/;
const ASSIGNED_NAME_RE = /^(?:export\s+)?(?:(?:const|let|var|static|final|private|public|protected|readonly)\s+)*([\w$.]+)\s*(?::[^=]+)?=[^=]/;
const OPENER_RE = /[[({]\s*(?:#.*|\/\/.*)?$/;
const IMPORT_RE = /^(?:import\b|from\s+\S+\s+import\b|use\b|using\b|require\b|#include\b)/;
const LINE_COMMENT_RE = /^(\/\/|#(?!include\b|define\b|if|endif\b|else\b|pragma\b|import\b|!|\[))/;

/** The last line of a docstring, block comment or run of line comments starting at `start`. */
function commentEnd(info: readonly LineInfo[], start: number): { end: number; label: string } | null {
  const text = info[start]!.text;
  const triple = TRIPLE_QUOTE_RE.exec(text);
  if (triple) {
    const quote = triple[1]!;
    if (text.indexOf(quote, triple.index + 3) !== -1) return null;
    const name = ASSIGNED_NAME_RE.exec(text)?.[1];
    const label = /^[rRuUbBfF]{0,2}$/.test(text.slice(0, triple.index)) ? 'docstring' : name ? `string ${name}` : 'string';
    for (let j = start + 1; j < info.length; j++) if (info[j]!.text.includes(quote)) return { end: j, label };
    return { end: info.length - 1, label }; // the view ends inside the string
  }
  if (text.startsWith('/*')) {
    if (text.includes('*/')) return null;
    for (let j = start + 1; j < info.length; j++) if (info[j]!.text.includes('*/')) return { end: j, label: 'comment' };
    return { end: info.length - 1, label: 'comment' };
  }
  const line = LINE_COMMENT_RE.exec(text);
  if (line) {
    let j = start;
    while (j + 1 < info.length && info[j + 1]!.indent === info[start]!.indent && info[j + 1]!.text.startsWith(line[1]!)) j++;
    return j > start ? { end: j, label: 'comment' } : null;
  }
  return null;
}

/**
 * A literal or block opened at the end of a line (`X = {`, `var (`, `foo(`) whose lines are indented deeper:
 * its inner lines, up to the line that closes it. Imports and containers (classes, structs) are not blocks.
 */
function literalEnd(info: readonly LineInfo[], start: number): { end: number; label: string } | null {
  const line = info[start]!;
  if (!OPENER_RE.test(line.text) || IMPORT_RE.test(line.text) || CONTAINER_RE.test(line.text)) return null;
  let k = start + 1;
  while (k < info.length && (info[k]!.blank || info[k]!.indent > line.indent)) k++;
  let end = k - 1;
  while (end > start && info[end]!.blank) end--;
  if (end === start) return null;
  const name = ASSIGNED_NAME_RE.exec(line.text)?.[1];
  return { end, label: name ? `value of ${name}` : 'block' };
}

/** Let each range swallow the blank lines after it (up to the next range or kept line). */
function extendOverBlanks(ranges: readonly ElidedRange[], info: readonly LineInfo[]): ElidedRange[] {
  return ranges.map((range, r) => {
    const limit = r + 1 < ranges.length ? ranges[r + 1]!.start - 1 : info.length - 1;
    let end = range.end;
    while (end < limit && info[end + 1]!.blank) end++;
    return end === range.end ? range : { ...range, end };
  });
}

/** Push [start, end] minus the kept lines, as ranges that are each worth a marker. */
function pushSplit(
  out: ElidedRange[],
  info: readonly LineInfo[],
  start: number,
  end: number,
  keep: ReadonlySet<number>,
  label: string,
): void {
  let s = start;
  while (s <= end) {
    while (s <= end && keep.has(s)) s++;
    let e = s;
    while (e + 1 <= end && !keep.has(e + 1)) e++;
    if (s > end) break;
    let chars = 0;
    for (let j = s; j <= e; j++) chars += info[j]!.text.length;
    if (e - s + 1 >= MIN_ELIDED_LINES && chars / 4 + 2 * (e - s + 1) >= MIN_ELIDED_TOKENS) {
      let first = s;
      while (first < e && info[first]!.blank) first++;
      out.push({ start: s, end: e, label, indent: info[first]!.indentText });
    }
    s = e + 1;
  }
}
