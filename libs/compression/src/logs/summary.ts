import { bm25Scores } from '../relevance';
import type { CompressorContext } from '../types';
import { mergeTemplates, mineTemplates, splitBySeparators, tokenize, TokenTable, type Template } from './drain';
import { parseRecords, type LogRecord } from './records';

/**
 * Lossy log summary: a block of templates, then the important lines verbatim in time order.
 *
 *   [leeway: 1,812 of 2,000 log lines omitted, summarised by template; retrieve key=lw_…]
 *   templates, first seen first (…legend…):
 *   836 × [notice] jk2_init() Found child <*> in scoreboard slot {6×170|7×169|8×167|9×170…}  (04:51:08 … 19:15:55)
 *     e.g. [Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10
 *   539 × [error] mod_jk child workerEnv in error state <*>  (Sun Dec 04 04:47:44 2005 … 19:15:57 2005; 41 shown below)
 *   [leeway: errors/warnings with neighbouring lines, verbatim in original order; …; retrieve key=lw_…]
 *   [Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties
 *   [Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6
 *   … lines 3–8 omitted …
 *
 * Why this layout rather than one interleaved stream: the template block answers "what happens here and how
 * often" in one screen, and the verbatim block keeps every kind of failure exactly as written, with its
 * neighbours and in time order, so a model can quote it, see what preceded it and cite its line numbers (the
 * gap notes carry them). Interleaving everything would spend most tokens on gaps between routine lines.
 *
 * Everything is chosen by priority within a size budget (characters, a cheap stand-in for tokens):
 *   1. always: the first occurrence of every important template (error / warning / failure / stack trace) and
 *      the records most relevant to the task query; the summary lines of repeated important templates;
 *   2. frequent routine templates (3+ lines), most frequent first, within half of the budget;
 *   3. the neighbours of the lines kept in 1;
 *   4. the other frequent templates, then rare routine templates (1–2 lines), first seen first;
 *   5. one verbatim example for routine templates whose pattern hides values;
 *   6. further occurrences of important templates, round-robin across templates: each variant first (the
 *      first line with each value listed inline), then spread over time (last, middle, quarters, ...).
 * A routine template that does not fit is counted in one closing marker (by component), so every line is
 * either shown, counted in a template, or counted in that marker — and all of them are retrievable.
 */
export interface SummaryOptions {
  /** Neighbouring records kept around the first occurrence of an important template. */
  readonly context: number;
  /** Neighbours around further occurrences of an important template. */
  readonly extraContext: number;
  /** Size the output aims at, as a share of the input's characters. */
  readonly targetShare: number;
  /** Budget floor in characters, so small logs keep all their important lines. */
  readonly minBudgetChars: number;
  /** Give routine templates with hidden values one verbatim example. */
  readonly examples: boolean;
  /** Records kept for their relevance to the task query. */
  readonly queryLines: number;
  /** Id values listed per varying position of a repeated important template. */
  readonly maxIds: number;
}

export const BALANCED: SummaryOptions = {
  context: 1,
  extraContext: 1,
  targetShare: 0.12,
  minBudgetChars: 6000,
  examples: true,
  queryLines: 8,
  maxIds: 12,
};

export const AGGRESSIVE: SummaryOptions = {
  context: 1,
  extraContext: 0,
  targetShare: 0.06,
  minBudgetChars: 3000,
  examples: false,
  queryLines: 5,
  maxIds: 6,
};

/** A wildcard shows its values inline (`{a|b}`) when there are at most this many, in at most this many chars. */
const MAX_INLINE_VALUES = 6;
const MAX_INLINE_CHARS = 60;
/** Inline values one pattern may add in all. */
const MAX_INLINE_TOTAL = 120;
/** Templates with at least this many lines are "frequent" (tier 2). */
const FREQUENT = 3;
/** Estimated characters of a gap note. */
const GAP_COST = 32;
/** Characters set aside for the notes and ids of a repeated important template's summary line. */
const RESERVED_IMPORTANT_NOTE = 160;
/** Components named in the closing marker of templates that did not fit. */
const MAX_LABELS = 8;
/** Marker texts stay well under the 300 characters a marker may hold. */
const MAX_MARKER_TEXT = 240;

const KEPT = 1;
const CONTEXT = 2;

interface LogView {
  readonly lines: readonly string[];
  readonly records: readonly LogRecord[];
  /** Tokens of each record's head line, from its message start. */
  readonly table: TokenTable;
}

