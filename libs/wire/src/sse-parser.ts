/**
 * An incremental Server-Sent Events parser (WHATWG "event stream interpretation") that keeps the exact
 * bytes of every block, so a relay can forward (or drop) whole events byte-for-byte.
 *
 * - Feed arbitrary `Uint8Array` chunks; lines are decoded only once complete, so a multibyte UTF-8
 *   character split across chunks is never mangled.
 * - Line ends: LF, CRLF or CR (a CR at the end of a chunk waits for the next byte).
 * - Every block terminated by a blank line is reported, including comment-only blocks (`: ping`) and empty
 *   ones, so the concatenated `raw` of everything reported (plus `end()`) equals the input.
 * - `end()` reports an unterminated trailing block with `complete: false`.
 */

export interface SseEvent {
  /** The `event:` field, or null when absent (OpenAI chat streams send none). */
  readonly event: string | null;
  /** The `data:` lines joined with "\n", or null when the block had no data field. */
  readonly data: string | null;
  readonly id: string | null;
  readonly retry: number | null;
  /** Comment lines (after the leading ':'), e.g. `[" ping"]` → `["ping"]` with one leading space dropped. */
  readonly comments: readonly string[];
  /** The exact bytes of this block, including its terminating blank line. */
  readonly raw: Uint8Array;
  /** False only for a trailing block without its blank line, reported by `end()`. */
  readonly complete: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);

interface BlockState {
  event: string | null;
  data: string[] | null;
  id: string | null;
  retry: number | null;
  comments: string[];
}

function newBlock(): BlockState {
  return { event: null, data: null, id: null, retry: null, comments: [] };
}

export class SseParser {
  private buf: Uint8Array = EMPTY;
  /** Where the current (undispatched) block starts in `buf`: always 0 between pushes. */
  private blockStart = 0;
  /** Where unparsed bytes start in `buf`. */
  private pos = 0;
  private block: BlockState = newBlock();
  private first = true;
  private ended = false;
  private readonly decoder = new TextDecoder('utf-8');

  /** Parses a chunk; returns the blocks it completed, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    if (this.ended) throw new Error('SseParser: push after end');
    if (chunk.length === 0) return [];
    if (this.buf.length === 0) {
      this.buf = chunk;
    } else {
      const merged = new Uint8Array(this.buf.length + chunk.length);
      merged.set(this.buf, 0);
      merged.set(chunk, this.buf.length);
      this.buf = merged;
    }
    const out: SseEvent[] = [];
    this.parse(out, false);
    this.compact(chunk);
    return out;
  }

  /**
   * Ends the stream and returns what is left: a block whose final line end was still ambiguous (a lone CR),
   * then the unterminated trailing block (`complete: false`) if any bytes remain. Usually empty.
   */
  end(): SseEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out: SseEvent[] = [];
    this.parse(out, true);
    if (this.pos < this.buf.length) {
      this.line(this.buf.subarray(this.pos));
      this.pos = this.buf.length;
    }
    if (this.blockStart < this.buf.length) out.push(this.emit(this.buf.length, false));
    this.buf = EMPTY;
    return out;
  }

  /** Whether no partial block is buffered. */
  get idle(): boolean {
    return this.buf.length === 0;
  }

  private parse(out: SseEvent[], final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    if (this.first) {
      if (len - pos < 3 && !final && buf[pos] === 0xef) return; // maybe a BOM split across chunks
      if (buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) pos += 3;
      this.first = false;
    }
    while (pos < len) {
      let i = pos;
      let ascii = true;
      while (i < len) {
        const c = buf[i]!;
        if (c === LF || c === CR) break;
        if (c >= 0x80) ascii = false;
        i++;
      }
      if (i >= len) break; // incomplete line
      let next = i + 1;
      if (buf[i] === CR) {
        if (i + 1 >= len && !final) break; // CR at chunk end: wait to see whether LF follows
        if (buf[i + 1] === LF) next = i + 2;
      }
      if (i === pos) {
        pos = next;
        this.pos = pos;
        out.push(this.emit(pos, true));
      } else {
        this.line(buf.subarray(pos, i), ascii);
        pos = next;
      }
    }
    this.pos = pos;
  }

  private line(bytes: Uint8Array, ascii = false): void {
    // Short ASCII lines (the common case) skip TextDecoder's per-call overhead.
    const text =
      ascii && bytes.length <= 2048
        ? String.fromCharCode.apply(null, bytes as unknown as number[])
        : this.decoder.decode(bytes);
    if (text.length === 0) return;
    const block = this.block;
    if (text.charCodeAt(0) === 0x3a /* : */) {
      block.comments.push(text.charCodeAt(1) === 0x20 ? text.slice(2) : text.slice(1));
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case 'event':
        block.event = value;
        break;
      case 'data':
        (block.data ??= []).push(value);
        break;
      case 'id':
        if (!value.includes('\0')) block.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) block.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  /** Reports the current block ending at `end` (exclusive) and starts a new one. */
  private emit(end: number, complete: boolean): SseEvent {
    const b = this.block;
    const raw = this.buf.subarray(this.blockStart, end);
    this.blockStart = end;
    this.block = newBlock();
    return {
      event: b.event,
      data: b.data === null ? null : b.data.join('\n'),
      id: b.id,
      retry: b.retry,
      comments: b.comments,
      raw,
      complete,
    };
  }

  /** Drops dispatched bytes so `buf` starts at the current block; never retains the caller's chunk. */
  private compact(chunk: Uint8Array): void {
    if (this.blockStart >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    } else if (this.blockStart > 0 || this.buf === chunk) {
      this.buf = this.buf.slice(this.blockStart);
      this.pos -= this.blockStart;
    }
    this.blockStart = 0;
  }
}

/** Parses a whole SSE body at once (tests, non-streaming fallbacks). Includes a trailing partial block. */
export function parseSse(body: Uint8Array): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(body), ...parser.end()];
}

/** Encodes one SSE event (`event:` line when given, one `data:` line per line of data, blank line). */
export function formatSseEvent(data: string, event?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`);
  return `${event === undefined ? '' : `event: ${event}\n`}${lines.join('')}\n`;
}
