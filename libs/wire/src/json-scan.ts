/**
 * A byte-level JSON scanner. It validates a raw body (RFC 8259) and returns a tree of *spans*: for every
 * value its byte range `[start, end)` in the original buffer, for every object member its decoded key and
 * the key's byte range. Nothing is re-serialised: edits are made by splicing bytes (`splice.ts`), so every
 * byte outside an edited value stays identical (invariant I1).
 *
 * - Iterative (an explicit stack): nesting depth is bounded only by memory, never by the call stack.
 * - Duplicate keys are kept in order; `findMember` returns the last one (what `JSON.parse` keeps).
 * - Bytes ≥ 0x80 inside strings are not validated as UTF-8 here (use `isWellFormedUtf8` for that).
 */
import { isUtf8 } from 'node:buffer';
import { JsonScanError } from './errors';

export interface JsonObjectSpan {
  readonly kind: 'object';
  readonly start: number;
  end: number;
  readonly entries: JsonEntrySpan[];
}

export interface JsonArraySpan {
  readonly kind: 'array';
  readonly start: number;
  end: number;
  readonly items: JsonSpan[];
}

export interface JsonStringSpan {
  readonly kind: 'string';
  /** Offset of the opening quote. */
  readonly start: number;
  /** Offset just past the closing quote. */
  readonly end: number;
  /** Whether the string holds backslash escapes (decoding then needs `JSON.parse`). */
  readonly escaped: boolean;
}

export interface JsonNumberSpan {
  readonly kind: 'number';
  readonly start: number;
  readonly end: number;
}

export interface JsonLiteralSpan {
  readonly kind: 'true' | 'false' | 'null';
  readonly start: number;
  readonly end: number;
}

export type JsonSpan = JsonObjectSpan | JsonArraySpan | JsonStringSpan | JsonNumberSpan | JsonLiteralSpan;

export interface JsonEntrySpan {
  /** The decoded key. */
  readonly key: string;
  /** Offset of the key's opening quote. */
  readonly keyStart: number;
  /** Offset just past the key's closing quote. */
  readonly keyEnd: number;
  readonly value: JsonSpan;
}

export type JsonPath = readonly (string | number)[];