interface RenderedPattern {
  readonly pattern: string;
  /** Whether some wildcard shows as `<*>` (its values are not all listed). */
  readonly hidden: boolean;
  /** Token positions whose values are listed inline. */
  readonly inlined: ReadonlySet<number>;
}

export function summariseLog(input: string, lines: readonly string[], ctx: CompressorContext, options: SummaryOptions): string {
  const { records } = parseRecords(lines);
  const lineStarts = new Int32Array(lines.length);
  for (let i = 1; i < lines.length; i++) lineStarts[i] = lineStarts[i - 1]! + lines[i - 1]!.length + 1;
  const table = new TokenTable(
    input,
    records.map((r) => lineStarts[r.start]! + r.messageAt),
    records.map((r) => lineStarts[r.start]! + lines[r.start]!.length),
  );
  const groups = records.map((r) => (r.important ? 1 : 0));
  const templates = splitBySeparators(table, mergeTemplates(mineTemplates(table, groups), groups));
  const view: LogView = { lines, records, table };
  const isImportant = (t: Template): boolean => records[t.members[0]!]!.important;

  const state = new Uint8Array(records.length);
  const budget = Math.max(options.minBudgetChars, options.targetShare * input.length);
  let used = 0;
  const fits = (cost: number): boolean => used + cost <= budget;
  /** Characters that showing record r adds: its lines, plus a gap note when it opens a new block. */
  const costOf = (r: number): number => {
    if (state[r] !== 0) return 0;
    const before = r > 0 && state[r - 1] !== 0;
    const after = r + 1 < records.length && state[r + 1] !== 0;
    return recordChars(view, r) + (before && after ? -GAP_COST : before || after ? 0 : GAP_COST);
  };
  const show = (r: number, as: number): void => {
    used += costOf(r);
    if (state[r] !== KEPT) state[r] = as;
  };
  const around = (r: number, context: number): number[] => {
    const out: number[] = [];
    for (let k = Math.max(0, r - context); k <= Math.min(records.length - 1, r + context); k++) if (k !== r) out.push(k);
    return out;
  };

  const patterns = new Map<number, RenderedPattern>();
  for (const t of templates) if (t.members.length > 1) patterns.set(t.id, renderPattern(view, t));
  const important = templates.filter(isImportant);
  const routine = templates.filter((t) => !isImportant(t));

  // 1. Always.
  const firsts = important.map((t) => t.members[0]!);
  for (const r of firsts) show(r, KEPT);
  for (const r of relevantRecords(view, ctx.query, options.queryLines)) show(r, KEPT);
  for (const t of important) if (t.members.length > 1) used += patterns.get(t.id)!.pattern.length + RESERVED_IMPORTANT_NOTE;

  // 2. Frequent routine templates, most frequent first.
  const listed = new Set<number>();
  const list = (t: Template): void => {
    const cost = summaryLine(view, t, patterns.get(t.id)).length + 1;
    if (!fits(cost)) return;
    used += cost;
    listed.add(t.id);
  };
  //    They may take half the budget before the neighbours of step 3 get their turn, then the rest of it.
  const frequent = routine.filter((t) => t.members.length >= FREQUENT);
  frequent.sort((a, b) => b.members.length - a.members.length || a.id - b.id);
  for (const t of frequent) if (used < budget / 2) list(t);

  // 3. Neighbours of the first occurrences.
  for (const r of firsts) for (const k of around(r, options.context)) if (fits(costOf(k))) show(k, CONTEXT);

  // 4. The remaining frequent templates, then rare routine templates.
  for (const t of frequent) if (!listed.has(t.id)) list(t);
  for (const t of routine) if (t.members.length < FREQUENT) list(t);

  // 5. Examples.
  const examples = new Set<number>();
  if (options.examples) {
    for (const t of routine) {
      if (!listed.has(t.id) || patterns.get(t.id)?.hidden !== true) continue;
      const cost = exampleLine(view, t).length + 1;
      if (!fits(cost)) continue;
      used += cost;
      examples.add(t.id);
    }
  }

  // 6. Further occurrences of important templates.
  const queues = important.map((t) => furtherOccurrences(view, t, patterns.get(t.id)));
  for (let round = 0, progress = true; progress; round++) {
    progress = false;
    for (const queue of queues) {
      const r = queue[round];
      if (r === undefined) continue;
      progress = true;
      if (state[r] === KEPT) continue;
      const group = [r, ...around(r, options.extraContext)];
      if (!fits(group.reduce((sum, k) => sum + costOf(k), 0))) continue;
      show(r, KEPT);
      for (const k of group.slice(1)) show(k, CONTEXT);
    }
  }

  // ---- rendering
  let shownLines = 0;
  for (let r = 0; r < records.length; r++) if (state[r] !== 0) shownLines += records[r]!.end - records[r]!.start;
  const total = lines.length;
  const out: string[] = [];
  // One key for the whole log; every marker below names it.
  out.push(ctx.elide(input, `${fmt(total - shownLines)} of ${fmt(total)} log lines omitted, summarised by template`));

  const block: string[] = [];
  const unlisted: Template[] = [];
  for (const t of templates) {
    if (isImportant(t)) {
      const shown = t.members.reduce((n, m) => n + (state[m] !== 0 ? 1 : 0), 0);
      if (shown === t.members.length) continue;
      block.push(summaryLine(view, t, patterns.get(t.id), shown));
      const ids = foldedIds(view, t, state, options.maxIds, patterns.get(t.id)?.inlined);
      if (ids !== null) block.push(`  ids of the others: ${ids}`);
    } else if (listed.has(t.id)) {
      block.push(summaryLine(view, t, patterns.get(t.id)));
      if (examples.has(t.id)) block.push(exampleLine(view, t));
    } else {
      unlisted.push(t);
    }
  }
  if (block.length > 0) {
    out.push(
      'templates, first seen first (n × line pattern; <*> = a varying value, {a|b} = the values seen, ×k = how often; first … last time):',
      ...block,
    );
  }
  if (unlisted.length > 0) out.push(ctx.elide(input, unlistedSummary(unlisted)));

  if (state.some((s) => s !== 0)) {
    out.push(
      ctx.elide(input, 'errors/warnings with neighbouring lines, verbatim in original order; “… lines a–b omitted …” marks lines left out'),
    );
    let gapStart = -1;
    let gapImportant = 0;
    const flushGap = (endRecord: number): void => {
      if (gapStart < 0) return;
      const from = records[gapStart]!.start + 1;
      const to = records[endRecord - 1]!.end;
      const range = from === to ? `line ${fmt(from)}` : `lines ${fmt(from)}–${fmt(to)}`;
      const note = gapImportant > 0 ? ` (${fmt(gapImportant)} ${gapImportant === 1 ? 'error/warning' : 'errors/warnings'} among them)` : '';
      out.push(`… ${range} omitted${note} …`);
      gapStart = -1;
      gapImportant = 0;
    };
    for (let r = 0; r < records.length; r++) {
      const rec = records[r]!;
      if (state[r] === 0) {
        if (gapStart < 0) gapStart = r;
        if (rec.important) gapImportant++;
        continue;
      }
      flushGap(r);
      for (let i = rec.start; i < rec.end; i++) out.push(lines[i]!);
    }
    flushGap(records.length);
  }
  return out.join('\n');
}

