import { topRelevant } from '../relevance';
import type { Compressor, CompressorContext } from '../types';
import { commonDirPrefix, decodeGrouped, encodeGrouped } from './grep-group';
import { parseSearch, type SearchItem, type SearchStyle } from './grep-parse';
import { buildDirTree, renderDirTree, spreadOrder } from './path-tree';

/**
 * Search output (grep / rg, with or without line numbers, context lines, `--heading`).
 * - lossless: grouped by file — the path once, then `N:match` / `N-context` lines — with a shared path
 *   prefix written once; decoded again before use, so it is exact or not used.
 * - balanced/aggressive: when that is still large, the same layout with context cut to one line (then
 *   none), at most N matches per file (task-relevant matches always kept, the rest listed by line number),
 *   and, if still needed, whole files reduced to their names (test files first); one marker names the
 *   whole original. Line numbers are never changed.
 */
export const searchCompressor: Compressor = {
  kind: 'search',
  compress(input: string, ctx: CompressorContext): string {
    const lines = input.split('\n');
    const items = parseSearch(lines);
    const grouped = encodeGrouped(items);
    // The grouping is decoded again before it is used: exact or not at all.
    const exact = (): string | null => (grouped !== null && isExact(grouped, lines) ? grouped.join('\n') : null);
    if (ctx.mode === 'lossless') return exact() ?? input;
    return balancedSearch(input, items, grouped, exact, ctx) ?? exact() ?? input;
  },
};

/** Balanced output aims at this share of the input's tokens (the target is 0.60) … */
const TARGET_RATIO = 0.58;
/** … and is tightened when the exact count lands above this share. */
const MAX_RATIO = 0.6;
/** Search output this small (in tokens) is not squeezed below it. */
const FLOOR_TOKENS = 300;
/** Tokens of the marker line. */
const MARKER_TOKENS = 60;
/** Matches relevant to the task that are always kept. */
const RELEVANT_LIMIT = 30;
/** Line numbers listed in a "more matches" note. */
const LISTED_NUMBERS = 8;

interface Line {
  readonly num: number;
  readonly numText: string;
  readonly sep: ':' | '-';
  readonly text: string;
  /** Index among all match lines (for relevance). */
  readonly hit: number;
}

interface FileGroup {
  readonly path: string;
  readonly style: SearchStyle;
  /** Runs of adjacent lines; a `--` separated them in the input. */
  readonly groups: Line[][];
  hits: number;
  /** Whether a match is relevant to the task (such files are never reduced to their name). */
  relevant: boolean;
  /** Matches in the order they are kept when capped (computed once). */
  order?: number[];
}

type Block = { readonly file: FileGroup } | { readonly raw: string };

interface Model {
  readonly blocks: Block[];
  readonly files: FileGroup[];
  readonly hitTexts: string[];
  readonly hasContext: boolean;
  readonly duplicates: number;
  readonly lines: number;
}

function buildModel(items: readonly SearchItem[]): Model {
  const blocks: Block[] = [];
  const files: FileGroup[] = [];
  const hitTexts: string[] = [];
  let current: FileGroup | null = null;
  let seen = new Set<string>();
  let duplicates = 0;
  let hasContext = false;
  let lines = 0;
  const open = (path: string, style: SearchStyle): FileGroup => {
    const file: FileGroup = { path, style, groups: [[]], hits: 0, relevant: false };
    files.push(file);
    blocks.push({ file });
    seen = new Set();
    return file;
  };
  for (const item of items) {
    if (item.type === 'heading') {
      current = open(item.raw, 'heading');
    } else if (item.type === 'record') {
      if (current === null || current.path !== item.path) current = open(item.path, item.style);
      const key = `${item.num ?? ''}\u0000${item.sep}${item.text}`;
      lines++;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      const isHit = item.sep === ':';
      if (!isHit) hasContext = true;
      const line: Line = {
        num: item.num === null ? -1 : Number(item.num),
        numText: item.num ?? '',
        sep: item.sep,
        text: item.text,
        hit: isHit ? hitTexts.length : -1,
      };
      if (isHit) {
        hitTexts.push(`${item.path} ${item.text}`);
        current.hits++;
      }
      current.groups[current.groups.length - 1]!.push(line);
    } else if (item.type === 'separator' && current !== null) {
      if (current.groups[current.groups.length - 1]!.length > 0) current.groups.push([]);
    } else {
      blocks.push({ raw: item.raw });
      if (item.type === 'other') current = null;
    }
  }
  return { blocks, files, hitTexts, hasContext, duplicates, lines };
}

