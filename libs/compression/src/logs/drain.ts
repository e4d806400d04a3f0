/**
 * Drain-style template mining (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree",
 * ICWS 2017), implemented here and deterministic: same messages in the same order, same templates.
 *
 * Each message is split into tokens. A fixed-depth tree routes it by (group, token count) and then by its
 * first {@link ROUTE_TOKENS} constant-looking tokens (tokens holding a digit are values and do not route);
 * the leaf holds candidate templates of that shape. The message joins the most similar candidate when the
 * similarity reaches the threshold (positions that differ become wildcards), else it starts a new template.
 * A second pass ({@link mergeTemplates}) joins same-shape templates that the tree kept apart.
 *
 * Cost: one scan of each message plus a comparison with the candidates of one leaf, so mining is linear in
 * the input for a bounded number of templates per leaf. Tokens are kept as offsets into the message text
 * (no string per token), which is what makes the scan cheap.
 */

/**
 * Token separators: whitespace, the punctuation that splits keys from values (`a=1`, `a:1`, `a|b`, `a,b;`)
 * and brackets (`sshd[24200]`, `(uid=0)`), so that values become tokens of their own.
 */
const SEPARATORS = new Uint8Array(128);
for (const ch of ' \t\r|=,;:[]()') SEPARATORS[ch.charCodeAt(0)] = 1;

function isSeparator(c: number): boolean {
  return c < 128 && SEPARATORS[c] === 1;
}

/** Messages longer than this many tokens keep their tail as one token. */
export const MAX_TOKENS = 64;

export interface Tokens {
  readonly tokens: string[];
  /** Start offset of each token in the text. */
  readonly starts: number[];
}

/** Split `text` (from `from`) into tokens with their offsets, exactly as the token table does. */
export function tokenize(text: string, from = 0): Tokens {
  const table = new TokenTable(text, [from], [text.length]);
  const tokens: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < table.count(0); i++) {
    tokens.push(table.token(0, i));
    starts.push(table.startOf(0, i));
  }
  return { tokens, starts };
}

/**
 * The tokens of many messages (spans of one text), in flat typed arrays: the text's characters are copied
 * once into a `Uint16Array` (one pass over a flat string; comparing tokens there is several times faster than
 * `charCodeAt` on many sliced strings), and tokens are offsets into it — no string per token.
 */
export class TokenTable {
  private readonly codes: Uint16Array;
  /** Per token: start and end offsets in the text, digit flag, hash. */
  private starts: Int32Array;
  private ends: Int32Array;
  private digits: Uint8Array;
  private hashes: Int32Array;
  /** `first[m]` is the index of message m's first token; `first[m + 1]` ends it. */
  private readonly first: Int32Array;
  readonly size: number;

  /** Message m is `text.slice(starts[m], ends[m])`. */
  constructor(
    readonly text: string,
    starts: readonly number[],
    ends: readonly number[],
  ) {
    const codes = new Uint16Array(text.length);
    for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
    this.codes = codes;
    this.size = starts.length;
    const capacity = 1024 + (text.length >> 3);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.digits = new Uint8Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.first = new Int32Array(this.size + 1);
    let k = 0;
    for (let m = 0; m < this.size; m++) {
      this.first[m] = k;
      const end = Math.min(ends[m] ?? text.length, text.length);
      k = this.scan(Math.min(starts[m] ?? 0, end), end, k);
    }
    this.first[this.size] = k;
  }

  /** Tokens of message m. */
  count(m: number): number {
    return this.first[m + 1]! - this.first[m]!;
  }

  token(m: number, i: number): string {
    const k = this.first[m]! + i;
    return this.text.slice(this.starts[k], this.ends[k]);
  }

  startOf(m: number, i: number): number {
    return this.starts[this.first[m]! + i]!;
  }

  /** Whether token i of message m holds a digit (looks like a value). */
  hasDigit(m: number, i: number): boolean {
    return this.digits[this.first[m]! + i] === 1;
  }

