import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import {
  AnthropicStreamTap,
  OpenAiChatStreamTap,
  OpenAiResponsesStreamTap,
  parseSse,
  SseParser,
  summarizeAnthropicResponse,
  summarizeOpenAiChatResponse,
  summarizeOpenAiResponsesResponse,
} from '@leeway/wire';
import type { ResponseSummary, SseEvent, StreamTap } from '@leeway/wire';

/** Which provider format a response is read as. */
export type TapKind = 'anthropic' | 'openai-chat' | 'openai-responses';

/** Most bytes of a response copied for reading usage (the relayed bytes are never limited). */
const MAX_TAPPED_BYTES = 32 * 1024 * 1024;

function streamTapFor(kind: TapKind): StreamTap {
  switch (kind) {
    case 'anthropic':
      return new AnthropicStreamTap();
    case 'openai-chat':
      return new OpenAiChatStreamTap();
    case 'openai-responses':
      return new OpenAiResponsesStreamTap();
  }
}

function summarizeBody(kind: TapKind, body: unknown): ResponseSummary {
  switch (kind) {
    case 'anthropic':
      return summarizeAnthropicResponse(body);
    case 'openai-chat':
      return summarizeOpenAiChatResponse(body);
    case 'openai-responses':
      return summarizeOpenAiResponsesResponse(body);
  }
}

type Decoder = (input: Buffer) => Buffer;

function decoderFor(encoding: string): Decoder | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync;
    case 'deflate':
      return inflateSync;
    case 'br':
      return brotliDecompressSync;
    case 'zstd': {
      // Node ≥ 22.15 has zstd; on Node 20 usage of a zstd response stays unknown (I8).
      const zstd = (zlib as unknown as { zstdDecompressSync?: Decoder }).zstdDecompressSync;
      return zstd ?? null;
    }
    default:
      return null;
  }
}

/**
 * Reads usage and outcome off a copy of the response, never touching the relayed bytes.
 *
 * - `text/event-stream` (whatever the request asked for): an incremental SSE parse feeding the provider's
 *   stream tap; multibyte characters split across chunks are reassembled by the parser.
 * - JSON: the body is collected (up to a bound) and summarised at the end.
 * - A content-encoded body is collected and decoded at the end (identity is the common case).
 */
export class ResponseTap {
  private readonly sse: boolean;
  private readonly decoder: Decoder | null;
  private readonly encoded: boolean;
  private readonly parser: SseParser | null;
  private readonly streamTap: StreamTap | null;
  private chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(
    private readonly kind: TapKind,
    contentType: string | undefined,
    contentEncoding: string | undefined,
  ) {
    this.sse = (contentType ?? '').toLowerCase().includes('text/event-stream');
    const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
    this.encoded = encoding !== 'identity' && encoding !== '';
    this.decoder = this.encoded ? decoderFor(encoding) : null;
    this.parser = this.sse && !this.encoded ? new SseParser() : null;
    this.streamTap = this.sse ? streamTapFor(kind) : null;
  }

  /** Whether events can be seen as they arrive (identity-encoded SSE). */
  get incremental(): boolean {
    return this.parser !== null;
  }

  /** Feed a relayed chunk; returns the completed SSE events (for relays that filter events). */
  push(chunk: Buffer): SseEvent[] {
    if (this.parser && this.streamTap) {
      const events = this.parser.push(chunk);
      for (const event of events) this.streamTap.push(event);
      return events;
    }
    if (this.overflow) return [];
    this.size += chunk.length;
    if (this.size > MAX_TAPPED_BYTES) {
      this.overflow = true;
      this.chunks = [];
      return [];
    }
    this.chunks.push(chunk);
    return [];
  }

  /** Events left in the parser at the end of the stream (a trailing block without its blank line). */
  end(): SseEvent[] {
    if (!this.parser || !this.streamTap) return [];
    const events = this.parser.end();
    for (const event of events) this.streamTap.push(event);
    return events;
  }

  /** The summary, or null when the body could not be read (too large, unknown encoding, not JSON). */
  finish(): ResponseSummary | null {
    if (this.parser && this.streamTap) return this.streamTap.finish();
    if (this.overflow) return null;
    let body: Buffer = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    if (this.encoded) {
      if (!this.decoder) return null;
      try {
        body = this.decoder(body);
      } catch {
        return null;
      }
    }
    if (this.sse && this.streamTap) {
      for (const event of parseSse(body)) this.streamTap.push(event);
      return this.streamTap.finish();
    }
    if (body.length === 0) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return null;
    }
    return summarizeBody(this.kind, parsed);
  }
}