interface Level {
  /** Context lines kept on each side of a kept match (Infinity: all). */
  readonly context: number;
  /** Matches kept per file (Infinity: all). */
  readonly cap: number;
  /** Files (by priority order) reduced to their name. */
  readonly drop: number;
}

interface Rendered {
  readonly lines: string[];
  readonly chars: number;
  readonly keptLines: number;
  readonly droppedFiles: number;
  readonly droppedHits: number;
}

const TEST_PATH_RE = /(?:^|\/)(?:tests?|__tests__|spec|testdata|test_data|fixtures)\/|_test\.\w+$|\.(?:test|spec)\.\w+$|(?:^|\/)test_[^/]*$/i;

function isExact(grouped: readonly string[], lines: readonly string[]): boolean {
  const decoded = decodeGrouped(grouped);
  return decoded !== null && decoded.length === lines.length && decoded.every((l, i) => l === lines[i]);
}

function balancedSearch(
  input: string,
  items: readonly SearchItem[],
  grouped: readonly string[] | null,
  exact: () => string | null,
  ctx: CompressorContext,
): string | null {
  const tokensIn = ctx.countTokens(input);
  const budget = Math.max(tokensIn * TARGET_RATIO, FLOOR_TOKENS);
  if (grouped !== null && ctx.countTokens(grouped.join('\n')) <= budget) {
    const lossless = exact();
    if (lossless !== null) return lossless;
  }

  const model = buildModel(items);
  if (model.files.length === 0 || model.hitTexts.length === 0) return null;
  const prefix = commonDirPrefix(model.files.map((f) => f.path));
  const forced = new Set(topRelevant(model.hitTexts, ctx.query, RELEVANT_LIMIT));
  const priority = filePriority(model.files, forced);

  const render = (level: Level): Rendered => renderModel(model, level, prefix, forced, priority);
  const measure = (level: Level): Rendered => renderModel(model, level, prefix, forced, priority, true);
  const full = render({ context: Infinity, cap: Infinity, drop: 0 });
  const perChar = ctx.countTokens(full.lines.join('\n')) / Math.max(1, full.chars);
  const estimate = (r: Rendered): number => perChar * r.chars + MARKER_TOKENS;

  let ratio = 1;
  let text = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const level = chooseLevel(model, measure, estimate, budget * ratio);
    text = assemble(render(level), model, level, prefix, ctx, input);
    if (ctx.countTokens(text) <= Math.max(tokensIn * MAX_RATIO, FLOOR_TOKENS)) return text;
    ratio *= 0.8;
  }
  return text;
}

/** Most important first: files with task-relevant matches, other source files, then tests — each spread. */
function filePriority(files: readonly FileGroup[], forced: ReadonlySet<number>): FileGroup[] {
  const relevant: FileGroup[] = [];
  const plain: FileGroup[] = [];
  const tests: FileGroup[] = [];
  for (const file of files) {
    file.relevant = file.groups.some((g) => g.some((l) => l.hit >= 0 && forced.has(l.hit)));
    if (file.relevant) relevant.push(file);
    else if (TEST_PATH_RE.test(file.path)) tests.push(file);
    else plain.push(file);
  }
  const spread = (list: FileGroup[]) => spreadOrder(list.length).map((i) => list[i]!);
  return [...relevant, ...spread(plain), ...spread(tests)];
}

/** Matches kept per file before whole files are reduced to their names. */
const MIN_CAP = 3;

