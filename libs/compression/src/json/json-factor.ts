/**
 * Factoring: find sub-objects, arrays and strings that repeat (the same user object under every issue,
 * the same response headers, URL families such as `https://api.github.com/repos/o/r/issues/1/…`) so the
 * encoder can define each once and refer to it by a short id. Everything here is an estimate in tokens
 * (see json-cost.ts); the compressor compares the exact counts of the final candidates.
 */
import { approxTokens } from './json-cost';
import { JsonNumber, JsonObject, type JsonNode } from './json-parse';

export type JsonContainer = JsonObject | JsonNode[];

export function isContainer(node: JsonNode): node is JsonContainer {
  return node !== null && typeof node === 'object' && !(node instanceof JsonNumber);
}

/** Estimated tokens of a reference (`"$12"` costs about the same as one short word). */
export const REF_TOKENS = 2;
/** Estimated tokens of a definition line beyond its value (`$12=` and the newline). */
const DEF_LINE_TOKENS = 3;
/** A sub-tree is worth a definition only if it is at least this big ... */
const MIN_SUBTREE_TOKENS = 10;
/** ... and a definition must save at least this much overall. */
const MIN_DEF_GAIN = 12;
/** Strings shorter than this are never factored (a reference would not be much shorter). */
const MIN_STRING_CHARS = 12;
/** Prefix cuts are only considered in strings up to this length (whole-string reuse has no limit). */
const MAX_PREFIX_SCAN_CHARS = 600;

/**
 * Interned sub-trees: every distinct object/array gets an id (hash-consing on the ids of its children,
 * so the whole index is linear in the input), with its occurrence count and estimated size.
 */
