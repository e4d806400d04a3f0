import { performance } from 'node:perf_hooks';
import { encode as toonEncode } from '@toon-format/toon';
import {
  approximateTokens,
  compress,
  decodeCompactJson,
  detectKind,
  findMarkerKeys,
  tokenCounter,
  type CompressionMode,
  type SegmentKind,
} from '@leeway/compression';
import type { BenchCategory, BenchItem } from './corpus';
import type { Facts } from './facts';

export interface ItemResult {
  id: string;
  category: BenchCategory;
  kind: SegmentKind;
  bytes: number;
  lines: number;
  tokensBefore: number;
  lossless: number;
  balanced: number;
  aggressive: number;
  /** detect + compress, balanced mode, tokenising excluded (ms): fastest wall-clock run. */
  timeMs: number;
  /** The same, in CPU time of this process (ms): smallest of the runs. */
  cpuMs: number;
  minifiedJson?: number;
  toon?: number;
  maxArrayLength?: number;
  /** Each maximal array of ≥ 50 items in the file, compressed on its own (balanced). */
  largeArrays?: ArrayResult[];
  importantLines?: number;
  importantVisible?: number;
  /** Distinct error/warning templates (line with numbers and hex ids masked) and how many have an example line visible verbatim. */
  importantTemplates?: number;
  importantTemplatesVisible?: number;
  importantTemplatesMissing?: string[];
  /** Error/warning lines shown verbatim or matched by a counted template line (`N × pattern`) of the output. */
  importantCovered?: number;
  importantUncovered?: string[];
  facts?: FactCheck;
}

export interface ArrayResult {
  /** Path of the array in the file, e.g. `resources.country_spec.supported_transfer_countries`. */
  path: string;
  items: number;
  /** Tokens of the array serialised with 2-space indentation (as the corpus' API files are). */
  tokensBefore: number;
  /** Tokens of the array minified. */
  minified: number;
  balanced: number;
}

export interface FactCheck {
  id: string;
  total: number;
  visible: number;
  reachable: number;
  missing: string[];
  unreachable: string[];
}

/**
 * Facts visible verbatim in the outputs, and reachable: visible, in the output with the compact JSON
 * notation resolved (`$N` definitions expanded — the legend tells the model how), or in a retrievable original.
 */
function checkFacts(id: string, facts: readonly string[], outputs: readonly string[], originals: readonly string[]): FactCheck {
  const missing = facts.filter((f) => !outputs.some((o) => o.includes(f)));
  const decoded = missing.length > 0 ? outputs.map(decodeOrEmpty) : [];
  const unreachable = missing.filter((f) => !decoded.some((o) => o.includes(f)) && !originals.some((o) => o.includes(f)));
  return { id, total: facts.length, visible: facts.length - missing.length, reachable: facts.length - unreachable.length, missing, unreachable };
}

/** The output with the compact JSON notation expanded; '' when it is not in that notation. */
function decodeOrEmpty(output: string): string {
  if (!output.startsWith('[leeway: compact')) return '';
  try {
    return decodeCompactJson(output);
  } catch {
    return '';
  }
}