function chooseLevel(
  model: Model,
  measure: (level: Level) => Rendered,
  estimate: (r: Rendered) => number,
  budget: number,
): Level {
  const fits = (level: Level): boolean => estimate(measure(level)) <= budget;
  // Cut context first …
  const contexts = model.hasContext ? [Infinity, 1, 0] : [0];
  for (const context of contexts) {
    const level = { context, cap: Infinity, drop: 0 };
    if (fits(level)) return level;
  }
  // … then matches per file (the largest cap that fits) …
  const maxHits = model.files.reduce((m, f) => Math.max(m, f.hits), 0);
  for (const context of model.hasContext ? [1, 0] : [0]) {
    let best: Level | null = null;
    let lo = MIN_CAP;
    let hi = maxHits - 1;
    while (lo <= hi) {
      const cap = Math.floor((lo + hi) / 2);
      const level = { context, cap, drop: 0 };
      if (fits(level)) {
        best = level;
        lo = cap + 1;
      } else {
        hi = cap - 1;
      }
    }
    if (best) return best;
  }
  // … then reduce the least important files to their names: the fewest that make it fit.
  for (const cap of [MIN_CAP, 1]) {
    let best: Level | null = null;
    let lo = 1;
    let hi = model.files.length;
    while (lo <= hi) {
      const drop = Math.floor((lo + hi) / 2);
      const level = { context: 0, cap, drop };
      if (fits(level)) {
        best = level;
        hi = drop - 1;
      } else {
        lo = drop + 1;
      }
    }
    if (best) return best;
  }
  return { context: 0, cap: 1, drop: model.files.length };
}

/**
 * Render the model at a level; with `measure`, only count the characters (notes and the list of files
 * named only are estimated) — the level search measures many levels and renders one.
 */
function renderModel(
  model: Model,
  level: Level,
  prefix: string,
  forced: ReadonlySet<number>,
  priority: readonly FileGroup[],
  measure = false,
): Rendered {
  const dropped = new Set(priority.slice(priority.length - level.drop));
  for (const file of dropped) if (file.relevant) dropped.delete(file);
  const out: string[] = [];
  let chars = 0;
  const droppedPaths: string[] = [];
  let keptLines = 0;
  let droppedHits = 0;
  let hitsInDropped = 0;
  const display = (path: string): string => (prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path);
  for (const block of model.blocks) {
    if (!('file' in block)) {
      if (!measure) out.push(block.raw);
      chars += block.raw.length + 1;
      continue;
    }
    const file = block.file;
    if (dropped.has(file)) {
      droppedPaths.push(display(file.path));
      hitsInDropped += file.hits;
      continue;
    }
    const heading = display(file.path);
    if (!measure) out.push(heading);
    chars += heading.length + 1;
    const omitted: string[] = [];
    const keep = keptHits(file, level.cap, forced);
    let last: Line | null = null;
    let lastGroup = -1;
    for (let g = 0; g < file.groups.length; g++) {
      const group = file.groups[g]!;
      for (let i = 0; i < group.length; i++) {
        const line = group[i]!;
        let shown: boolean;
        if (line.hit >= 0) {
          shown = keep === null || keep.has(line.hit);
          if (!shown) omitted.push(line.numText);
        } else {
          shown = level.context === Infinity || nearKeptHit(group, i, level.context, keep);
        }
        if (!shown) continue;
        if (last !== null && level.context > 0 && model.hasContext && !(line.num === last.num + 1 && lastGroup === g)) {
          if (!measure) out.push('--');
          chars += 3;
        }
        if (!measure) out.push(file.style === 'plain' ? `  ${line.text}` : `${line.numText}${line.sep}${line.text}`);
        chars += line.numText.length + line.text.length + 2;
        keptLines++;
        last = line;
        lastGroup = g;
      }
    }
    if (omitted.length > 0) {
      droppedHits += omitted.length;
      if (measure) {
        chars += 36 + Math.min(omitted.length, LISTED_NUMBERS) * 5;
      } else {
        const where = file.style === 'plain' ? '' : `: lines ${formatLineNumbers(omitted)}`;
        out.push(`[+${omitted.length} more ${omitted.length === 1 ? 'match' : 'matches'} in this file${where}]`);
      }
    }
  }
  if (droppedPaths.length > 0) {
    if (measure) {
      chars += 48 + droppedPaths.reduce((n, p) => n + p.length + 1, 0);
    } else {
      out.push(`[${hitsInDropped} matches in ${droppedPaths.length} more files, not shown:]`);
      const tree = renderDirTree(buildDirTree(droppedPaths), { cap: Infinity, folded: new Set(), forced: new Set() });
      out.push(...tree.lines);
    }
  }
  if (!measure) chars = out.reduce((n, l) => n + l.length + 1, 0);
  return { lines: out, chars, keptLines, droppedFiles: droppedPaths.length, droppedHits: droppedHits + hitsInDropped };
}