export class SubtreeIndex {
  /** Array ids (objects carry theirs: `indexedBy` / `indexId`). */
  private readonly ids = new Map<JsonContainer, number>();
  /** Hash of a container's shape → ids of the containers with that hash. */
  private readonly buckets = new Map<number, number | number[]>();
  /** Per container id: [isObject, keyId0, valueId0, keyId1, valueId1, ...] (arrays: [0, v0, v1, ...]). */
  private readonly shapes: number[][] = [];
  private readonly keyIds = new Map<string, number>();
  private readonly keyTokenList: number[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly stringTokenList: number[] = [];
  private readonly numberIds = new Map<string, number>();
  private readonly numberTokenList: number[] = [];
  /** A representative node per container id (its first occurrence). */
  private readonly nodes: JsonContainer[] = [];
  readonly counts: number[] = [];
  readonly tokens: number[] = [];

  constructor(roots: readonly JsonNode[]) {
    for (const root of roots) this.visit(root);
  }

  idOf(node: JsonContainer): number {
    if (node instanceof JsonObject) return node.indexedBy === this ? node.indexId : -1;
    return this.ids.get(node) ?? -1;
  }

  /** The first node seen with this id. */
  nodeOf(id: number): JsonContainer | undefined {
    return this.nodes[id];
  }

  /** For an object id: its key ids and value ids (tagged: `id * 4 + 2` is a container), else null. */
  objectShape(id: number): { keyIds: number[]; valueIds: number[] } | null {
    const shape = this.shapes[id];
    if (shape === undefined || shape[0] !== 1) return null;
    const keyIds: number[] = [];
    const valueIds: number[] = [];
    for (let i = 1; i < shape.length; i += 2) {
      keyIds.push(shape[i]!);
      valueIds.push(shape[i + 1]!);
    }
    return { keyIds, valueIds };
  }

  /** Estimated tokens of `"key":` by key id. */
  keyTokensById(keyId: number): number {
    return this.keyTokenList[keyId] ?? 1;
  }

  /** Estimated tokens of a primitive by value id (containers: see `writtenTokens`). */
  primitiveTokens(valueId: number): number {
    const tag = valueId % 4;
    const id = (valueId - tag) / 4;
    if (tag === 0) return this.stringTokenList[id] ?? 1;
    if (tag === 1) return this.numberTokenList[id] ?? 1;
    return 1;
  }

  /** Ids of the containers directly inside container `id` (with repeats). */
  childContainerIds(id: number): number[] {
    const shape = this.shapes[id] ?? [];
    const out: number[] = [];
    // Objects interleave key ids and value ids; arrays list value ids.
    const start = shape[0] === 1 ? 2 : 1;
    const step = shape[0] === 1 ? 2 : 1;
    for (let i = start; i < shape.length; i += step) {
      const v = shape[i]!;
      if (v % 4 === 2) out.push((v - 2) / 4);
    }
    return out;
  }

  /** Estimated tokens of a string value written as JSON. */
  stringTokens(value: string): number {
    const id = this.stringIds.get(value);
    return id === undefined ? quickTokens(value) : this.stringTokenList[id]!;
  }

  /** Estimated tokens of `"key":`. */
  keyTokens(key: string): number {
    const id = this.keyIds.get(key);
    return id === undefined ? approxTokens(key) + 2 : this.keyTokenList[id]!;
  }

  /** Estimated tokens of any node (containers from the index). */
  nodeTokens(node: JsonNode): number {
    if (typeof node === 'string') return this.stringTokens(node);
    if (node instanceof JsonNumber) return Math.ceil(node.raw.length / 3);
    if (isContainer(node)) return this.tokens[this.idOf(node)] ?? 1;
    return 1;
  }

  /** Estimated tokens of the node last visited (saves a second lookup per value). */
  private lastTokens = 0;

  /** A value id: tagged so strings, numbers, literals and containers never collide. */
  private visit(node: JsonNode): number {
    if (typeof node === 'string') {
      let id = this.stringIds.get(node);
      if (id === undefined) {
        id = this.stringTokenList.length;
        this.stringIds.set(node, id);
        this.stringTokenList.push(quickTokens(node));
      }
      this.lastTokens = this.stringTokenList[id]!;
      return id * 4;
    }
    if (node === null || node === true || node === false) {
      this.lastTokens = 1;
      return node === null ? 3 : node ? 7 : 11;
    }
    if (node instanceof JsonNumber) {
      let id = this.numberIds.get(node.raw);
      if (id === undefined) {
        id = this.numberIds.size;
        this.numberIds.set(node.raw, id);
        this.numberTokenList.push(Math.ceil(node.raw.length / 3));
      }
      this.lastTokens = this.numberTokenList[id]!;
      return id * 4 + 1;
    }
    let shape: number[];
    let tokens = 2;
    if (node instanceof JsonObject) {
      const { keys, values } = node;
      shape = new Array<number>(1 + 2 * keys.length);
      shape[0] = 1;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        let keyId = this.keyIds.get(key);
        if (keyId === undefined) {
          keyId = this.keyTokenList.length;
          this.keyIds.set(key, keyId);
          this.keyTokenList.push(approxTokens(key) + 2);
        }
        shape[1 + 2 * k] = keyId;
        shape[2 + 2 * k] = this.visit(values[k]!);
        tokens += this.keyTokenList[keyId]! + this.lastTokens;
      }
    } else {
      shape = new Array<number>(1 + node.length);
      shape[0] = 0;
      for (let k = 0; k < node.length; k++) {
        shape[1 + k] = this.visit(node[k]!);
        tokens += this.lastTokens + 1;
      }
    }
    const id = this.intern(shape, tokens);
    if (this.counts[id] === 0) this.nodes[id] = node;
    this.counts[id]! += 1;
    if (node instanceof JsonObject) {
      node.indexedBy = this;
      node.indexId = id;
    } else {
      this.ids.set(node, id);
    }
    this.lastTokens = tokens;
    return id * 4 + 2;
  }