export interface ScanOptions {
  /** Reject documents nested deeper than this (default: unlimited). */
  readonly maxDepth?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

interface Frame {
  readonly span: JsonObjectSpan | JsonArraySpan;
  key: string;
  keyStart: number;
  keyEnd: number;
}

function skipWs(raw: Uint8Array, pos: number): number {
  const len = raw.length;
  while (pos < len) {
    const c = raw[pos]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function fail(offset: number, reason: string): never {
  throw new JsonScanError(offset, reason);
}

function describe(raw: Uint8Array, pos: number): string {
  if (pos >= raw.length) return 'unexpected end of input';
  const c = raw[pos]!;
  return c >= 0x20 && c < 0x7f ? `unexpected '${String.fromCharCode(c)}'` : `unexpected byte 0x${c.toString(16)}`;
}

/** Bytes that end the fast path of a string scan: control characters, quote, backslash. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** Scans a string starting at the opening quote; returns the end (past the closing quote) and escape flag. */
function scanString(raw: Uint8Array, start: number): JsonStringSpan {
  const len = raw.length;
  let pos = start + 1;
  let escaped = false;
  for (;;) {
    while (pos < len && STRING_STOP[raw[pos]!] === 0) pos++;
    if (pos >= len) break;
    const c = raw[pos]!;
    if (c === QUOTE) return { kind: 'string', start, end: pos + 1, escaped };
    if (c !== BACKSLASH) fail(pos, 'control character in string');
    escaped = true;
    const e = raw[pos + 1];
    if (e === undefined) break;
    if (e === 0x75 /* u */) {
      for (let k = 2; k < 6; k++) {
        const h = raw[pos + k];
        if (h === undefined) fail(len, 'unexpected end of input in \\u escape');
        if (!isHex(h)) fail(pos + k, 'invalid \\u escape');
      }
      pos += 6;
      continue;
    }
    if (
      e !== QUOTE &&
      e !== BACKSLASH &&
      e !== 0x2f /* / */ &&
      e !== 0x62 /* b */ &&
      e !== 0x66 /* f */ &&
      e !== 0x6e /* n */ &&
      e !== 0x72 /* r */ &&
      e !== 0x74 /* t */
    ) {
      fail(pos + 1, 'invalid escape');
    }
    pos += 2;
  }
  return fail(len, 'unterminated string');
}

function scanNumber(raw: Uint8Array, start: number): JsonNumberSpan {
  let pos = start;
  if (raw[pos] === MINUS) pos++;
  const first = raw[pos];
  if (first === ZERO) {
    pos++;
  } else if (first !== undefined && first > ZERO && first <= NINE) {
    while (pos < raw.length && raw[pos]! >= ZERO && raw[pos]! <= NINE) pos++;
  } else {
    fail(pos, first === undefined ? 'unexpected end of input in number' : 'invalid number');
  }
  if (raw[pos] === DOT) {
    pos++;
    const d = raw[pos];
    if (d === undefined || d < ZERO || d > NINE) fail(pos, 'invalid number: digit expected after "."');
    while (pos < raw.length && raw[pos]! >= ZERO && raw[pos]! <= NINE) pos++;
  }
  const e = raw[pos];
  if (e === 0x65 || e === 0x45) {
    pos++;
    if (raw[pos] === PLUS || raw[pos] === MINUS) pos++;
    const d = raw[pos];
    if (d === undefined || d < ZERO || d > NINE) fail(pos, 'invalid number: digit expected in exponent');
    while (pos < raw.length && raw[pos]! >= ZERO && raw[pos]! <= NINE) pos++;
  }
  return { kind: 'number', start, end: pos };
}

function scanLiteral(raw: Uint8Array, start: number, word: 'true' | 'false' | 'null'): JsonLiteralSpan {
  for (let k = 0; k < word.length; k++) {
    if (raw[start + k] !== word.charCodeAt(k)) fail(start + k, describe(raw, start + k));
  }
  return { kind: word, start, end: start + word.length };
}

const decoder = new TextDecoder('utf-8');

/** Decodes a string span to its JS string value. */
export function decodeString(raw: Uint8Array, span: JsonStringSpan): string {
  if (!span.escaped) return decoder.decode(raw.subarray(span.start + 1, span.end - 1));
  return JSON.parse(decoder.decode(raw.subarray(span.start, span.end))) as string;
}

/** Decodes any span to its value with `JSON.parse` semantics (last duplicate key wins). */
export function decodeJson(raw: Uint8Array, span: JsonSpan): unknown {
  switch (span.kind) {
    case 'string':
      return decodeString(raw, span);
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    default:
      return JSON.parse(decoder.decode(raw.subarray(span.start, span.end))) as unknown;
  }
}

/** The exact source text of a span (its bytes decoded as UTF-8). */
export function spanText(raw: Uint8Array, span: { readonly start: number; readonly end: number }): string {
  return decoder.decode(raw.subarray(span.start, span.end));
}

function readKey(raw: Uint8Array, pos: number, frame: Frame): number {
  if (raw[pos] !== QUOTE) fail(pos, raw[pos] === undefined ? 'unexpected end of input' : 'object key expected');
  const k = scanString(raw, pos);
  frame.key = decodeString(raw, k);
  frame.keyStart = k.start;
  frame.keyEnd = k.end;
  pos = skipWs(raw, k.end);
  if (raw[pos] !== COLON) fail(pos, raw[pos] === undefined ? 'unexpected end of input' : "':' expected");
  return pos + 1;
}

/**
 * Scans and validates a whole JSON document. Throws `JsonScanError` (code `WIRE_BAD_JSON`, byte `offset`)
 * on invalid input, including trailing garbage.
 */
export function scanJson(raw: Uint8Array, options: ScanOptions = {}): JsonSpan {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const len = raw.length;
  const stack: Frame[] = [];
  let pos = 0;

  for (;;) {
    // Parse one value at `pos` (after whitespace); containers push a frame and continue with their first child.
    pos = skipWs(raw, pos);
    const c = raw[pos];
    let value: JsonSpan;
    if (c === LBRACE) {
      const span: JsonObjectSpan = { kind: 'object', start: pos, end: -1, entries: [] };
      pos = skipWs(raw, pos + 1);
      if (raw[pos] === RBRACE) {
        span.end = pos + 1;
        pos = span.end;
        value = span;
      } else {
        if (stack.length >= maxDepth) fail(span.start, 'nesting too deep');
        const frame: Frame = { span, key: '', keyStart: -1, keyEnd: -1 };
        stack.push(frame);
        pos = readKey(raw, pos, frame);
        continue;
      }
    } else if (c === LBRACKET) {
      const span: JsonArraySpan = { kind: 'array', start: pos, end: -1, items: [] };
      pos = skipWs(raw, pos + 1);
      if (raw[pos] === RBRACKET) {
        span.end = pos + 1;
        pos = span.end;
        value = span;
      } else {
        if (stack.length >= maxDepth) fail(span.start, 'nesting too deep');
        stack.push({ span, key: '', keyStart: -1, keyEnd: -1 });
        continue;
      }
    } else if (c === QUOTE) {
      value = scanString(raw, pos);
      pos = value.end;
    } else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
      value = scanNumber(raw, pos);
      pos = value.end;
    } else if (c === 0x74) {
      value = scanLiteral(raw, pos, 'true');
      pos = value.end;
    } else if (c === 0x66) {
      value = scanLiteral(raw, pos, 'false');
      pos = value.end;
    } else if (c === 0x6e) {
      value = scanLiteral(raw, pos, 'null');
      pos = value.end;
    } else {
      return fail(pos, c === undefined ? 'unexpected end of input' : describe(raw, pos));
    }

    // Attach the completed value to its parent; close every container that ends here.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) {
        pos = skipWs(raw, pos);
        if (pos !== len) fail(pos, 'unexpected data after the JSON value');
        return value;
      }
      const parent = frame.span;
      if (parent.kind === 'object') {
        parent.entries.push({ key: frame.key, keyStart: frame.keyStart, keyEnd: frame.keyEnd, value });
      } else {
        parent.items.push(value);
      }
      pos = skipWs(raw, pos);
      const d = raw[pos];
      if (d === COMMA) {
        pos++;
        if (parent.kind === 'object') pos = readKey(raw, skipWs(raw, pos), frame);
        break;
      }
      if ((parent.kind === 'object' && d === RBRACE) || (parent.kind === 'array' && d === RBRACKET)) {
        parent.end = pos + 1;
        pos = parent.end;
        stack.pop();
        value = parent;
        continue;
      }
      fail(pos, d === undefined ? 'unexpected end of input' : parent.kind === 'object' ? "',' or '}' expected" : "',' or ']' expected");
    }
  }
}

