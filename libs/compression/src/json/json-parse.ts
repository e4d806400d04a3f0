/**
 * A strict JSON parser that keeps what `JSON.parse` loses: number text (big integers stay exact), key
 * order and duplicate keys. Iterative (an explicit stack), so 10k-deep input cannot overflow the call
 * stack; nesting deeper than `maxDepth` is reported instead of parsed, and callers fall back.
 */

/** A JSON number kept as its source text, so `12345678901234567890` is written back exactly. */
export class JsonNumber {
  constructor(readonly raw: string) {}
  get value(): number {
    return Number(this.raw);
  }
}

/** A JSON object as parallel key / value lists: order and duplicate keys survive. */
export class JsonObject {
  /** Set by the sub-tree index that last indexed this object (a cache; see SubtreeIndex.idOf). */
  indexedBy: object | null = null;
  indexId = -1;

  constructor(
    readonly keys: string[],
    readonly values: JsonNode[],
  ) {}
}

export type JsonNode = string | boolean | null | JsonNumber | JsonObject | JsonNode[];

export type ParseOutcome =
  | { readonly ok: true; readonly value: JsonNode; readonly maxDepth: number }
  | { readonly ok: false; readonly reason: 'invalid' | 'too-deep' };

/** Nesting deeper than this is not parsed into a tree (the encoders recurse; 256 levels is safe). */
export const MAX_TREE_DEPTH = 256;

const SPECIAL_RE = /[\u0000-\u001f\\]/;

const FAIL = Symbol('fail');
const OPEN = Symbol('open');
const DEEP = Symbol('deep');