  private intern(shape: number[], tokens: number): number {
    let h = 0x811c9dc5 ^ shape.length;
    for (const v of shape) h = Math.imul(h ^ v, 0x01000193);
    const bucket = this.buckets.get(h);
    if (bucket !== undefined) {
      if (typeof bucket === 'number') {
        if (sameShape(this.shapes[bucket]!, shape)) return bucket;
      } else {
        for (const candidate of bucket) if (sameShape(this.shapes[candidate]!, shape)) return candidate;
      }
    }
    const id = this.shapes.length;
    this.shapes.push(shape);
    this.counts.push(0);
    this.tokens.push(tokens);
    if (bucket === undefined) this.buckets.set(h, id);
    else if (typeof bucket === 'number') this.buckets.set(h, [bucket, id]);
    else bucket.push(id);
    return id;
  }
}

/** Length-based estimate for string values (the linear scan of approxTokens is kept for candidates). */
function quickTokens(value: string): number {
  return Math.ceil(value.length / 3.5) + 1;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Children of a container, in order. */
export function childrenOf(node: JsonContainer): readonly JsonNode[] {
  return node instanceof JsonObject ? node.values : node;
}

/**
 * Walk the tree as the encoder will write it: a defined sub-tree is entered once (its definition) and
 * every other occurrence is a reference. Calls `onRef` for each occurrence of a defined id, `onNode` for
 * every node actually written.
 */
export function walkFactored(
  roots: readonly JsonNode[],
  index: SubtreeIndex,
  defined: ReadonlySet<number>,
  onNode: (node: JsonNode) => void,
  onRef?: (id: number) => void,
  isWritten?: (parent: JsonContainer, childIndex: number) => boolean,
): void {
  const entered = new Set<number>();
  const stack: JsonNode[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isContainer(node)) {
      const id = index.idOf(node);
      if (defined.has(id)) {
        onRef?.(id);
        if (entered.has(id)) continue;
        entered.add(id);
      }
      onNode(node);
      const children = childrenOf(node);
      for (let c = children.length - 1; c >= 0; c--) if (!isWritten || isWritten(node, c)) stack.push(children[c]!);
    } else {
      onNode(node);
    }
  }
}