function recordChars(view: LogView, r: number): number {
  const rec = view.records[r]!;
  let n = 0;
  for (let i = rec.start; i < rec.end; i++) n += view.lines[i]!.length + 1;
  return n;
}

/**
 * The order in which further occurrences of an important template are kept: the first line of each value
 * listed inline (each variant of the error, e.g. `error state 10`, verbatim once), then {@link spreadOrder}.
 */
function furtherOccurrences(view: LogView, t: Template, pattern: RenderedPattern | undefined): number[] {
  const variants = new Set<number>();
  for (const p of pattern?.inlined ?? []) {
    const seen = new Set<string>();
    for (const m of t.members) {
      const v = view.table.token(m, p);
      if (seen.has(v)) continue;
      seen.add(v);
      if (m !== t.members[0]) variants.add(m);
    }
  }
  const first = [...variants].sort((a, b) => a - b);
  return [...first, ...spreadOrder(t.members).filter((m) => !variants.has(m))];
}

/** Occurrences after the first: the last, then by bisection (middle, quarters, ...) for an even spread in time. */
export function spreadOrder(members: readonly number[]): number[] {
  const n = members.length;
  if (n < 2) return [];
  const out = [members[n - 1]!];
  const queue: [number, number][] = [[1, n - 2]];
  for (let q = 0; q < queue.length; q++) {
    const [lo, hi] = queue[q]!;
    if (lo > hi) continue;
    const mid = (lo + hi) >> 1;
    out.push(members[mid]!);
    queue.push([lo, mid - 1], [mid + 1, hi]);
  }
  return out;
}

