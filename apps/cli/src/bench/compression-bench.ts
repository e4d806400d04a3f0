import { performance } from 'node:perf_hooks';
import { encode as toonEncode } from '@toon-format/toon';
import {
  approximateTokens,
  compress,
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
  /** detect + compress, balanced mode, tokenising excluded (ms). */
  timeMs: number;
  minifiedJson?: number;
  toon?: number;
  maxArrayLength?: number;
  importantLines?: number;
  importantVisible?: number;
  facts?: FactCheck;
}

export interface FactCheck {
  id: string;
  total: number;
  visible: number;
  reachable: number;
  missing: string[];
  unreachable: string[];
}

/** Facts visible in the outputs, and reachable through the outputs or the retrievable originals. */
function checkFacts(id: string, facts: readonly string[], outputs: readonly string[], originals: readonly string[]): FactCheck {
  const missing = facts.filter((f) => !outputs.some((o) => o.includes(f)));
  const unreachable = missing.filter((f) => !originals.some((o) => o.includes(f)));
  return { id, total: facts.length, visible: facts.length - missing.length, reachable: facts.length - unreachable.length, missing, unreachable };
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
  mbPerSec: number;
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
  speed: { bytes: number; seconds: number; mbPerSec: number };
  targets: Target[];
  elapsedSeconds: number;
}

const IMPORTANT_LINE_RE = /\b(?:ERROR|WARN(?:ING)?|FATAL|SEVERE|CRITICAL|Error|Warning)\b|\[(?:error|warn)\]|\bException\b/;
const exact = tokenCounter('o200k_base', 16_384);

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
  onProgress?.(items.length, items.length, '');
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
    speed: { bytes, seconds, mbPerSec: bytes / 1e6 / seconds },
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

  // Throughput: detect + compress with a character-based counter, so tokenising is excluded.
  const t0 = performance.now();
  compress(text, { mode: 'balanced', countTokens: approximateTokens });
  const timeMs = performance.now() - t0;

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
    timeMs,
  };

  if (item.category === 'json') {
    try {
      const value: unknown = JSON.parse(text);
      result.minifiedJson = exact(JSON.stringify(value));
      result.toon = exact(toonEncode(value));
      result.maxArrayLength = maxArrayLength(value);
    } catch {
      /* not a single JSON document (JSON Lines): no baseline */
    }
  }
  if (item.category === 'logs') {
    const important = text.split('\n').filter((l) => IMPORTANT_LINE_RE.test(l));
    result.importantLines = important.length;
    result.importantVisible = important.filter((l) => balanced.output.includes(l)).length;
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
    const big = json.filter((r) => (r.maxArrayLength ?? 0) >= 50);
    if (big.length) {
      const worst = Math.max(...big.map((r) => r.balanced / r.tokensBefore));
      const total = big.reduce((n, r) => n + r.balanced, 0) / big.reduce((n, r) => n + r.tokensBefore, 0);
      targets.push({
        name: `JSON balanced on arrays ≥ 50 items (worst of ${big.length} files; aggregate ${round(total)})`,
        value: round(worst),
        target: '≤ 0.35',
        pass: worst <= 0.35,
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
    const vis = logs.reduce((n, r) => n + (r.importantVisible ?? 0), 0);
    targets.push({
      name: `log error/warning lines visible in balanced output (${vis}/${imp})`,
      value: round(imp ? vis / imp : 1),
      target: '= 1',
      pass: vis === imp,
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
  targets.push({ name: 'detect + compress throughput (MB/s, one core)', value: round(report.speed.mbPerSec, 1), target: '≥ 20', pass: report.speed.mbPerSec >= 20 });
  return targets;
}