/** Ids of the sub-trees worth defining once and referencing elsewhere. */
export function chooseSubtreeDefs(roots: readonly JsonNode[], index: SubtreeIndex): Set<number> {
  const chosen = new Set<number>();
  for (let id = 0; id < index.counts.length; id++) {
    if (index.counts[id]! >= 2 && index.tokens[id]! >= MIN_SUBTREE_TOKENS) chosen.add(id);
  }
  // Occurrences inside a defined parent collapse into one: iterate until every definition is used at
  // least twice in the factored tree and still pays for itself, sized as written (inner definitions
  // already replaced by references).
  for (let round = 0; round < 8 && chosen.size > 0; round++) {
    const effective = new Map<number, number>();
    walkFactored(roots, index, chosen, () => undefined, (id) => effective.set(id, (effective.get(id) ?? 0) + 1));
    const written = writtenTokens(index, chosen);
    let changed = false;
    for (const id of [...chosen]) {
      const uses = effective.get(id) ?? 0;
      const size = written(id);
      const gain = (uses - 1) * size - uses * REF_TOKENS - DEF_LINE_TOKENS;
      if (uses < 2 || size < MIN_SUBTREE_TOKENS || gain < MIN_DEF_GAIN) {
        chosen.delete(id);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return chosen;
}

/**
 * Drop definitions that became too small to be worth a line once other definitions were added inside them
 * (e.g. `["$6"]` after `$6` became a template). `keep` are never dropped.
 */
export function pruneSmallDefs(index: SubtreeIndex, defs: Set<number>, keep: ReadonlySet<number>): void {
  const written = writtenTokens(index, defs);
  for (const id of [...defs]) {
    if (!keep.has(id) && written(id) < MIN_SUBTREE_TOKENS) defs.delete(id);
  }
}

/** Estimated tokens of a container as written, with chosen inner sub-trees as references (memoised). */
export function writtenTokens(index: SubtreeIndex, chosen: ReadonlySet<number>): (id: number) => number {
  const memo = new Map<number, number>();
  const size = (id: number): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let tokens = index.tokens[id]!;
    for (const child of index.childContainerIds(id)) tokens -= index.tokens[child]! - (chosen.has(child) ? REF_TOKENS : size(child));
    memo.set(id, tokens);
    return tokens;
  };
  return size;
}

/** Cut positions of a string: where a shared prefix may end (the rest then starts with a cut char). */
function cutPositions(value: string): number[] {
  const cuts: number[] = [];
  const limit = Math.min(value.length, MAX_PREFIX_SCAN_CHARS);
  for (let k = MIN_STRING_CHARS; k < limit; k++) {
    const c = value.charCodeAt(k);
    // '/', '?', '#', '{', '&', and '::'
    if (c === 47 || c === 63 || c === 35 || c === 123 || c === 38 || (c === 58 && value.charCodeAt(k + 1) === 58)) cuts.push(k);
  }
  return cuts;
}

/**
 * The strings (whole values and URL-style prefixes) worth a definition, from the string occurrences of
 * the factored tree. Greedy by estimated gain; a string later uses its longest chosen prefix.
 */
export function chooseStringDefs(occurrences: ReadonlyMap<string, number>): Set<string> {
  interface Candidate {
    readonly prefix: string;
    readonly tokens: number;
    readonly users: string[];
    total: number;
  }
  const candidates = new Map<string, Candidate>();
  const add = (prefix: string, user: string, uses: number): void => {
    let c = candidates.get(prefix);
    if (c === undefined) {
      c = { prefix, tokens: approxTokens(prefix), users: [], total: 0 };
      candidates.set(prefix, c);
    }
    c.users.push(user);
    c.total += uses;
  };
  for (const [value, uses] of occurrences) {
    if (value.length < MIN_STRING_CHARS) continue;
    // A string used once can still be the prefix of others: that candidate comes from their cuts.
    if (uses >= 2) add(value, value, uses);
    for (const k of cutPositions(value)) add(value.slice(0, k), value, uses);
  }
  const ranked = [...candidates.values()]
    .filter((c) => c.total >= 2 && c.tokens > REF_TOKENS)
    .map((c) => ({ c, gain: c.total * (c.tokens - REF_TOKENS) - c.tokens - DEF_LINE_TOKENS }))
    .filter((r) => r.gain >= MIN_DEF_GAIN)
    .sort((a, b) => b.gain - a.gain || (a.c.prefix < b.c.prefix ? -1 : a.c.prefix > b.c.prefix ? 1 : 0));

  const saving = new Map<string, number>();
  const chosen = new Set<string>();
  for (const { c } of ranked) {
    const per = c.tokens - REF_TOKENS;
    let gain = 0;
    for (const user of c.users) {
      const extra = per - (saving.get(user) ?? 0);
      if (extra > 0) gain += extra * (occurrences.get(user) ?? 0);
    }
    // The definition itself can start with a shorter chosen prefix.
    const defCost = c.tokens - (saving.get(c.prefix) ?? 0) + DEF_LINE_TOKENS;
    if (gain - defCost < MIN_DEF_GAIN) continue;
    chosen.add(c.prefix);
    for (const user of c.users) {
      if ((saving.get(user) ?? 0) < per) saving.set(user, per);
    }
  }
  return chosen;
}

/** Chosen string definitions, with a quick filter on their first characters. */
export class StringDefs {
  private readonly heads = new Set<string>();
  constructor(readonly chosen: ReadonlySet<string>) {
    for (const prefix of chosen) this.heads.add(prefix.slice(0, MIN_STRING_CHARS));
  }

  get size(): number {
    return this.chosen.size;
  }

  /** The longest chosen prefix of `value` shorter than `maxLength` (the whole string counts as a prefix). */
  find(value: string, maxLength = Infinity): string | null {
    if (value.length < MIN_STRING_CHARS || !this.heads.has(value.slice(0, MIN_STRING_CHARS))) return null;
    if (value.length < maxLength && this.chosen.has(value)) return value;
    const cuts = cutPositions(value);
    for (let c = cuts.length - 1; c >= 0; c--) {
      const k = cuts[c]!;
      if (k >= maxLength) continue;
      const prefix = value.slice(0, k);
      if (this.chosen.has(prefix)) return prefix;
    }
    return null;
  }
}
