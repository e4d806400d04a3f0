/**
 * Writing a JSON tree back out: plain minified JSON (`stringifyNode`), or the compact encoding with a
 * legend line, definition lines (`$N=<json>`) and the body, where `"$N"` refers to a definition, a string
 * `"$N/rest"` is definition N's text followed by the rest, and uniform arrays may be tables.
 * json-decode.ts reverses it.
 */
import { isContainer, type StringDefs, type SubtreeIndex } from './json-factor';
import { JsonNumber, JsonObject, type JsonNode } from './json-parse';
import { LIKE_KEY } from './json-like';
import { TABLE_COLS_KEY, TABLE_ROWS_KEY } from './json-table';

/** Whole document: one JSON value, or JSON Lines (one value a line). */
export type JsonForm = 'value' | 'lines';

/** First characters of the legend line; the decoder recognises the encoding by them. */
export const LEGEND_PREFIX = '[leeway: compact';
export const LEGEND_LINES = 'JSON Lines (one value per line)';

export interface EncodePlan {
  readonly index: SubtreeIndex;
  /** Ids (from `index`) of sub-trees written once as a definition. */
  readonly subtreeDefs: ReadonlySet<number>;
  /** Whole strings and prefixes written once as a definition. */
  readonly stringDefs: StringDefs;
  /** Objects (by sub-tree id) written as `{"$like":"$N",…}` against a template object (by id). */
  readonly likes: ReadonlyMap<number, number>;
  /** Arrays (by sub-tree id) written as tables, with their columns. */
  readonly tables: ReadonlyMap<number, readonly string[]>;
  /** Lossy marker strings: written verbatim, never factored or escaped. */
  readonly markers: ReadonlySet<string>;
}

/** Plain minified JSON of a tree (numbers keep their source text). */
export function stringifyNode(node: JsonNode): string {
  if (typeof node === 'string') return JSON.stringify(node);
  if (node === null) return 'null';
  if (node === true) return 'true';
  if (node === false) return 'false';
  if (node instanceof JsonNumber) return node.raw;
  let out: string;
  if (node instanceof JsonObject) {
    out = '{';
    for (let k = 0; k < node.keys.length; k++) {
      if (k > 0) out += ',';
      out += JSON.stringify(node.keys[k]) + ':' + stringifyNode(node.values[k]!);
    }
    return out + '}';
  }
  out = '[';
  for (let k = 0; k < node.length; k++) {
    if (k > 0) out += ',';
    out += stringifyNode(node[k]!);
  }
  return out + ']';
}

/** Plain minified document: the value, or one minified value per line. */
export function stringifyDocument(roots: readonly JsonNode[], form: JsonForm): string {
  return form === 'lines' ? roots.map(stringifyNode).join('\n') : stringifyNode(roots[0] ?? null);
}

/** Write the document in the compact encoding. Without any definition or table it is plain minified JSON. */
export function encodeDocument(roots: readonly JsonNode[], form: JsonForm, plan: EncodePlan): string {
  const notation = plan.subtreeDefs.size > 0 || plan.stringDefs.size > 0 || plan.tables.size > 0 || plan.likes.size > 0;
  if (!notation) return stringifyDocument(roots, form);
  const writer = new CompactWriter(plan);
  const body = form === 'lines' ? roots.map((r) => writer.write(r)).join('\n') : writer.write(roots[0] ?? null);
  if (writer.definitions.length === 0 && !writer.usedTable) return stringifyDocument(roots, form);
  return [writer.legend(form), ...writer.definitions, body].join('\n');
}

class CompactWriter {
  readonly definitions: string[] = [];
  usedTable = false;
  private usedLike = false;
  private usedPrefix = false;
  private usedEscape = false;
  private next = 1;
  private readonly subtreeNumbers = new Map<number, number>();
  private readonly stringNumbers = new Map<string, number>();
  private readonly renderedStrings = new Map<string, string>();

  constructor(private readonly plan: EncodePlan) {}

  write(node: JsonNode): string {
    return this.writeNode(node, false);
  }

  legend(form: JsonForm): string {
    const what = this.plan.markers.size > 0 ? 'JSON, omissions marked' : 'lossless JSON';
    const parts = [`${LEGEND_PREFIX} ${what}${form === 'lines' ? `, ${LEGEND_LINES}` : ''}`];
    if (this.definitions.length > 0) {
      parts.push('a line $N=<value> defines $N, and the string "$N" anywhere below stands for that value');
      if (this.usedPrefix) parts.push('a string "$N…" is the text of $N followed by the rest');
    }
    if (this.usedLike) parts.push(`{"${LIKE_KEY}":"$N",…} is the object $N with the keys listed after it changed`);
    if (this.usedTable) parts.push(`{"${TABLE_COLS_KEY}":K,"${TABLE_ROWS_KEY}":R} is an array of objects with keys K, one row of R per object`);
    if (this.usedEscape) parts.push('a string starting "$$" starts with a literal "$"');
    return `${parts.join('; ')}]`;
  }

