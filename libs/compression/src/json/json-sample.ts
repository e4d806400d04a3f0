/**
 * Lossy sampling of long arrays (balanced / aggressive). An array of records — top level, nested such as
 * `items` in a Kubernetes List, or the lines of JSON Lines — keeps its informative rows: the first and
 * last ones, rows with errors (error/failed/status fields, non-2xx codes), numeric outliers (z-score),
 * rows matching the task query (BM25) and one row per distinct categorical value. The rest is dropped
 * behind one marker that says exactly what was dropped and kept; the whole input is the original.
 * Long free text in kept rows is cut behind a marker too.
 */
import { topRelevant } from '../relevance';
import type { CompressionMode, CompressorContext } from '../types';
import { stringifyNode } from './json-encode';
import { isContainer } from './json-factor';
import { JsonNumber, JsonObject, type JsonNode } from './json-parse';

export interface SampledDocument {
  readonly roots: JsonNode[];
  /** The marker strings placed in the tree (written verbatim by the encoder). */
  readonly markers: ReadonlySet<string>;
}

interface SampleLimits {
  /** Record arrays shorter than this are left whole. */
  readonly minRecords: number;
  /** Arrays of primitives shorter than this are left whole. */
  readonly minPrimitives: number;
  /** Objects whose values are records ({@link isRecordMap}) with fewer keys than this are left whole. */
  readonly minMapEntries: number;
  readonly first: number;
  readonly last: number;
  readonly errors: number;
  readonly query: number;
  readonly outliers: number;
  readonly distinct: number;
  /** Strings in kept rows longer than this are cut ... */
  readonly longText: number;
  /** ... to this many characters. */
  readonly keepText: number;
  /** Strings anywhere longer than this are cut (embedded JSON documents always are, above `longText`). */
  readonly hugeText: number;
}

const LIMITS: Record<Exclude<CompressionMode, 'lossless'>, SampleLimits> = {
  balanced: { minRecords: 16, minPrimitives: 40, minMapEntries: 32, first: 3, last: 2, errors: 10, query: 5, outliers: 4, distinct: 6, longText: 400, keepText: 160, hugeText: Infinity },
  aggressive: { minRecords: 10, minPrimitives: 24, minMapEntries: 20, first: 2, last: 1, errors: 6, query: 3, outliers: 2, distinct: 4, longText: 240, keepText: 100, hugeText: 1500 },
};

/** Sampling pays only if it drops at least this share of an array's rows. */
const MIN_DROP_SHARE = 0.3;
const OUTLIER_Z = 3;
/** Categorical columns: between 2 and this many distinct values ... */
const MAX_CATEGORIES = 8;
/** ... or a top-level type-like key (`kind`, `type`) with up to this many short identifier values. */
const MAX_TYPES = 32;
const TYPE_KEY_RE = /^(?:kind|type|category|class|object|resource|event|action|method|apiVersion)$/i;
const IDENTIFIER_RE = /^[\w.:/-]{1,40}$/;
/** Per row, at most this many leaves are inspected (keeps wide rows cheap). */
const MAX_LEAVES = 400;
const MAX_LEAF_DEPTH = 6;
const MAX_MARKER_CHARS = 280;

const ERROR_KEY_RE = /^(?:errors?|err|exception|exceptions|failure|failures|fault|panic|stack_?trace|traceback)$/i;
const STATUS_KEY_RE =
  /^(?:status|state|phase|result|conclusion|outcome|level|severity|reason|health|type)$|(?:_status|Status|_state|State|_result|Result)$/;
const BAD_STATUS_RE =
  /\b(?:error|errored|errors|fail|failed|failing|failure|fatal|crash\w*|\w*backoff|unhealthy|timeout|timed[_ ]out|denied|rejected|invalid|critical|panic|oomkilled|evicted|cancell?ed|aborted|exception|warning|warn)\b/i;
const CODE_KEY_RE = /^(?:status|status_?code|statusCode|code|http_?status|httpStatus|response_?code|exit_?code|exitCode|returncode)$/;
const OK_KEY_RE = /^(?:ok|success|successful|passed|healthy)$/i;

interface Leaf {
  readonly path: string;
  readonly key: string;
  readonly value: string | number | boolean | null;
}

type Reason = 'first' | 'last' | 'error' | 'query' | 'outlier' | 'distinct';

export function sampleDocument(roots: JsonNode[], input: string, ctx: CompressorContext): SampledDocument {
  if (ctx.mode === 'lossless') return { roots, markers: new Set() };
  const sampler = new Sampler(input, ctx, LIMITS[ctx.mode]);
  if (roots.length > 1) {
    // JSON Lines: the lines are the rows.
    return { roots: sampler.sampleArray(roots, 'lines'), markers: sampler.markers };
  }
  return { roots: [sampler.visit(roots[0] ?? null, '')], markers: sampler.markers };
}