/** `3, 5-9, 12, …`: runs of consecutive line numbers as ranges, at most `LISTED_NUMBERS` items. */
export function formatLineNumbers(nums: readonly string[]): string {
  const items: string[] = [];
  let i = 0;
  while (i < nums.length && items.length < LISTED_NUMBERS) {
    let j = i;
    while (j + 1 < nums.length && Number(nums[j + 1]) === Number(nums[j]) + 1) j++;
    items.push(j > i ? `${nums[i]!}-${nums[j]!}` : nums[i]!);
    i = j + 1;
  }
  if (i < nums.length) items.push('…');
  return items.join(', ');
}

function keptHits(file: FileGroup, cap: number, forced: ReadonlySet<number>): Set<number> | null {
  if (file.hits <= cap + 1) return null;
  if (!file.order) {
    const hits: Line[] = [];
    for (const group of file.groups) for (const line of group) if (line.hit >= 0) hits.push(line);
    // Least indented matches first (definitions, imports, top-level statements), spread over the file.
    const rank = new Array<number>(hits.length);
    spreadOrder(hits.length).forEach((at, r) => (rank[at] = r));
    file.order = hits
      .map((h, i) => ({ hit: h.hit, depth: indentDepth(h.text), rank: rank[i]! }))
      .sort((a, b) => a.depth - b.depth || a.rank - b.rank)
      .map((h) => h.hit);
  }
  const keep = new Set<number>(file.order.slice(0, cap));
  if (file.relevant) for (const h of file.order) if (forced.has(h)) keep.add(h);
  return keep;
}

/** Indentation in steps of 4 columns (a tab counts 4). */
function indentDepth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (ch === ' ') width++;
    else if (ch === '\t') width += 4;
    else break;
  }
  return Math.floor(width / 4);
}

function nearKeptHit(group: readonly Line[], at: number, context: number, keep: ReadonlySet<number> | null): boolean {
  if (context <= 0) return false;
  const num = group[at]!.num;
  for (let j = Math.max(0, at - context); j <= Math.min(group.length - 1, at + context); j++) {
    const line = group[j]!;
    if (line.hit >= 0 && (keep === null || keep.has(line.hit)) && Math.abs(line.num - num) <= context) return true;
  }
  return false;
}

function assemble(
  rendered: Rendered,
  model: Model,
  level: Level,
  prefix: string,
  ctx: CompressorContext,
  input: string,
): string {
  const cuts: string[] = [];
  if (model.hasContext && level.context !== Infinity) {
    cuts.push(level.context === 0 ? 'context lines cut' : `context cut to ${level.context} line around matches`);
  }
  if (level.cap !== Infinity) cuts.push(`at most ${level.cap} matches a file`);
  if (rendered.droppedFiles > 0) cuts.push(`${rendered.droppedFiles} files named only`);
  if (model.duplicates > 0) cuts.push(`${model.duplicates} duplicate lines dropped`);
  const omitted = model.lines - rendered.keptLines;
  const layout = model.files[0]!.style === 'plain' ? 'matching lines indented' : 'N:match and N-context lines';
  const rel = prefix ? `, paths relative to ${prefix}` : '';
  const head = `${model.hitTexts.length} matches in ${model.files.length} files grouped by file (path line, then ${layout}${rel})`;
  const summary = omitted > 0 ? `${head}; ${omitted} of ${model.lines} lines not shown: ${cuts.join(', ')}` : head;
  const marker = omitted > 0 ? ctx.elide(input, summary) : `[leeway: ${summary}]`;
  const out = rendered.lines.slice();
  out.splice(Math.min(leadingOthers(model), out.length), 0, marker);
  return out.join('\n');
}

/** Number of verbatim lines before the first file group (a command echo): the marker goes after them. */
function leadingOthers(model: Model): number {
  let n = 0;
  for (const block of model.blocks) {
    if ('file' in block) break;
    n++;
  }
  return n;
}
