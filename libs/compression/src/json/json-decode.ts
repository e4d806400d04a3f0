/**
 * The inverse of the compact lossless encoding (json-encode.ts): rebuilds minified JSON (or JSON Lines)
 * from the legend, the `$N=` definition lines and the body. Used by the tests to prove the round trip,
 * and usable by anything that wants the JSON value back without asking the model.
 */
import { stringifyNode } from './json-encode';
import { LEGEND_LINES, LEGEND_PREFIX } from './json-encode';
import { JsonObject, parseJson, type JsonNode } from './json-parse';
import { LIKE_KEY } from './json-like';
import { TABLE_COLS_KEY, TABLE_ROWS_KEY } from './json-table';

export class JsonDecodeError extends Error {
  readonly code = 'CMP_JSON_DECODE';
}

const DEF_LINE_RE = /^\$(\d+)=/;
const REF_RE = /^\$(\d+)/;

/** Decode the compact encoding to minified JSON text (JSON Lines: one minified value per line). */
export function decodeCompactJson(text: string): string {
  const lines = text.split('\n');
  if (!lines[0]?.startsWith(LEGEND_PREFIX)) {
    // No notation: already plain JSON or JSON Lines.
    return lines.filter((l) => l.trim().length > 0).map((l) => stringifyNode(parseOrThrow(l))).join('\n');
  }
  const isLines = lines[0].includes(LEGEND_LINES);
  const defs = new Map<number, JsonNode>();
  let i = 1;
  for (; i < lines.length; i++) {
    const m = DEF_LINE_RE.exec(lines[i]!);
    if (m === null) break;
    defs.set(Number(m[1]), parseOrThrow(lines[i]!.slice(m[0].length)));
  }
  const resolver = new Resolver(defs);
  const body = lines.slice(i).filter((l) => l.trim().length > 0);
  if (!isLines && body.length !== 1) throw new JsonDecodeError(`expected one body line, found ${body.length}`);
  return body.map((l) => stringifyNode(resolver.resolve(parseOrThrow(l)))).join('\n');
}

function parseOrThrow(text: string): JsonNode {
  const parsed = parseJson(text, 100_000);
  if (!parsed.ok) throw new JsonDecodeError(`not JSON: ${text.slice(0, 80)}`);
  return parsed.value;
}

class Resolver {
  private readonly resolved = new Map<number, JsonNode>();
  private readonly active = new Set<number>();

  constructor(private readonly defs: ReadonlyMap<number, JsonNode>) {}

  resolve(node: JsonNode): JsonNode {
    if (typeof node === 'string') return this.resolveString(node);
    if (node instanceof JsonObject) {
      if (node.keys.length === 2 && node.keys[0] === TABLE_COLS_KEY && node.keys[1] === TABLE_ROWS_KEY) {
        return this.resolveTable(node.values[0]!, node.values[1]!);
      }
      if (node.keys[0] === LIKE_KEY) return this.resolveLike(node);
      return new JsonObject([...node.keys], node.values.map((v) => this.resolve(v)));
    }
    if (Array.isArray(node)) return node.map((v) => this.resolve(v));
    return node;
  }

  private resolveLike(node: JsonObject): JsonNode {
    const base = this.resolve(node.values[0]!);
    if (!(base instanceof JsonObject)) throw new JsonDecodeError(`${LIKE_KEY} does not name an object`);
    const values = [...base.values];
    for (let k = 1; k < node.keys.length; k++) {
      const at = base.keys.indexOf(node.keys[k]!);
      if (at === -1) throw new JsonDecodeError(`${LIKE_KEY} changes a key its object does not have: ${node.keys[k]}`);
      values[at] = this.resolve(node.values[k]!);
    }
    return new JsonObject([...base.keys], values);
  }

  private resolveTable(columns: JsonNode, rows: JsonNode): JsonNode {
    if (!Array.isArray(columns) || !Array.isArray(rows)) throw new JsonDecodeError('malformed table');
    const keys = columns.map((c) => {
      if (typeof c !== 'string') throw new JsonDecodeError('table column is not a string');
      return c;
    });
    return rows.map((row) => {
      if (!Array.isArray(row)) return this.resolve(row);
      if (row.length !== keys.length) throw new JsonDecodeError('table row length differs from its columns');
      return new JsonObject([...keys], row.map((v) => this.resolve(v)));
    });
  }

  private resolveString(value: string): JsonNode {
    if (value.startsWith('$$')) return value.slice(1);
    const m = REF_RE.exec(value);
    if (m === null) return value;
    const target = this.definition(Number(m[1]));
    const rest = value.slice(m[0].length);
    if (rest.length === 0) return target;
    if (typeof target !== 'string') throw new JsonDecodeError(`$${m[1]} is not a string but is used as a prefix`);
    return target + rest;
  }

  private definition(n: number): JsonNode {
    const done = this.resolved.get(n);
    if (done !== undefined) return done;
    const raw = this.defs.get(n);
    if (raw === undefined) throw new JsonDecodeError(`$${n} is not defined`);
    if (this.active.has(n)) throw new JsonDecodeError(`$${n} refers to itself`);
    this.active.add(n);
    const value = this.resolve(raw);
    this.active.delete(n);
    this.resolved.set(n, value);
    return value;
  }
}