export interface CategorySummary {
  category: BenchCategory;
  items: number;
  bytes: number;
  tokensBefore: number;
  lossless: number;
  balanced: number;
  aggressive: number;
  ratioLossless: number;
  ratioBalanced: number;
  ratioAggressive: number;
  /** Wall clock (each item's fastest run). */
  mbPerSec: number;
  /** CPU time (each item's smallest). */
  cpuMbPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Target {
  name: string;
  value: number;
  target: string;
  pass: boolean;
  detail?: string;
}

export interface BenchReport {
  corpus: string;
  items: ItemResult[];
  categories: CategorySummary[];
  /** Fact checks of files split into several items (checked over all their outputs). */
  groupFacts: FactCheck[];
  facts: { total: number; visible: number; reachable: number; visibleShare: number; reachableShare: number };
  /**
   * Detect + compress in balanced mode with a character-count token estimate (tokenising excluded), after a
   * warm-up pass over the whole corpus. `seconds`: the sum of each item's fastest wall-clock run of `runs`;
   * `cpuSeconds`: the sum of each item's smallest CPU time (user + system) of `runs`.
   */
  speed: { bytes: number; seconds: number; mbPerSec: number; cpuSeconds: number; cpuMbPerSec: number; runs: number };
  targets: Target[];
  elapsedSeconds: number;
}

/**
 * Error/warning lines: level words, `[error]`/`[warn]`, `error:`, failure words, exceptions, and logcat's
 * W/E/F letter levels.
 */
const IMPORTANT_LINE_RE =
  /\b(?:ERROR|WARN(?:ING)?|FATAL|SEVERE|CRITICAL|Error|Warning)\b|\[(?:error|warn)\]|\berror:|\b(?:[Ff]ailed|[Ff]ailure)\b|\bException\b|^\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+\s+[WEF]\s/;
const exact = tokenCounter('o200k_base', 16_384);
/** Timed detect + compress runs per item; the fastest counts. */
const TIMED_RUNS = 3;
const LARGE_ARRAY = 50;

/** A log line's template: every whitespace-separated token holding a digit masked (a coarse, engine-independent grouping). */
export function lineTemplate(line: string): string {
  return line
    .trim()
    .split(/\s+/)
    .map((t) => (/\d/.test(t) ? '#' : t))
    .join(' ');
}

/**
 * The counted template lines of a log summary (`37 × WARN … <*> … {a×3|b}  (first … last)`) as regexes over
 * raw lines: `<*>` is any text, `{a×k|b}` one of the values listed (or the braces literally).
 */
/** `{a×3|b}` (the values seen) or `{a×20}` (one value, counted). */
const ALTERNATIVES_RE = /^[^{}\s|]+(?:\|[^{}\s|]+)+$|^[^{}\s|]+×\d+$/;

export function countedTemplates(output: string): RegExp[] {
  const out: RegExp[] = [];
  for (const line of output.split('\n')) {
    const m = /^\s*\d[\d,]* × (.+)$/.exec(line);
    if (m === null) continue;
    let pattern = m[1]!;
    const tail = pattern.lastIndexOf('  (');
    if (tail > 0) pattern = pattern.slice(0, tail);
    let re = '';
    for (let i = 0; i < pattern.length; ) {
      if (pattern.startsWith('<*>', i)) {
        re += '.*?';
        i += 3;
        continue;
      }
      const close = pattern[i] === '{' ? pattern.indexOf('}', i) : -1;
      const body = close > i ? pattern.slice(i + 1, close) : '';
      if (ALTERNATIVES_RE.test(body)) {
        const values = body.split('|').map((v) => escapeRe(v.replace(/×\d+$/, '')));
        re += `(?:${[...values, escapeRe(`{${body}}`)].join('|')})`;
        i = close + 1;
        continue;
      }
      re += escapeRe(pattern[i]!);
      i++;
    }
    try {
      out.push(new RegExp(`${re}\\s*$`));
    } catch {
      /* not a pattern after all */
    }
  }
  return out;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The maximal arrays of ≥ 50 items in a JSON value (not those inside another such array), with their paths. */
function largeArrays(value: unknown): { path: string; array: unknown[] }[] {
  const out: { path: string; array: unknown[] }[] = [];
  const visit = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      if (v.length >= LARGE_ARRAY) out.push({ path: path || '(root)', array: v });
      else v.forEach((x) => visit(x, `${path}[]`));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) visit(x, path ? `${path}.${k}` : k);
    }
  };
  visit(value, '');
  return out;
}