  /** A hash of token i of message m, as a small integer (equal tokens, equal hashes; rarely unequal ones too). */
  hashOf(m: number, i: number): number {
    return this.hashes[this.first[m]! + i]! & 0x3fffffff;
  }

  /** Whether token i of message m equals token j of message n (a hash check first, then the characters). */
  same(m: number, i: number, n: number, j: number): boolean {
    const a = this.first[m]! + i;
    const b = this.first[n]! + j;
    if (this.hashes[a] !== this.hashes[b]) return false;
    const startA = this.starts[a]!;
    const length = this.ends[a]! - startA;
    const startB = this.starts[b]!;
    if (this.ends[b]! - startB !== length) return false;
    if (startA === startB) return true;
    const codes = this.codes;
    for (let q = 0; q < length; q++) if (codes[startA + q] !== codes[startB + q]) return false;
    return true;
  }

  /**
   * A hash of the separators between the tokens of message m (a whitespace run counts as one space): two
   * messages with equal tokens but `address: x` vs `address x` differ here.
   */
  separatorHash(m: number): number {
    const codes = this.codes;
    let hash = 0;
    for (let k = this.first[m]! + 1; k < this.first[m + 1]!; k++) {
      let space = false;
      for (let q = this.ends[k - 1]!; q < this.starts[k]!; q++) {
        const c = codes[q]!;
        if (c === 32 || c === 9) {
          space = true;
          continue;
        }
        if (space) hash = (Math.imul(hash, 31) + 32) | 0;
        space = false;
        hash = (Math.imul(hash, 31) + c) | 0;
      }
      if (space) hash = (Math.imul(hash, 31) + 32) | 0;
      hash = (Math.imul(hash, 31) + 1) | 0;
    }
    return hash;
  }

  /** Tokenise one message: `codes[from .. n)`. */
  private scan(from: number, n: number, k: number): number {
    const codes = this.codes;
    let i = from;
    let own = 0;
    while (i < n) {
      let c = codes[i]!;
      while (c < 128 && SEPARATORS[c] === 1) {
        if (++i >= n) return k;
        c = codes[i]!;
      }
      if (k >= this.starts.length) this.grow();
      const start = i;
      let end = n;
      if (own === MAX_TOKENS - 1) {
        // The rest of the message is one token (trailing separators aside).
        while (end > start && isSeparator(codes[end - 1]!)) end--;
      } else {
        while (i < n) {
          c = codes[i]!;
          if (c < 128 && SEPARATORS[c] === 1) break;
          i++;
        }
        end = i;
      }
      let digit = 0;
      let hash = 0;
      for (let q = start; q < end; q++) {
        const d = codes[q]!;
        if (d >= 48 && d <= 57) digit = 1;
        hash = (Math.imul(hash, 31) + d) | 0;
      }
      this.starts[k] = start;
      this.ends[k] = end;
      this.digits[k] = digit;
      this.hashes[k] = hash;
      k++;
      own++;
      if (end === n || own === MAX_TOKENS) return k;
    }
    return k;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    const digits = new Uint8Array(size);
    digits.set(this.digits);
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.starts = starts;
    this.ends = ends;
    this.digits = digits;
    this.hashes = hashes;
  }
}

/** Whether a token is a value by its looks (it holds a digit). */
export function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

export interface DrainOptions {
  /** Minimum similarity (0..1) for a message to join a template. */
  readonly threshold?: number;
  /** Children per tree node before new tokens share the `<*>` child. */
  readonly maxChildren?: number;
}

/** A mined template: `tokens[i]` is null where the template has a wildcard. */
export interface Template {
  readonly id: number;
  readonly tokens: (string | null)[];
  /** Indices of its member messages, ascending. */
  readonly members: number[];
}

export const DEFAULT_THRESHOLD = 0.7;
/** Similarity from which the second pass merges two same-shape templates. */
export const MERGE_THRESHOLD = 0.8;
const ROUTE_TOKENS = 3;
/** Routing tokens are taken from this many leading tokens. */
const ROUTE_WINDOW = 6;
const DEFAULT_MAX_CHILDREN = 64;
/** The child for tokens beyond a node's capacity. */
const WILD = 0x2a2a2a;

