import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ResponseTap } from './response-tap';

const sse = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const stream = [
  sse('message_start', { type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 0, output_tokens: 0 } } }),
  sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '😀 漢字' } }),
  sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 12, output_tokens: 7 } }),
  sse('message_stop', { type: 'message_stop' }),
].join('');

describe('ResponseTap', () => {
  it('reads an event stream fed byte by byte (multibyte characters split) as it arrives', () => {
    const tap = new ResponseTap('anthropic', 'text/event-stream; charset=utf-8', undefined);
    expect(tap.incremental).toBe(true);
    const bytes = Buffer.from(stream);
    let events = 0;
    for (let i = 0; i < bytes.length; i++) events += tap.push(bytes.subarray(i, i + 1)).length;
    tap.end();
    expect(events).toBe(4);
    const summary = tap.finish()!;
    expect(summary.outcome).toBe('complete');
    expect(summary.usage).toMatchObject({ inputTokens: 12, outputTokens: 7 });
  });

  it('decodes a gzip JSON body and a brotli event stream for the tap only', () => {
    const json = new ResponseTap('openai-chat', 'application/json', 'gzip');
    const body = gzipSync(JSON.stringify({ model: 'gpt-4o', choices: [], usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 64 } } }));
    json.push(body.subarray(0, 10));
    json.push(body.subarray(10));
    expect(json.finish()!.usage).toMatchObject({ inputTokens: 36, cacheReadTokens: 64, outputTokens: 5 });

    const br = new ResponseTap('anthropic', 'text/event-stream', 'br');
    expect(br.incremental).toBe(false);
    br.push(brotliCompressSync(Buffer.from(stream)));
    expect(br.finish()!.usage).toMatchObject({ inputTokens: 12, outputTokens: 7 });
  });

  it('reports a stream without its terminal event as truncated, and unreadable bodies as unknown', () => {
    const tap = new ResponseTap('anthropic', 'text/event-stream', undefined);
    tap.push(Buffer.from(stream.slice(0, stream.indexOf('event: message_stop'))));
    tap.end();
    expect(tap.finish()!.outcome).toBe('truncated');
    const text = new ResponseTap('anthropic', 'text/plain', undefined);
    text.push(Buffer.from('not json'));
    expect(text.finish()).toBeNull();
    const unknownEncoding = new ResponseTap('anthropic', 'application/json', 'compress');
    unknownEncoding.push(Buffer.from('x'));
    expect(unknownEncoding.finish()).toBeNull();
  });
});