export function runCompressionBench(
  corpus: string,
  items: readonly BenchItem[],
  facts: Facts,
  onProgress?: (done: number, total: number, id: string) => void,
): BenchReport {
  const started = performance.now();
  const results: ItemResult[] = [];
  // Facts may name a whole file that the bench splits into items (code/file_views.json#<i>):
  // they are checked against the outputs (and originals) of all of that file's items.
  const groups = new Map<string, { outputs: string[]; originals: string[] }>();
  items.forEach((item, i) => {
    onProgress?.(i, items.length, item.id);
    const measured = measureItem(item, facts[item.id]);
    results.push(measured.result);
    const hash = item.id.indexOf('#');
    const group = hash === -1 ? null : item.id.slice(0, hash);
    if (group !== null && facts[group]) {
      const g = groups.get(group) ?? { outputs: [], originals: [] };
      g.outputs.push(measured.output);
      g.originals.push(...measured.originals);
      groups.set(group, g);
    }
  });
  const groupFacts: FactCheck[] = [...groups].map(([id, g]) => checkFacts(id, facts[id]!, g.outputs, g.originals));
  onProgress?.(items.length, items.length, 'timing');
  const timing = timeItems(items);
  results.forEach((r, i) => {
    r.timeMs = timing.bestMs[i]!;
    r.cpuMs = timing.bestCpuMs[i]!;
  });
  const categories = summarise(results);
  const allFacts = [...results.flatMap((r) => (r.facts ? [r.facts] : [])), ...groupFacts];
  const factTotals = allFacts.reduce(
    (acc, f) => ({
      total: acc.total + f.total,
      visible: acc.visible + f.visible,
      reachable: acc.reachable + f.reachable,
    }),
    { total: 0, visible: 0, reachable: 0 },
  );
  const bytes = results.reduce((n, r) => n + r.bytes, 0);
  const seconds = results.reduce((n, r) => n + r.timeMs, 0) / 1000;
  const cpuSeconds = timing.bestCpuMs.reduce((n, ms) => n + ms, 0) / 1000;
  const report: BenchReport = {
    corpus,
    items: results,
    categories,
    groupFacts,
    facts: {
      ...factTotals,
      visibleShare: factTotals.total ? factTotals.visible / factTotals.total : 0,
      reachableShare: factTotals.total ? factTotals.reachable / factTotals.total : 0,
    },
    speed: { bytes, seconds, mbPerSec: bytes / 1e6 / seconds, cpuSeconds, cpuMbPerSec: bytes / 1e6 / cpuSeconds, runs: TIMED_RUNS },
    targets: [],
    elapsedSeconds: 0,
  };
  report.targets = evaluateTargets(report);
  report.elapsedSeconds = (performance.now() - started) / 1000;
  report.targets.push({
    name: 'whole corpus benchmark time',
    value: round(report.elapsedSeconds),
    target: '< 60 s',
    pass: report.elapsedSeconds < 60,
  });
  return report;
}

/**
 * Time detect + compress (balanced) with a character-based counter, so tokenising is excluded. The corpus
 * has just been compressed in every mode (the code is warm). Each item's time is its fastest of TIMED_RUNS
 * runs (the machine is shared, and the slow runs measure the neighbours), in wall-clock time and in this
 * process' CPU time (user + system, which also counts the garbage collector's helper threads); the per-core
 * throughput target is judged on CPU time, which does not count the time the process waits for a core.
 */
function timeItems(items: readonly BenchItem[]): { bestMs: number[]; bestCpuMs: number[] } {
  const bestMs = items.map(() => Infinity);
  const bestCpuMs = items.map(() => Infinity);
  for (let run = 0; run < TIMED_RUNS; run++) {
    items.forEach((item, i) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      compress(item.text, { mode: 'balanced', countTokens: approximateTokens });
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      bestMs[i] = Math.min(bestMs[i]!, wall);
      bestCpuMs[i] = Math.min(bestCpuMs[i]!, (cpu.user + cpu.system) / 1000);
    });
  }
  return { bestMs, bestCpuMs };
}

interface Measured {
  result: ItemResult;
  output: string;
  originals: string[];
}

