import { headLines, nonBlank, shareOf } from './lines';
import type { SegmentKind } from './types';

/**
 * Segment-kind detection. Looks at a bounded sample (first 400 lines / 64 KB) so that it is fast on
 * huge inputs, and never throws: anything it cannot place is `text`.
 */
const SAMPLE_LINES = 400;

export function detectKind(text: string): SegmentKind {
  try {
    return detectUnsafe(text);
  } catch {
    return 'text';
  }
}

function detectUnsafe(text: string): SegmentKind {
  const trimmed = text.trim();
  if (trimmed.length === 0 || looksBinary(text)) return 'text';
  if (isJson(trimmed)) return 'json';
  const sample = nonBlank(headLines(text, SAMPLE_LINES));
  if (sample.length === 0) return 'text';
  if (isDiff(sample)) return 'diff';
  if (isHtml(trimmed)) return 'html';
  if (isClockLedLogs(sample)) return 'logs';
  if (isSearch(sample)) return 'search';
  if (isListing(sample)) return 'listing';
  if (isCodeView(sample)) return 'code';
  if (isLogs(sample)) return 'logs';
  if (isCode(sample)) return 'code';
  return 'text';
}

/** NULs or many replacement / control characters in the first 4 KB. */
export function looksBinary(text: string): boolean {
  const head = text.slice(0, 4096);
  let bad = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) return true;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 27)) bad++;
  }
  return head.length > 0 && bad / head.length > 0.1;
}

// ---------------------------------------------------------------------------------------------- JSON

export function isJson(trimmed: string): boolean {
  const first = trimmed[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return isJsonLines(trimmed);
  }
}