class Sampler {
  readonly markers = new Set<string>();

  constructor(
    private readonly input: string,
    private readonly ctx: CompressorContext,
    private readonly limits: SampleLimits,
  ) {}

  /** Sample arrays inside a node (top-down: rows dropped from an outer array are not looked at). */
  visit(node: JsonNode, name: string): JsonNode {
    if (node instanceof JsonObject) {
      if (isRecordMap(node, this.limits.minMapEntries)) {
        const sampled = this.sampleMap(node, name);
        if (sampled !== null) return sampled;
      }
      const values = node.values.map((v, k) => this.visit(v, node.keys[k]!));
      return new JsonObject(node.keys, values);
    }
    if (Array.isArray(node)) return this.sampleArray(node, name);
    if (typeof node === 'string' && (node.length > this.limits.hugeText || (node.length > this.limits.longText && isEmbeddedJson(node)))) {
      return this.cutText(node, name);
    }
    return node;
  }

  sampleArray(rows: readonly JsonNode[], name: string): JsonNode[] {
    const records = rows.filter(isContainer).length;
    const isRecords = records >= rows.length * 0.8;
    const min = isRecords ? this.limits.minRecords : this.limits.minPrimitives;
    const kept = rows.length >= min ? this.chooseRows(rows, isRecords) : null;
    if (kept === null) return rows.map((r) => this.visit(r, name));

    const dropped = rows.length - kept.size;
    const noun = name === 'lines' ? 'lines' : isRecords ? 'rows' : 'items';
    const summary = this.summary(dropped, rows.length, noun, name, kept);
    const marker = this.ctx.elide(this.input, summary);
    this.markers.add(marker);
    const out: JsonNode[] = [];
    let markerPlaced = false;
    for (let i = 0; i < rows.length; i++) {
      if (kept.has(i)) out.push(this.trimText(this.visit(rows[i]!, name), name));
      else if (!markerPlaced) {
        out.push(marker);
        markerPlaced = true;
      }
    }
    return out;
  }

  /**
   * A keyed collection of records (`{"acct_1": {…}, "acct_2": {…}, …}`, a fixtures file, OpenAPI `paths`):
   * its entries are sampled like the rows of an array. The marker takes the place of the first dropped entry,
   * as a key whose value lists the dropped keys, so the model sees every name it could ask for.
   */
  private sampleMap(node: JsonObject, name: string): JsonObject | null {
    const kept = this.chooseRows(node.values, true, node.keys);
    if (kept === null) return null;
    const dropped = node.keys.filter((_, i) => !kept.has(i));
    const summary = this.summary(dropped.length, node.keys.length, 'entries', name, kept, false);
    const marker = this.ctx.elide(this.input, `${summary}; the value lists the omitted keys`);
    this.markers.add(marker);
    const keys: string[] = [];
    const values: JsonNode[] = [];
    let markerPlaced = false;
    for (let i = 0; i < node.keys.length; i++) {
      if (kept.has(i)) {
        keys.push(node.keys[i]!);
        values.push(this.trimText(this.visit(node.values[i]!, node.keys[i]!), node.keys[i]!));
      } else if (!markerPlaced) {
        keys.push(marker);
        values.push(keyList(dropped));
        markerPlaced = true;
      }
    }
    return new JsonObject(keys, values);
  }