/** Parse one JSON text (surrounding whitespace allowed). Never throws. */
export function parseJson(text: string, maxDepth = MAX_TREE_DEPTH): ParseOutcome {
  try {
    return new Parser(text, maxDepth).parse();
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const INVALID: ParseOutcome = { ok: false, reason: 'invalid' };

/** One parse: an explicit stack of open containers (arrays, or objects with a pending key). */
class Parser {
  private i = 0;
  private readonly n: number;
  private readonly arrays: (JsonNode[] | null)[] = [];
  private readonly objects: (JsonObject | null)[] = [];
  private readonly pendingKeys: (string | null)[] = [];
  private depth = 0;
  private deepest = 0;
  private root: JsonNode | undefined = undefined;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    this.n = text.length;
  }

  parse(): ParseOutcome {
    const text = this.text;
    this.skipWs();
    if (this.i >= this.n) return INVALID;
    let v = this.readValue();
    for (;;) {
      if (v === FAIL) return INVALID;
      if (v === DEEP) return { ok: false, reason: 'too-deep' };
      if (v !== OPEN) this.attach(v);
      if (this.root !== undefined) break;
      // Inside a container: close it, or read the next element / member.
      this.skipWs();
      if (this.i >= this.n) return INVALID;
      const top = this.depth - 1;
      const c = text.charCodeAt(this.i);
      const array = this.arrays[top];
      if (array) {
        if (c === 93) {
          this.i++;
          this.depth--;
          v = array;
          continue;
        }
        if (array.length > 0) {
          if (c !== 44) return INVALID;
          this.i++;
          this.skipWs();
        }
        v = this.readValue();
        continue;
      }
      const obj = this.objects[top]!;
      if (c === 125) {
        this.i++;
        this.depth--;
        v = obj;
        continue;
      }
      if (obj.keys.length > 0) {
        if (c !== 44) return INVALID;
        this.i++;
        this.skipWs();
      }
      if (text.charCodeAt(this.i) !== 34) return INVALID;
      const key = this.readString();
      if (key === FAIL) return INVALID;
      this.skipWs();
      if (text.charCodeAt(this.i) !== 58) return INVALID;
      this.i++;
      this.skipWs();
      if (this.i >= this.n) return INVALID;
      this.pendingKeys[top] = key;
      v = this.readValue();
    }
    this.skipWs();
    if (this.i !== this.n || this.root === undefined) return INVALID;
    return { ok: true, value: this.root, maxDepth: this.deepest };
  }

  private skipWs(): void {
    const text = this.text;
    let i = this.i;
    while (i < this.n && isWs(text.charCodeAt(i))) i++;
    this.i = i;
  }

  /** Attach a finished value to the innermost open container, or make it the root. */
  private attach(value: JsonNode): void {
    const top = this.depth - 1;
    if (top < 0) {
      this.root = value;
      return;
    }
    const array = this.arrays[top];
    if (array) {
      array.push(value);
      return;
    }
    const obj = this.objects[top]!;
    obj.keys.push(this.pendingKeys[top]!);
    obj.values.push(value);
  }

  private readString(): string | typeof FAIL {
    // text[i] === '"'
    const text = this.text;
    const start = this.i + 1;
    let j = text.indexOf('"', start);
    if (j === -1) return FAIL;
    const simple = text.slice(start, j);
    // Fast path: no escapes and no raw control characters (which are invalid JSON).
    if (!SPECIAL_RE.test(simple)) {
      this.i = j + 1;
      return simple;
    }
    const backslash = simple.indexOf('\\');
    if (backslash === -1) return FAIL;
    j = start + backslash;
    while (j < this.n) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      j += c === 92 ? 2 : 1;
    }
    if (j >= this.n) return FAIL;
    this.i = j + 1;
    const decoded: unknown = JSON.parse(text.slice(start - 1, j + 1));
    return typeof decoded === 'string' ? decoded : FAIL;
  }

  /** Read a value; a container is opened (pushed) and yields OPEN. */
  private readValue(): JsonNode | typeof FAIL | typeof OPEN | typeof DEEP {
    const text = this.text;
    const i = this.i;
    const c = text.charCodeAt(i);
    if (c === 34) return this.readString();
    if (c === 123 || c === 91) {
      if (this.depth >= this.maxDepth) return DEEP;
      this.i = i + 1;
      const d = this.depth++;
      if (c === 123) {
        this.arrays[d] = null;
        this.objects[d] = new JsonObject([], []);
      } else {
        this.arrays[d] = [];
        this.objects[d] = null;
      }
      if (this.depth > this.deepest) this.deepest = this.depth;
      return OPEN;
    }
    if (c === 116 && text.startsWith('true', i)) {
      this.i = i + 4;
      return true;
    }
    if (c === 102 && text.startsWith('false', i)) {
      this.i = i + 5;
      return false;
    }
    if (c === 110 && text.startsWith('null', i)) {
      this.i = i + 4;
      return null;
    }
    return this.readNumber();
  }

  /** `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`, kept as text. */
  private readNumber(): JsonNumber | typeof FAIL {
    const text = this.text;
    const n = this.n;
    const start = this.i;
    let j = start;
    if (text.charCodeAt(j) === 45) j++;
    const first = text.charCodeAt(j);
    if (first === 48) j++;
    else if (first >= 49 && first <= 57) {
      j++;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    } else return FAIL;
    if (text.charCodeAt(j) === 46) {
      j++;
      if (!isDigit(text.charCodeAt(j))) return FAIL;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
    const e = text.charCodeAt(j);
    if (e === 101 || e === 69) {
      j++;
      const sign = text.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      if (!isDigit(text.charCodeAt(j))) return FAIL;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
    this.i = j;
    return new JsonNumber(text.slice(start, j));
  }
}

/**
 * Remove insignificant whitespace from a JSON text without parsing it into a tree (so any depth is fine).
 * The caller must know the text is valid JSON; strings are copied byte for byte.
 */
export function minifyJsonText(text: string): string {
  let out = '';
  const n = text.length;
  let i = 0;
  let runStart = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Jump to the closing quote: the first one not preceded by an odd number of backslashes.
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return out + text.slice(runStart);
        let backslashes = 0;
        for (let b = q - 1; text.charCodeAt(b) === 92; b--) backslashes++;
        i = q + 1;
        if (backslashes % 2 === 0) break;
      }
      continue;
    }
    if (isWs(c)) {
      if (i > runStart) out += text.slice(runStart, i);
      i++;
      while (i < n && isWs(text.charCodeAt(i))) i++;
      runStart = i;
      continue;
    }
    i++;
  }
  return runStart < n ? out + text.slice(runStart) : out;
}