/** The value of the last member named `key` (what `JSON.parse` keeps), or null. */
export function findMember(span: JsonSpan | null | undefined, key: string): JsonSpan | null {
  if (!span || span.kind !== 'object') return null;
  const entries = span.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.key === key) return e.value;
  }
  return null;
}

/** The last entry named `key`, or null. */
export function findEntry(span: JsonSpan | null | undefined, key: string): JsonEntrySpan | null {
  if (!span || span.kind !== 'object') return null;
  for (let i = span.entries.length - 1; i >= 0; i--) {
    const e = span.entries[i]!;
    if (e.key === key) return e;
  }
  return null;
}

/** The decoded string value of member `key`, or null when absent or not a string. */
export function findStringMember(raw: Uint8Array, span: JsonSpan | null | undefined, key: string): string | null {
  const v = findMember(span, key);
  return v && v.kind === 'string' ? decodeString(raw, v) : null;
}

/** The span at a path of keys / indices, or null. */
export function findPath(root: JsonSpan, path: JsonPath): JsonSpan | null {
  let cur: JsonSpan | null = root;
  for (const step of path) {
    if (cur === null) return null;
    if (typeof step === 'number') cur = cur.kind === 'array' ? (cur.items[step] ?? null) : null;
    else cur = findMember(cur, step);
  }
  return cur;
}

export function isObjectSpan(span: JsonSpan | null | undefined): span is JsonObjectSpan {
  return span?.kind === 'object';
}

export function isArraySpan(span: JsonSpan | null | undefined): span is JsonArraySpan {
  return span?.kind === 'array';
}

export function isStringSpan(span: JsonSpan | null | undefined): span is JsonStringSpan {
  return span?.kind === 'string';
}

export interface WalkEntry {
  readonly path: JsonPath;
  readonly span: JsonSpan;
  /** The member entry when the value is an object member (key and key offsets). */
  readonly entry: JsonEntrySpan | null;
}

/** Every value of a span tree in document order (pre-order), with its path. Iterative. */
export function* walkJson(root: JsonSpan): Generator<WalkEntry> {
  const stack: WalkEntry[] = [{ path: [], span: root, entry: null }];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    yield cur;
    const s = cur.span;
    if (s.kind === 'object') {
      for (let i = s.entries.length - 1; i >= 0; i--) {
        const e = s.entries[i]!;
        stack.push({ path: [...cur.path, e.key], span: e.value, entry: e });
      }
    } else if (s.kind === 'array') {
      for (let i = s.items.length - 1; i >= 0; i--) {
        stack.push({ path: [...cur.path, i], span: s.items[i]!, entry: null });
      }
    }
  }
}

/** Whether the bytes are well-formed UTF-8 (native check; no overlongs, surrogates or truncated sequences). */
export function isWellFormedUtf8(raw: Uint8Array): boolean {
  return isUtf8(raw);
}