  private summary(
    dropped: number,
    total: number,
    noun: string,
    name: string,
    kept: ReadonlyMap<number, Reason>,
    withPositions = true,
  ): string {
    const counts = new Map<Reason, number>();
    for (const reason of kept.values()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    const parts: string[] = [];
    const label: Record<Reason, (n: number) => string> = {
      first: (n) => `first ${n}`,
      last: (n) => `last ${n}`,
      error: (n) => `${n} with errors`,
      query: (n) => `${n} matching the query`,
      outlier: (n) => `${n} numeric outlier${n === 1 ? '' : 's'}`,
      distinct: (n) => `${n} with distinct values`,
    };
    for (const reason of ['first', 'last', 'error', 'query', 'outlier', 'distinct'] as const) {
      const n = counts.get(reason);
      if (n) parts.push(label[reason](n));
    }
    const where = name && name !== 'lines' ? ` of ${name}` : '';
    const positions = rangeList([...kept.keys()]);
    const base = `${dropped} of ${total} ${noun}${where} omitted (kept: ${parts.join(', ')})`;
    const positioned = `${base}; kept ${noun} are #${positions} counting from 1`;
    const text = withPositions && positioned.length <= MAX_MARKER_CHARS ? positioned : base;
    return sanitizeSummary(text);
  }

  /** Which rows to keep, with the first reason each is kept for; null when sampling would not pay. */
  private chooseRows(rows: readonly JsonNode[], isRecords: boolean, names?: readonly string[]): Map<number, Reason> | null {
    const n = rows.length;
    const kept = new Map<number, Reason>();
    const keep = (i: number, reason: Reason): void => {
      if (!kept.has(i)) kept.set(i, reason);
    };
    for (let i = 0; i < Math.min(this.limits.first, n); i++) keep(i, 'first');
    for (let i = Math.max(0, n - this.limits.last); i < n; i++) keep(i, 'last');

    const leaves = rows.map((row) => collectLeaves(row));
    let errors = 0;
    for (let i = 0; i < n && errors < this.limits.errors; i++) {
      if (isErrorRow(leaves[i]!)) {
        if (!kept.has(i)) errors++;
        keep(i, 'error');
      }
    }

    const query = this.ctx.query;
    if (query && query.trim().length > 0) {
      const docs = rows.map((row, i) => (names ? `${names[i]!} ${stringifyNode(row)}` : stringifyNode(row)));
      for (const i of topRelevant(docs, query, this.limits.query)) keep(i, 'query');
    }

    if (isRecords) {
      for (const i of outlierRows(leaves, this.limits.outliers)) keep(i, 'outlier');
      for (const i of distinctRows(leaves, kept, this.limits.distinct)) keep(i, 'distinct');
    }
    if (n - kept.size < n * MIN_DROP_SHARE) return null;
    return kept;
  }

  /** Keep the head of a long string; the rest goes behind a marker naming the field. */
  private cutText(value: string, field: string): string {
    if (this.markers.has(value)) return value;
    let end = this.limits.keepText;
    // Do not split a surrogate pair.
    const code = value.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    const summary = sanitizeSummary(`${value.length - end} more characters of ${field || 'this string'} omitted`);
    const marker = this.ctx.elide(this.input, summary);
    this.markers.add(marker);
    return `${value.slice(0, end)}…${marker}`;
  }

  /** Cut long strings in a kept row behind markers. */
  private trimText(node: JsonNode, name: string): JsonNode {
    const walk = (n: JsonNode, field: string): JsonNode => {
      if (typeof n === 'string') return n.length > this.limits.longText ? this.cutText(n, field) : n;
      if (n instanceof JsonObject) return new JsonObject(n.keys, n.values.map((v, k) => walk(v, n.keys[k]!)));
      if (Array.isArray(n)) return n.map((v) => walk(v, field));
      return n;
    };
    return walk(node, name);
  }
}

/** Share of an object's values that must be non-empty objects for it to count as a keyed collection. */
const MAP_RECORD_SHARE = 0.9;
/** Characters of the omitted-keys list in a sampled map's marker entry. */
const MAX_KEY_LIST_CHARS = 4000;

/** An object with many keys whose values are (nearly all) non-empty objects: a keyed collection of records. */
function isRecordMap(node: JsonObject, minEntries: number): boolean {
  if (node.keys.length < minEntries) return false;
  let records = 0;
  for (const v of node.values) if (v instanceof JsonObject && v.keys.length > 0) records++;
  return records >= node.values.length * MAP_RECORD_SHARE;
}

/** `a, b, c` — cut with a count when very long. */
function keyList(keys: readonly string[]): string {
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const next = i === 0 ? keys[i]! : `${out}, ${keys[i]!}`;
    if (next.length > MAX_KEY_LIST_CHARS) return `${out}, … and ${keys.length - i} more`;
    out = next;
  }
  return out;
}

/** Leaves (primitive values with their key paths) of a row, breadth-limited. */
function collectLeaves(row: JsonNode): Leaf[] {
  const out: Leaf[] = [];
  const stack: { node: JsonNode; path: string; key: string; depth: number }[] = [{ node: row, path: '', key: '', depth: 0 }];
  while (stack.length > 0 && out.length < MAX_LEAVES) {
    const { node, path, key, depth } = stack.pop()!;
    if (node instanceof JsonObject) {
      if (depth >= MAX_LEAF_DEPTH) continue;
      for (let k = Math.min(node.keys.length, MAX_LEAVES) - 1; k >= 0; k--) {
        const childKey = node.keys[k]!;
        stack.push({ node: node.values[k]!, path: path ? `${path}.${childKey}` : childKey, key: childKey, depth: depth + 1 });
      }
    } else if (Array.isArray(node)) {
      if (depth >= MAX_LEAF_DEPTH) continue;
      for (let k = Math.min(node.length, MAX_LEAVES) - 1; k >= 0; k--) stack.push({ node: node[k]!, path: `${path}[]`, key, depth: depth + 1 });
    } else {
      out.push({ path, key, value: node instanceof JsonNumber ? node.value : node });
    }
  }
  return out;
}