  private isRef(node: JsonNode): boolean {
    return isContainer(node) && this.plan.subtreeDefs.has(this.plan.index.idOf(node));
  }

  private writeNode(node: JsonNode, asDefinition: boolean): string {
    if (typeof node === 'string') return this.renderString(node);
    if (!isContainer(node)) return stringifyNode(node);
    if (!asDefinition) {
      const id = this.plan.index.idOf(node);
      if (this.plan.subtreeDefs.has(id)) return `"$${this.subtreeNumber(id, node)}"`;
    }
    let out: string;
    if (node instanceof JsonObject) {
      const template = this.plan.likes.get(this.plan.index.idOf(node));
      if (template !== undefined) return this.writeLike(node, template);
      out = '{';
      for (let k = 0; k < node.keys.length; k++) {
        if (k > 0) out += ',';
        out += JSON.stringify(node.keys[k]) + ':' + this.writeNode(node.values[k]!, false);
      }
      return out + '}';
    }
    const columns = this.plan.tables.get(this.plan.index.idOf(node));
    if (columns !== undefined) return this.writeTable(node, columns);
    out = '[';
    for (let k = 0; k < node.length; k++) {
      if (k > 0) out += ',';
      out += this.writeNode(node[k]!, false);
    }
    return out + ']';
  }

  private writeLike(node: JsonObject, template: number): string {
    this.usedLike = true;
    const index = this.plan.index;
    const base = index.objectShape(template)!.valueIds;
    const own = index.objectShape(index.idOf(node))!.valueIds;
    let out = `{"${LIKE_KEY}":"$${this.subtreeNumber(template, index.nodeOf(template)!)}"`;
    for (let k = 0; k < node.keys.length; k++) {
      if (own[k] === base[k]) continue;
      out += `,${JSON.stringify(node.keys[k])}:${this.writeNode(node.values[k]!, false)}`;
    }
    return `${out}}`;
  }

  private writeTable(rows: readonly JsonNode[], columns: readonly string[]): string {
    this.usedTable = true;
    let out = `{"${TABLE_COLS_KEY}":[${columns.map((c) => JSON.stringify(c)).join(',')}],"${TABLE_ROWS_KEY}":[`;
    for (let r = 0; r < rows.length; r++) {
      if (r > 0) out += ',';
      const row = rows[r]!;
      if (row instanceof JsonObject && !this.isRef(row)) {
        out += '[';
        for (let k = 0; k < row.values.length; k++) {
          if (k > 0) out += ',';
          out += this.writeNode(row.values[k]!, false);
        }
        out += ']';
      } else {
        out += this.writeNode(row, false);
      }
    }
    return out + ']}';
  }

  private subtreeNumber(id: number, node: JsonNode): number {
    const known = this.subtreeNumbers.get(id);
    if (known !== undefined) return known;
    // Post-order: what the definition refers to is defined (numbered) first.
    const body = this.writeNode(node, true);
    const n = this.next++;
    this.subtreeNumbers.set(id, n);
    this.definitions.push(`$${n}=${body}`);
    return n;
  }

  private renderString(value: string): string {
    if (this.plan.stringDefs.size === 0 || this.plan.markers.has(value)) return JSON.stringify(this.escape(value));
    const cached = this.renderedStrings.get(value);
    if (cached !== undefined) return cached;
    const prefix = this.plan.stringDefs.find(value);
    if (prefix === null) return JSON.stringify(this.escape(value));
    const rest = value.slice(prefix.length);
    if (rest.length > 0) this.usedPrefix = true;
    const rendered = JSON.stringify(`$${this.stringNumber(prefix)}${rest}`);
    this.renderedStrings.set(value, rendered);
    return rendered;
  }

  private escape(value: string): string {
    if (value.charCodeAt(0) === 36 && !this.plan.markers.has(value)) {
      this.usedEscape = true;
      return `$${value}`;
    }
    return value;
  }

  private stringNumber(prefix: string): number {
    const known = this.stringNumbers.get(prefix);
    if (known !== undefined) return known;
    const shorter = this.plan.stringDefs.find(prefix, prefix.length);
    let body: string;
    if (shorter !== null) {
      this.usedPrefix = true;
      body = JSON.stringify(`$${this.stringNumber(shorter)}${prefix.slice(shorter.length)}`);
    } else {
      body = JSON.stringify(this.escape(prefix));
    }
    const n = this.next++;
    this.stringNumbers.set(prefix, n);
    this.definitions.push(`$${n}=${body}`);
    return n;
  }
}