function measureItem(item: BenchItem, itemFacts: string[] | undefined): Measured {
  const text = item.text;
  const tokensBefore = exact(text);
  const run = (mode: CompressionMode) => compress(text, { mode, countTokens: exact });
  const lossless = run('lossless');
  const balanced = run('balanced');
  const aggressive = run('aggressive');

  const result: ItemResult = {
    id: item.id,
    category: item.category,
    kind: detectKind(text),
    bytes: Buffer.byteLength(text),
    lines: text.split('\n').length,
    tokensBefore,
    lossless: lossless.tokensAfter,
    balanced: balanced.tokensAfter,
    aggressive: aggressive.tokensAfter,
    timeMs: 0,
    cpuMs: 0,
  };

  if (item.category === 'json') {
    try {
      const value: unknown = JSON.parse(text);
      result.minifiedJson = exact(JSON.stringify(value));
      result.toon = exact(toonEncode(value));
      result.maxArrayLength = maxArrayLength(value);
      result.largeArrays = largeArrays(value).map(({ path, array }) => {
        const pretty = JSON.stringify(array, null, 2);
        return {
          path,
          items: array.length,
          tokensBefore: exact(pretty),
          minified: exact(JSON.stringify(array)),
          balanced: compress(pretty, { mode: 'balanced', countTokens: exact }).tokensAfter,
        };
      });
    } catch {
      /* not a single JSON document (JSON Lines): no baseline */
    }
  }
  if (item.category === 'logs') {
    const important = text.split('\n').filter((l) => IMPORTANT_LINE_RE.test(l));
    result.importantLines = important.length;
    result.importantVisible = important.filter((l) => balanced.output.includes(l)).length;
    const templates = new Map<string, boolean>();
    for (const line of important) {
      const t = lineTemplate(line);
      if (templates.get(t) !== true) templates.set(t, balanced.output.includes(line));
    }
    result.importantTemplates = templates.size;
    result.importantTemplatesVisible = [...templates.values()].filter(Boolean).length;
    result.importantTemplatesMissing = [...templates].filter(([, v]) => !v).map(([t]) => t);
    const counted = countedTemplates(balanced.output);
    const uncovered = important.filter((l) => !balanced.output.includes(l) && !counted.some((re) => re.test(l)));
    result.importantCovered = important.length - uncovered.length;
    result.importantUncovered = uncovered.slice(0, 5);
  }
  const originals = Object.values(balanced.originals);
  if (itemFacts && itemFacts.length > 0) result.facts = checkFacts(item.id, itemFacts, [balanced.output], originals);
  // Sanity: every marker key must resolve, or the bench itself reports a broken result.
  for (const r of [balanced, aggressive]) {
    for (const key of findMarkerKeys(r.output)) {
      if (r.originals[key] === undefined) throw new Error(`${item.id}: marker key ${key} has no original`);
    }
  }
  return { result, output: balanced.output, originals };
}

