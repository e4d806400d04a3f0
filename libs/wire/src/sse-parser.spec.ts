import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSseEvent, parseSse, SseParser, type SseEvent } from './sse-parser';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function feed(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...parser.push(c));
  out.push(...parser.end());
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ANTHROPIC_STREAM =
  'event: message_start\n' +
  'data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":10,"output_tokens":1}}}\n\n' +
  'event: ping\ndata: {"type": "ping"}\n\n' +
  ': keep-alive comment\n\n' +
  'event: content_block_delta\n' +
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo 🎉 世界 👩‍👩‍👧"}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';

describe('SseParser', () => {
  it('parses events, data, comments and ping', () => {
    const events = parseSse(enc(ANTHROPIC_STREAM));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'ping', null, 'content_block_delta', 'message_stop']);
    expect(events[2]!.comments).toEqual(['keep-alive comment']);
    expect(events[2]!.data).toBeNull();
    expect(JSON.parse(events[3]!.data!).delta.text).toBe('héllo 🎉 世界 👩‍👩‍👧');
    expect(events.every((e) => e.complete)).toBe(true);
  });

  it('splits multibyte UTF-8 correctly at every byte boundary, and raw bytes add up to the input', () => {
    const input = enc(ANTHROPIC_STREAM);
    const expected = parseSse(input).map((e) => [e.event, e.data, e.comments]);
    for (let cut = 0; cut <= input.length; cut++) {
      const events = feed([input.subarray(0, cut), input.subarray(cut)]);
      expect(events.map((e) => [e.event, e.data, e.comments])).toEqual(expected);
      expect(dec(concat(events.map((e) => e.raw)))).toBe(ANTHROPIC_STREAM);
    }
  });

  it('survives byte-at-a-time delivery of CJK and emoji', () => {
    const text = 'data: {"t":"日本語のテキスト🎌✨ and 中文"}\r\n\r\n';
    const bytes = enc(text);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    const events = feed(chunks);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data!).t).toBe('日本語のテキスト🎌✨ and 中文');
    expect(dec(events[0]!.raw)).toBe(text);
  });

  it('handles LF, CRLF and CR line ends, including a CR at a chunk end', () => {
    const lf = parseSse(enc('data: a\ndata: b\n\n'));
    const crlf = parseSse(enc('data: a\r\ndata: b\r\n\r\n'));
    const cr = parseSse(enc('data: a\rdata: b\r\r'));
    for (const events of [lf, crlf, cr]) {
      expect(events.map((e) => e.data)).toEqual(['a\nb']);
    }
    // "\r" then "\n" in the next chunk is one line end, not two
    const split = feed([enc('data: a\r'), enc('\n\r'), enc('\ndata: b\n\n')]);
    expect(split.map((e) => e.data)).toEqual(['a', 'b']);
    expect(dec(concat(split.map((e) => e.raw)))).toBe('data: a\r\n\r\ndata: b\n\n');
  });

  it('reports an incomplete trailing event at the end', () => {
    const events = feed([enc('event: message_delta\ndata: {"a":1}\n\nevent: message_stop\ndata: {"type":"mess')]);
    expect(events).toHaveLength(2);
    expect(events[0]!.complete).toBe(true);
    expect(events[1]).toMatchObject({ complete: false, event: 'message_stop', data: '{"type":"mess' });
    const parser = new SseParser();
    parser.push(enc('data: x\n\n'));
    expect(parser.end()).toEqual([]);
    expect(parser.idle).toBe(true);
  });

  it('follows the field rules: no space, empty data, id, retry, unknown fields, BOM', () => {
    const events = parseSse(enc('\uFEFFdata:x\nid: 7\nretry: 1500\nfoo: bar\nevent:e\n\ndata\n\ndata:\ndata:\n\n'));
    expect(events.map((e) => [e.event, e.data, e.id, e.retry])).toEqual([
      ['e', 'x', '7', 1500],
      [null, '', null, null],
      [null, '\n', null, null],
    ]);
  });

  it('never retains the caller’s chunk (reused buffers do not corrupt parsing)', () => {
    const parser = new SseParser();
    const chunk = enc('data: hel');
    parser.push(chunk);
    chunk.fill(0x21);
    expect(parser.push(enc('lo\n\n'))[0]!.data).toBe('hello');
  });

  it('round-trips arbitrary chunkings of formatted events (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.option(fc.constantFrom('a', 'message_delta'))), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (evts, cuts) => {
          const text = evts.map(([d, e]) => formatSseEvent(d, e ?? undefined)).join('');
          const bytes = enc(text);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(bytes.subarray(prev, p));
            prev = p;
          }
          chunks.push(bytes.subarray(prev));
          const events = feed(chunks);
          expect(events.map((e) => e.data)).toEqual(evts.map(([d]) => d.replace(/\r\n|\r/g, '\n')));
          expect(events.map((e) => e.event)).toEqual(evts.map(([, e]) => e ?? null));
          expect(dec(concat(events.map((e) => e.raw)))).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