function relevantRecords(view: LogView, query: string | undefined, limit: number): number[] {
  if (query === undefined || query.trim().length === 0 || limit <= 0) return [];
  const scores = bm25Scores(
    view.records.map((r) => view.lines[r.start]!),
    query,
  );
  return scores
    .map((score, index) => ({ score, index }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, limit)
    .map((s) => s.index);
}

// ------------------------------------------------------------------------------------------ rendering

/** One template in the summary block: `n × pattern  (first … last time)`, or `1 × line` for a single line. */
function summaryLine(view: LogView, t: Template, pattern: RenderedPattern | undefined, shown = 0): string {
  const first = view.records[t.members[0]!]!;
  if (t.members.length === 1 || pattern === undefined) {
    return `1 × ${view.lines[first.start]!}${moreLines(first)}${shown > 0 ? '  (shown below)' : ''}`;
  }
  const notes: string[] = [];
  const span = timeSpan(view, t);
  if (span !== null) notes.push(span);
  if (shown > 0) notes.push(`${fmt(shown)} shown below`);
  return `${fmt(t.members.length)} × ${pattern.pattern}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`;
}

function exampleLine(view: LogView, t: Template): string {
  const first = view.records[t.members[0]!]!;
  return `  e.g. ${view.lines[first.start]!}${moreLines(first)}`;
}

function moreLines(rec: LogRecord): string {
  const extra = rec.end - rec.start - 1;
  return extra > 0 ? ` (+${fmt(extra)} continuation line${extra === 1 ? '' : 's'} omitted)` : '';
}

/** The first member's message with its wildcard tokens replaced by `<*>` or `{a|b}`. */
function renderPattern(view: LogView, t: Template): RenderedPattern {
  const first = view.records[t.members[0]!]!;
  const head = view.lines[first.start]!;
  const { tokens, starts } = tokenize(head, first.messageAt);
  let out = '';
  let pos = first.messageAt;
  let hidden = false;
  const inlined = new Set<number>();
  let inlineBudget = MAX_INLINE_TOTAL;
  for (let p = 0; p < tokens.length; p++) {
    if (t.tokens[p] !== null) continue;
    const values = inlineBudget > 0 && !isCompoundPart(head, t, tokens, starts, p) ? inlineValues(view, t, p) : null;
    if (values === null) hidden = true;
    else {
      inlineBudget -= values.length;
      inlined.add(p);
    }
    out += head.slice(pos, starts[p]) + (values ?? '<*>');
    pos = starts[p]! + tokens[p]!.length;
  }
  out += head.slice(pos);
  return { pattern: out.trimEnd(), hidden, inlined };
}

/**
 * Whether wildcard p is part of a compound value: wildcards glued by `:` / `.` with no space (an IPv6 or MAC
 * address, a clock time). Listing each part's values would read as noise, so the whole stays `<*>`.
 */
function isCompoundPart(head: string, t: Template, tokens: readonly string[], starts: readonly number[], p: number): boolean {
  const glued = (a: number): boolean => {
    // tokens a and a+1 are both wildcards, separated by one ':' or '.'
    if (a < 0 || a + 1 >= tokens.length || t.tokens[a] !== null || t.tokens[a + 1] !== null) return false;
    const gap = head.slice(starts[a]! + tokens[a]!.length, starts[a + 1]);
    return gap === ':' || gap === '.';
  };
  return (glued(p) && (glued(p + 1) || glued(p - 1))) || (glued(p - 1) && glued(p - 2));
}

/** `{a×3|b}` when a wildcard takes few, repeated values; null when it should stay `<*>`. */
function inlineValues(view: LogView, t: Template, p: number): string | null {
  /** One member holding each distinct value, and how often each value occurs. */
  const holders: number[] = [];
  const counts: number[] = [];
  let chars = 0;
  for (const m of t.members) {
    let k = 0;
    while (k < holders.length && !view.table.same(m, p, holders[k]!, p)) k++;
    if (k === holders.length) {
      if (holders.length >= MAX_INLINE_VALUES) return null;
      chars += view.table.token(m, p).length + 1;
      if (chars > MAX_INLINE_CHARS) return null;
      holders.push(m);
      counts.push(0);
    }
    counts[k]!++;
  }
  // All distinct (a handful of lines, each its own value): listing them reads as noise; `<*>` it is.
  if (holders.length === t.members.length) return null;
  return `{${holders.map((m, k) => view.table.token(m, p) + (counts[k]! > 1 ? `×${counts[k]}` : '')).join('|')}}`;
}

/** Id-like values (letters and digits, or long numbers) of the occurrences not shown verbatim. */
function foldedIds(
  view: LogView,
  t: Template,
  state: Uint8Array,
  maxIds: number,
  inlined: ReadonlySet<number> | undefined,
): string | null {
  const folded = t.members.filter((m) => state[m] === 0);
  if (folded.length === 0 || maxIds <= 0) return null;
  const parts: string[] = [];
  for (let p = 0; p < t.tokens.length; p++) {
    if (t.tokens[p] !== null || inlined?.has(p) === true) continue;
    const seen = new Set<string>();
    for (const m of folded) seen.add(view.table.token(m, p));
    const values = [...seen];
    if (!values.every(isIdLike)) continue;
    const shown = values.slice(0, maxIds).join(', ');
    parts.push(values.length > maxIds ? `${shown} (+${fmt(values.length - maxIds)} more)` : shown);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Ids: block / request / attempt ids, addresses, hex — not small counters, ports or durations. */
function isIdLike(value: string): boolean {
  if (value.length < 5) return false;
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return value.length >= 8;
  return /\d/.test(value);
}

const CLOCK_START_RE = /^\d{1,2}[:.]\d{2}/;

/** `first … last` from the stamps of the first and last member; the last drops the date it shares. */
function timeSpan(view: LogView, t: Template): string | null {
  const a = stampText(view, t.members[0]!);
  const b = stampText(view, t.members[t.members.length - 1]!);
  if (a === null || b === null) return null;
  if (a === b) return a;
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  // Cut only before a clock time (`2015-10-18 18:01:47` … `18:46:12`), so the rest reads as a whole unit.
  while (k > 0 && !(/[\sT-]/.test(b[k - 1]!) && CLOCK_START_RE.test(b.slice(k)))) k--;
  return `${a} … ${b.slice(k)}`;
}

function stampText(view: LogView, r: number): string | null {
  const rec = view.records[r]!;
  return rec.stamp === null ? null : view.lines[rec.start]!.slice(rec.stamp.start, rec.stamp.end);
}

/** The closing marker's text for templates that did not fit: how many lines, from which components. */
function unlistedSummary(unlisted: readonly Template[]): string {
  // A word every template starts with (a host name) names nothing: take the first word that tells them apart.
  const words = unlisted.map((t) => constantWords(t, 2));
  const df = new Map<string, number>();
  for (const w of words) for (const x of new Set(w)) df.set(x, (df.get(x) ?? 0) + 1);
  let count = 0;
  const byLabel = new Map<string, number>();
  unlisted.forEach((t, i) => {
    count += t.members.length;
    const w = words[i]!;
    const label = w.find((x) => df.get(x)! <= unlisted.length / 4 || unlisted.length < 4) ?? w[0] ?? 'other';
    byLabel.set(label, (byLabel.get(label) ?? 0) + t.members.length);
  });
  const labels = [...byLabel].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let text = `${fmt(count)} more line${count === 1 ? '' : 's'} of ${fmt(unlisted.length)} rarer templates omitted, from `;
  for (let i = 0; i < labels.length; i++) {
    const [label, n] = labels[i]!;
    const part = `${i > 0 ? ', ' : ''}${label} ×${fmt(n)}`;
    if (i >= MAX_LABELS || text.length + part.length > MAX_MARKER_TEXT) {
      text += ', …';
      break;
    }
    text += part;
  }
  return text;
}

/** The first constant words of a template without digits or brackets (`kernel`, `QQ`, `chrome.exe`). */
function constantWords(t: Template, limit: number): string[] {
  const out: string[] = [];
  for (const token of t.tokens) {
    if (token === null || /\d/.test(token)) continue;
    const clean = token.replace(/[^\p{L}\p{N}._$/-]/gu, '').slice(0, 24);
    if (clean.length < 2) continue;
    out.push(clean);
    if (out.length >= limit) break;
  }
  return out;
}

/** 1812 → "1,812" (no locale data involved, so the bytes never depend on the runtime). */
function fmt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