function maxArrayLength(value: unknown): number {
  let max = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      max = Math.max(max, v.length);
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return max;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function summarise(results: readonly ItemResult[]): CategorySummary[] {
  const order: BenchCategory[] = ['json', 'logs', 'search', 'listing', 'diff', 'code', 'other'];
  return order
    .map((category) => {
      const rs = results.filter((r) => r.category === category);
      const sum = (f: (r: ItemResult) => number) => rs.reduce((n, r) => n + f(r), 0);
      const before = sum((r) => r.tokensBefore);
      const ms = sum((r) => r.timeMs);
      return {
        category,
        items: rs.length,
        bytes: sum((r) => r.bytes),
        tokensBefore: before,
        lossless: sum((r) => r.lossless),
        balanced: sum((r) => r.balanced),
        aggressive: sum((r) => r.aggressive),
        ratioLossless: before ? round(sum((r) => r.lossless) / before) : 1,
        ratioBalanced: before ? round(sum((r) => r.balanced) / before) : 1,
        ratioAggressive: before ? round(sum((r) => r.aggressive) / before) : 1,
        mbPerSec: ms ? round(sum((r) => r.bytes) / 1e6 / (ms / 1000), 1) : 0,
        cpuMbPerSec: sum((r) => r.cpuMs) ? round(sum((r) => r.bytes) / 1e6 / (sum((r) => r.cpuMs) / 1000), 1) : 0,
        p50Ms: round(percentile(rs.map((r) => r.timeMs), 50), 2),
        p99Ms: round(percentile(rs.map((r) => r.timeMs), 99), 2),
      };
    })
    .filter((c) => c.items > 0);
}

function evaluateTargets(report: BenchReport): Target[] {
  const targets: Target[] = [];
  const items = report.items;
  const cat = (c: BenchCategory) => report.categories.find((x) => x.category === c);
  const perFile = (rs: ItemResult[], f: (r: ItemResult) => number) =>
    rs.map((r) => `${r.id.split('/').pop()}=${round(f(r), 2)}`).join(' ');

  const json = items.filter((r) => r.category === 'json' && r.minifiedJson);
  if (json.length) {
    const ratios = json.map((r) => r.lossless / r.minifiedJson!);
    const m = median(ratios);
    targets.push({ name: 'JSON lossless vs minified JSON (median over files)', value: round(m), target: '≤ 0.80', pass: m <= 0.8 });
    const toonRatios = json.map((r) => r.toon! / r.minifiedJson!);
    targets.push({
      name: 'baseline: TOON vs minified JSON (median, for reference)',
      value: round(median(toonRatios)),
      target: 'info',
      pass: true,
    });
    const arrays = json.flatMap((r) => (r.largeArrays ?? []).map((a) => ({ file: r.id.split('/').pop()!, ...a })));
    if (arrays.length) {
      const worst = Math.max(...arrays.map((a) => a.balanced / a.tokensBefore));
      const total = arrays.reduce((n, a) => n + a.balanced, 0) / arrays.reduce((n, a) => n + a.tokensBefore, 0);
      targets.push({
        name: `JSON balanced on arrays ≥ ${LARGE_ARRAY} items, each array compressed on its own (worst of ${arrays.length}; aggregate ${round(total)})`,
        value: round(worst),
        target: '≤ 0.35',
        pass: worst <= 0.35,
        detail: arrays
          .map((a) => `${a.file}:${a.path} (${a.items} items, ${a.tokensBefore} tok) =${round(a.balanced / a.tokensBefore, 2)} (vs minified ${round(a.balanced / a.minified, 2)})`)
          .join('; '),
      });
    }
    const big = json.filter((r) => (r.maxArrayLength ?? 0) >= LARGE_ARRAY);
    if (big.length) {
      const worst = Math.max(...big.map((r) => r.balanced / r.tokensBefore));
      const total = big.reduce((n, r) => n + r.balanced, 0) / big.reduce((n, r) => n + r.tokensBefore, 0);
      targets.push({
        name: `JSON balanced, whole files holding an array ≥ ${LARGE_ARRAY} items (worst of ${big.length} files; aggregate ${round(total)}; for reference)`,
        value: round(worst),
        target: 'info',
        pass: true,
        detail: perFile(big, (r) => r.balanced / r.tokensBefore),
      });
    }
  }
  const logs = items.filter((r) => r.category === 'logs');
  if (logs.length) {
    const worst = Math.max(...logs.map((r) => r.balanced / r.tokensBefore));
    targets.push({
      name: `logs balanced (worst file; aggregate ${cat('logs')?.ratioBalanced})`,
      value: round(worst),
      target: '≤ 0.15',
      pass: worst <= 0.15,
      detail: perFile(logs, (r) => r.balanced / r.tokensBefore),
    });
    const imp = logs.reduce((n, r) => n + (r.importantLines ?? 0), 0);
    const cov = logs.reduce((n, r) => n + (r.importantCovered ?? 0), 0);
    targets.push({
      name: `log error/warning lines shown verbatim or counted under a visible template line "N × pattern" in balanced output (${cov}/${imp})`,
      value: round(imp ? cov / imp : 1),
      target: '= 1',
      pass: cov === imp,
      detail: logs
        .filter((r) => (r.importantUncovered ?? []).length > 0)
        .map((r) => `${r.id.split('/').pop()}: ${(r.importantUncovered ?? []).map((t) => JSON.stringify(t.slice(0, 120))).join(', ')}`)
        .join('; '),
    });
    const tpl = logs.reduce((n, r) => n + (r.importantTemplates ?? 0), 0);
    const tplVis = logs.reduce((n, r) => n + (r.importantTemplatesVisible ?? 0), 0);
    targets.push({
      name: `log error/warning templates (bench's own: tokens with digits masked) with an example line verbatim (${tplVis}/${tpl}; for reference)`,
      value: round(tpl ? tplVis / tpl : 1),
      target: 'info',
      pass: true,
      detail: logs
        .filter((r) => (r.importantTemplatesMissing ?? []).length > 0)
        .map((r) => `${r.id.split('/').pop()}: ${(r.importantTemplatesMissing ?? []).length} without a verbatim example`)
        .join('; '),
    });
    const vis = logs.reduce((n, r) => n + (r.importantVisible ?? 0), 0);
    targets.push({
      name: `log error/warning lines visible verbatim, strict per line (${vis}/${imp}; for reference)`,
      value: round(imp ? vis / imp : 1),
      target: 'info',
      pass: true,
    });
  }
  const ratioTarget = (c: BenchCategory, field: 'ratioBalanced' | 'ratioLossless', limit: number, label: string) => {
    const s = cat(c);
    if (s) targets.push({ name: label, value: s[field], target: `≤ ${limit.toFixed(2)}`, pass: s[field] <= limit });
  };
  ratioTarget('search', 'ratioBalanced', 0.6, 'search output balanced');
  ratioTarget('listing', 'ratioBalanced', 0.3, 'file listings balanced');
  ratioTarget('listing', 'ratioLossless', 0.7, 'file listings lossless');
  ratioTarget('diff', 'ratioBalanced', 0.8, 'diffs balanced');
  const code = items.filter((r) => r.category === 'code');
  if (code.length) {
    const larger = code.filter((r) => r.lossless > r.tokensBefore).length;
    targets.push({ name: 'code lossless never larger (files larger)', value: larger, target: '= 0', pass: larger === 0 });
    const long = code.filter((r) => r.lines > 300);
    if (long.length) {
      const ratio = long.reduce((n, r) => n + r.aggressive, 0) / long.reduce((n, r) => n + r.tokensBefore, 0);
      targets.push({
        name: `code aggressive, views over 300 lines (${long.length} views)`,
        value: round(ratio),
        target: '≤ 0.50',
        pass: ratio <= 0.5,
      });
    }
  }
  const f = report.facts;
  targets.push({ name: `facts reachable (${f.reachable}/${f.total})`, value: round(f.reachableShare), target: '= 1', pass: f.total > 0 && f.reachable === f.total });
  targets.push({ name: `facts visible in balanced output (${f.visible}/${f.total})`, value: round(f.visibleShare), target: '≥ 0.90', pass: f.total > 0 && f.visibleShare >= 0.9 });
  const sp = report.speed;
  targets.push({
    name: `detect + compress throughput per core, MB per CPU-second (balanced, tokenising excluded; ${round(sp.bytes / 1e6, 2)} MB in ${round(sp.cpuSeconds, 3)} CPU s, each item's best of ${sp.runs} runs)`,
    value: round(sp.cpuMbPerSec, 1),
    target: '≥ 20',
    pass: sp.cpuMbPerSec >= 20,
  });
  targets.push({
    name: `detect + compress throughput, wall clock (sum of each item's fastest of ${sp.runs} runs; for reference, depends on machine load)`,
    value: round(sp.mbPerSec, 1),
    target: 'info',
    pass: true,
  });
  return targets;
}