/** A row that reports a failure: an error field with content, a bad status word, a non-2xx code. */
export function isErrorRow(leaves: readonly Leaf[]): boolean {
  for (const { key, value } of leaves) {
    if (ERROR_KEY_RE.test(key) || /error/i.test(key)) {
      if (typeof value === 'string' ? value.length > 0 : value === true) return true;
      if (typeof value === 'number' && value > 0 && /count|num|total/i.test(key)) return true;
    }
    if (typeof value === 'string' && STATUS_KEY_RE.test(key) && BAD_STATUS_RE.test(value)) return true;
    if (CODE_KEY_RE.test(key)) {
      const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : NaN;
      if (code >= 100 && code <= 599 && (code < 200 || code > 299)) return true;
    }
    if (value === false && OK_KEY_RE.test(key)) return true;
  }
  return false;
}

/** Rows holding a value more than 3 standard deviations from its column's mean, most extreme first. */
function outlierRows(leaves: readonly Leaf[][], limit: number): number[] {
  const columns = new Map<string, { rows: number[]; values: number[] }>();
  leaves.forEach((row, i) => {
    for (const leaf of row) {
      if (typeof leaf.value !== 'number' || !Number.isFinite(leaf.value) || leaf.path.includes('[]')) continue;
      let col = columns.get(leaf.path);
      if (col === undefined) {
        col = { rows: [], values: [] };
        columns.set(leaf.path, col);
      }
      col.rows.push(i);
      col.values.push(leaf.value);
    }
  });
  const scored: { row: number; z: number }[] = [];
  for (const { rows, values } of columns.values()) {
    if (values.length < 8) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    const sd = Math.sqrt(variance);
    if (!(sd > 0)) continue;
    values.forEach((v, k) => {
      const z = Math.abs(v - mean) / sd;
      if (z >= OUTLIER_Z) scored.push({ row: rows[k]!, z });
    });
  }
  scored.sort((a, b) => b.z - a.z || a.row - b.row);
  const out: number[] = [];
  for (const { row } of scored) {
    if (out.length >= limit) break;
    if (!out.includes(row)) out.push(row);
  }
  return out;
}

/** For low-cardinality string columns, the first row showing each value not yet shown by a kept row. */
function distinctRows(leaves: readonly Leaf[][], kept: ReadonlyMap<number, Reason>, limit: number): number[] {
  const columns = new Map<string, Map<string, number>>();
  const types = new Map<string, Map<string, number>>();
  leaves.forEach((row, i) => {
    for (const leaf of row) {
      if (typeof leaf.value !== 'string' || leaf.path.includes('[]')) continue;
      const isType = leaf.path === leaf.key && TYPE_KEY_RE.test(leaf.key) && IDENTIFIER_RE.test(leaf.value);
      const target = isType ? types : columns;
      let values = target.get(leaf.path);
      if (values === undefined) {
        values = new Map();
        target.set(leaf.path, values);
      }
      if (values.size <= (isType ? MAX_TYPES : MAX_CATEGORIES) && !values.has(leaf.value)) values.set(leaf.value, i);
    }
  });
  for (const [path, values] of types) columns.set(path, values);
  const out: number[] = [];
  const typeLike = new Set<string>();
  for (const [path, values] of types) if (values.size >= 2 && values.size <= MAX_TYPES) typeLike.add(path);
  const shown = new Set<string>();
  const show = (i: number): void => {
    for (const leaf of leaves[i]!) if (typeof leaf.value === 'string') shown.add(`${leaf.path}\u0000${leaf.value}`);
  };
  for (const i of kept.keys()) show(i);
  for (const [path, values] of columns) {
    const isType = typeLike.has(path);
    if (!isType && (values.size < 2 || values.size > MAX_CATEGORIES || values.size > leaves.length / 3)) continue;
    for (const [value, row] of values) {
      if (out.length >= limit && !isType) break;
      if (out.length >= limit + MAX_TYPES) return out;
      if (!shown.has(`${path}\u0000${value}`)) {
        out.push(row);
        show(row);
      }
    }
  }
  return out;
}

/** A string holding a JSON object or array (e.g. kubectl's last-applied-configuration annotation). */
function isEmbeddedJson(value: string): boolean {
  const t = value.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** `[0,1,2,5,9,10]` → `1-3,6,10-11` (1-based). */
function rangeList(indices: number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let j = k;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === k ? `${sorted[k]! + 1}` : `${sorted[k]! + 1}-${sorted[j]! + 1}`);
    k = j + 1;
  }
  return parts.join(',');
}

/** Marker summaries may not contain `]`, newlines or quotes (they sit inside JSON strings). */
function sanitizeSummary(text: string): string {
  return text.replace(/[\]\n\r"\\]/g, ' ').slice(0, MAX_MARKER_CHARS);
}