interface Node {
  /** Children by token hash: a collision only merges two branches; templates still join by similarity. */
  readonly children: Map<number, Node>;
  readonly templates: Template[];
}

function newNode(): Node {
  return { children: new Map(), templates: [] };
}

/**
 * Mine templates from tokenised messages. `groups[m]` (optional) keeps messages of different groups (e.g.
 * important vs routine lines) in different templates. Returns the templates in order of first member.
 */
export function mineTemplates(table: TokenTable, groups?: readonly number[], options: DrainOptions = {}): Template[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const maxChildren = options.maxChildren ?? DEFAULT_MAX_CHILDREN;
  const root = new Map<number, Node>();
  const templates: Template[] = [];
  /** Per template: which of its (constant) tokens hold a digit. */
  const digitsOf: Uint8Array[] = [];

  for (let m = 0; m < table.size; m++) {
    const n = table.count(m);
    const leaf = route(root, table, m, (groups?.[m] ?? 0) * (MAX_TOKENS + 1) + n, maxChildren);
    const best = bestMatch(leaf.templates, digitsOf, table, m, threshold);
    if (best === null) {
      const tokens: string[] = [];
      const digits = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        tokens.push(table.token(m, i));
        if (table.hasDigit(m, i)) digits[i] = 1;
      }
      const t: Template = { id: templates.length, tokens, members: [m] };
      templates.push(t);
      digitsOf.push(digits);
      leaf.templates.push(t);
    } else {
      // Constant positions still hold the first member's token, so compare with that.
      const tt = best.tokens;
      const origin = best.members[0]!;
      for (let i = 0; i < tt.length; i++) if (tt[i] !== null && !table.same(m, i, origin, i)) tt[i] = null;
      best.members.push(m);
    }
  }
  return templates;
}

function route(root: Map<number, Node>, table: TokenTable, m: number, shape: number, maxChildren: number): Node {
  let node: Node | undefined = root.get(shape);
  if (node === undefined) {
    node = newNode();
    root.set(shape, node);
  }
  // Route by the first constant-looking tokens: values (tokens with digits) are skipped, so that pids and
  // ids in a header do not spend the tree's depth.
  const n = table.count(m);
  let depth = 0;
  for (let d = 0; d < n && d < ROUTE_WINDOW && depth < ROUTE_TOKENS; d++) {
    if (table.hasDigit(m, d)) continue;
    depth++;
    let key = table.hashOf(m, d);
    let child: Node | undefined = node.children.get(key);
    if (child === undefined) {
      if (node.children.size >= maxChildren) key = WILD;
      child = node.children.get(key);
      if (child === undefined) {
        child = newNode();
        node.children.set(key, child);
      }
    }
    node = child;
  }
  return node;
}

/**
 * Similarity = equal positions / positions that are not values on both sides (a template wildcard or a
 * digit-holding token counts as a value, so `0:0:0:0` or equal counters never make two lines look alike).
 * Ties go to the older template, so mining is deterministic.
 */
function bestMatch(
  candidates: readonly Template[],
  digitsOf: readonly Uint8Array[],
  table: TokenTable,
  m: number,
  threshold: number,
): Template | null {
  let best: Template | null = null;
  let bestSim = -1;
  for (const t of candidates) {
    const tt = t.tokens;
    const td = digitsOf[t.id]!;
    const origin = t.members[0]!;
    let equal = 0;
    let counted = 0;
    for (let i = 0; i < tt.length; i++) {
      const a = tt[i];
      if (table.hasDigit(m, i) && (a === null || a === undefined || td[i] === 1)) continue; // values on both sides
      counted++;
      if (a !== null && a !== undefined && table.same(m, i, origin, i)) equal++;
    }
    const sim = counted === 0 ? 1 : equal / counted;
    if (sim > bestSim) {
      bestSim = sim;
      best = t;
      if (sim === 1) break;
    }
  }
  return best !== null && bestSim >= threshold ? best : null;
}