/** JSON Lines: at least two lines, every non-blank line (in a sample) a JSON object or array. */
export function isJsonLines(trimmed: string): boolean {
  const lines = nonBlank(headLines(trimmed, 200, 256 * 1024));
  if (lines.length < 2) return false;
  // The last sampled line may be cut by the sample bound.
  const check = lines.length >= 200 ? lines.slice(0, -1) : lines;
  return check.every((line) => {
    const t = line.trim();
    if (t[0] !== '{' && t[0] !== '[') return false;
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------- diff

const HUNK_RE = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;

export function isDiff(lines: readonly string[]): boolean {
  let hunks = 0;
  let headers = 0;
  for (const line of lines) {
    if (HUNK_RE.test(line)) hunks++;
    else if (line.startsWith('diff --git ') || line.startsWith('--- ') || line.startsWith('+++ ')) headers++;
  }
  return hunks >= 1 && headers >= 1;
}

// ---------------------------------------------------------------------------------------------- HTML

export function isHtml(trimmed: string): boolean {
  const head = trimmed.slice(0, 2048).toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return true;
  if (!head.startsWith('<')) return false;
  const tags = head.match(/<\/?(div|span|p|a|head|body|script|table|tr|td|li|ul|meta|link)\b/g);
  return (tags?.length ?? 0) >= 5;
}

// ------------------------------------------------------------------------------------ search output

/** `path:line:text` (grep -n / rg -n), `path-line-text` context lines, `--` separators, rg --heading. */
const GREP_HIT_RE = /^([^\s:]+):\d+[:-]/;
const GREP_CTX_RE = /^([^\s:]+?)-\d+-/;
/** `path:text` (grep -r without -n): only paths with a directory (not `key.sub: value`), not pytest's `path::test`. */
const GREP_PLAIN_RE = /^((?:\.{0,2}\/)?[\w@.+-]+(?:\/[\w@.+-]+)+):(?!:)/;
const HEADING_HIT_RE = /^\d+[:-]/;

/** A path as grep prints it: a `/` or a file extension (not `2024-01-15T10`, not `12`). */
function isGrepPath(path: string): boolean {
  return path.includes('/') || /\.[A-Za-z][\w-]{0,9}$/.test(path);
}

function isGrepHit(line: string): boolean {
  if (!line.includes(':')) return false;
  const m = GREP_HIT_RE.exec(line);
  return m !== null && isGrepPath(m[1]!);
}

function isGrepContext(line: string): boolean {
  if (!line.includes('-')) return false;
  const m = GREP_CTX_RE.exec(line);
  return m !== null && isGrepPath(m[1]!);
}

export function isSearch(lines: readonly string[]): boolean {
  if (lines.length === 0) return false;
  let hits = 0;
  let anyHit = false;
  let numbered = 0;
  for (const l of lines) {
    if (isGrepHit(l)) {
      hits++;
      anyHit = true;
    } else if (l === '--' || isGrepContext(l)) {
      hits++;
    }
    const c = l.charCodeAt(0);
    if (c >= 48 && c <= 57 && HEADING_HIT_RE.test(l)) numbered++;
  }
  if (anyHit && hits >= 0.6 * lines.length) return true;
  if (shareOf(lines, (l) => l.includes(':') && GREP_PLAIN_RE.test(l)) >= 0.7) return true;
  // rg --heading: a path line, then numbered hit lines.
  if (numbered < 0.5 * lines.length) return false;
  const pathLines = shareOf(lines, (l) => isPathLike(l));
  return pathLines > 0 && numbered / lines.length + pathLines >= 0.85 && !isCatNumbered(lines);
}

// --------------------------------------------------------------------------------------- listings

const TREE_RE = /^[\s│|]*(?:├──|└──|\|--|`--) /;
/** `ls -R` section header: `.:`, `./src:`, `/repo/docs:` — a path with a `/` (or `.`) and a colon. */
const LS_DIR_HEADER_RE = /^(?:\.|[^\s:]*\/[^\s:]*|\.[^\s:]*):\r?$/;
const LS_LONG_RE = /^[-dlcbps][-rwxsStT]{9}[.+@]?\s+\d+/;

function isLsHeader(line: string): boolean {
  return (line.endsWith(':') || line.endsWith(':\r')) && LS_DIR_HEADER_RE.test(line);
}

const PATH_LIKE_RE = /^(?:\.{0,2}\/)?[\w@.+~-][\w@.+~ -]*(?:\/[\w@.+~ -]+)*\/?$/;

export function isPathLike(line: string): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > 400) return false;
  if (!t.includes('/') && !/\.\w{1,8}$/.test(t)) return false;
  return !t.includes('  ') && !/\s\s/.test(t) && PATH_LIKE_RE.test(t);
}

export function isListing(lines: readonly string[]): boolean {
  let tree = 0;
  let long = 0;
  let headers = 0;
  for (const l of lines) {
    if (TREE_RE.test(l)) tree++;
    if (LS_LONG_RE.test(l) || l.startsWith('total ')) long++;
    if (isLsHeader(l)) headers++;
  }
  if (tree >= 0.5 * lines.length) return true;
  if (long >= 0.7 * lines.length) return true;
  // ls -R: "dir:" headers followed by names, one a line or in columns (never single-spaced words).
  if (headers >= 2 && lines.length >= 8 && shareOf(lines, (l) => !/\S \S/.test(l)) >= 0.85) return true;
  return lines.length >= 3 && shareOf(lines, (l) => l.includes('/')) >= 0.5 && shareOf(lines, isPathLike) >= 0.9;
}

// ----------------------------------------------------------------------------------------- code

/** `cat -n` views and SWE-agent/OpenHands file windows: numbered source lines. */
const CAT_N_RE = /^\s*\d+\t/;
const WINDOW_LINE_RE = /^\d+:/;

function isCatNumbered(lines: readonly string[]): boolean {
  return shareOf(lines, (l) => CAT_N_RE.test(l)) >= 0.6;
}

/** `%6d ` (abbreviated str_replace_editor view) and `%6d→` (Claude Code Read): padded, consecutive numbers. */
const PADDED_NUMBER_RE = /^(?: {5}\d| {4}\d\d| {3}\d{3}| {2}\d{4}| \d{5}|\d{6,})([ →])/;

function isPaddedNumbered(lines: readonly string[], separator: string): boolean {
  let numbered = 0;
  let consecutive = 0;
  let prev = -2;
  for (const line of lines) {
    const m = PADDED_NUMBER_RE.exec(line);
    if (!m || m[1] !== separator) continue;
    const num = parseInt(line, 10);
    numbered++;
    if (num === prev + 1) consecutive++;
    prev = num;
  }
  return numbered >= 3 && numbered >= 0.6 * lines.length && consecutive >= 0.8 * (numbered - 1);
}

export function isCodeView(lines: readonly string[]): boolean {
  if (isCatNumbered(lines) || isPaddedNumbered(lines, ' ') || isPaddedNumbered(lines, '→')) return true;
  const header = lines.slice(0, 5).some((l) => /^\[File: .+ \(\d+ lines total\)\]$/.test(l));
  return header && shareOf(lines, (l) => WINDOW_LINE_RE.test(l)) >= 0.5;
}

const CODE_LINE_RE =
  /^\s*(?:import |from \S+ import |export |def |class |function |const |let |var |return\b|if\s*\(|if .*:$|for\s*\(|for .* in .*:$|while\b|package |func |pub |fn |#include|public |private |protected |static |async |await |@\w+|\/\/|#(?!\d)|\/\*|\*|[})\]];?,?$)|[;{]\s*$/;

export function isCode(lines: readonly string[]): boolean {
  return lines.length >= 3 && shareOf(lines, (l) => CODE_LINE_RE.test(l)) >= 0.35;
}

// ----------------------------------------------------------------------------------------- logs

const TIMESTAMP_RE =
  /(?:\d{4}[-/.]\d{2}[-/.]\d{2}[ T-]?\d{0,2}|\b\d{2}:\d{2}:\d{2}|\b\d{6} \d{6}\b|\b1\d{9}\b|^\[?\w{3} \w{3} +\d+ |^\w{3} +\d+ \d{2}:|^\d{8}-\d{1,2}:\d{1,2})/;
const LEVEL_RE = /\b(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL|SEVERE|PANIC)\b/;

export function isLogs(lines: readonly string[]): boolean {
  if (lines.length < 3) return false;
  // 80 chars: HPC-style lines carry their epoch after a node and component name.
  const stamped = shareOf(lines, (l) => TIMESTAMP_RE.test(l.slice(0, 80)));
  const levelled = shareOf(lines, (l) => LEVEL_RE.test(l));
  return stamped >= 0.6 || levelled >= 0.5 || (stamped >= 0.3 && levelled >= 0.3);
}

/**
 * Logs whose first colon belongs to a clock time (`20171223-22:15:29:606|…`, `nova-api.log.1.2017-05-16_13:53:08 …`)
 * look like `path:line:` grep hits; real grep output has a path (not a number) before its first colon.
 */
const CLOCK_FIRST_COLON_RE = /^[^:\n]{0,80}?(?<![A-Za-z0-9])\d{1,2}:\d{1,2}:\d{1,2}/;

export function isClockLedLogs(lines: readonly string[]): boolean {
  return shareOf(lines, (l) => CLOCK_FIRST_COLON_RE.test(l)) >= 0.6 && isLogs(lines);
}