/** Templates a merge pass compares each template with (bounds the pass to linear time). */
const MERGE_WINDOW = 64;

/**
 * Second pass: the tree keeps apart messages whose leading tokens differ (`chrome.exe - … open through proxy`
 * vs `WeChat.exe - … open through proxy`), so same-shape templates that are similar enough are merged here
 * (differing positions become wildcards). Returns the templates renumbered in order of first member.
 */
export function mergeTemplates(
  templates: readonly Template[],
  groups?: readonly number[],
  threshold = MERGE_THRESHOLD,
): Template[] {
  const byShape = new Map<string, number[]>();
  const merged: { tokens: (string | null)[]; members: number[][] }[] = [];
  for (const t of templates) {
    const shape = `${groups?.[t.members[0]!] ?? 0}:${t.tokens.length}`;
    let candidates = byShape.get(shape);
    if (candidates === undefined) byShape.set(shape, (candidates = []));
    let target = -1;
    let bestSim = -1;
    for (let k = Math.max(0, candidates.length - MERGE_WINDOW); k < candidates.length; k++) {
      const sim = templateSimilarity(merged[candidates[k]!]!.tokens, t.tokens);
      if (sim > bestSim) {
        bestSim = sim;
        target = candidates[k]!;
      }
    }
    if (target >= 0 && bestSim >= threshold) {
      const into = merged[target]!;
      for (let i = 0; i < into.tokens.length; i++) if (into.tokens[i] !== t.tokens[i]) into.tokens[i] = null;
      into.members.push(t.members);
    } else {
      candidates.push(merged.length);
      merged.push({ tokens: t.tokens.slice(), members: [t.members] });
    }
  }
  const out = merged.map((m) => ({ tokens: m.tokens, members: mergeSorted(m.members) }));
  out.sort((a, b) => a.members[0]! - b.members[0]!);
  return out.map((m, id) => ({ id, tokens: m.tokens, members: m.members }));
}

/**
 * Split templates whose members differ in the separators between their tokens (`data address: 0x02` and
 * `data address space…0` share tokens, but a pattern rendered from the first would misquote the second).
 * Returns the templates renumbered in order of first member.
 */
export function splitBySeparators(table: TokenTable, templates: readonly Template[]): Template[] {
  const out: { tokens: (string | null)[]; members: number[] }[] = [];
  for (const t of templates) {
    const bySeparators = new Map<number, number[]>();
    for (const m of t.members) {
      const h = table.separatorHash(m);
      let list = bySeparators.get(h);
      if (list === undefined) bySeparators.set(h, (list = []));
      list.push(m);
    }
    if (bySeparators.size === 1) out.push({ tokens: t.tokens, members: t.members });
    else {
      for (const members of bySeparators.values()) {
        // A wildcard whose values all agree within the part is a constant again.
        const tokens = t.tokens.slice();
        const origin = members[0]!;
        for (let i = 0; i < tokens.length; i++) {
          if (tokens[i] === null && members.every((m) => table.same(m, i, origin, i))) tokens[i] = table.token(origin, i);
        }
        out.push({ tokens, members });
      }
    }
  }
  out.sort((a, b) => a.members[0]! - b.members[0]!);
  return out.map((m, id) => ({ id, tokens: m.tokens, members: m.members }));
}

/** Equal positions / positions that are not values on both sides (as in mining). */
function templateSimilarity(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  let equal = 0;
  let counted = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if ((x === null || hasDigit(x)) && (y === null || hasDigit(y))) continue; // values on both sides
    counted++;
    if (x === y) equal++;
  }
  return counted === 0 ? 0 : equal / counted;
}

function mergeSorted(lists: readonly number[][]): number[] {
  if (lists.length === 1) return lists[0]!;
  const out: number[] = [];
  for (const l of lists) for (const v of l) out.push(v);
  return out.sort((x, y) => x - y);
}
