// Cases that broke other proxies (issue 3, "Cases from the field"), plus Leeway's own error answers.
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { MemoryCcrStore, MemoryPrefixStateStore } from '@leeway/state';
import type { StateStores } from '@leeway/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, jsonRows, OPENAI_HEADERS, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

const MESSAGE = (content: unknown = 'hi', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content }], ...extra });

describe('field cases', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      upstreamOptions: { tokenizer: 'approximate' },
      env: { LEEWAY_ANTHROPIC_BETA_FLAGS: 'leeway-cache-2025,fine-grained-tool-streaming-2025-05-14' },
    });
  });
  afterAll(() => h.close());

  it('anthropic-beta: Leeway merges its flags — client order kept, duplicates dropped, nothing overwritten', async () => {
    await postRaw(`${h.url}/v1/messages`, MESSAGE(), {
      ...ANTHROPIC_HEADERS,
      'anthropic-beta': 'interleaved-thinking-2025-05-14, fine-grained-tool-streaming-2025-05-14,context-1m-2025-08-07',
    });
    expect(h.upstream.requests.at(-1)!.headers['anthropic-beta']).toBe(
      'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,context-1m-2025-08-07,leeway-cache-2025',
    );
    await postRaw(`${h.url}/v1/messages`, MESSAGE(), ANTHROPIC_HEADERS);
    expect(h.upstream.requests.at(-1)!.headers['anthropic-beta']).toBe('leeway-cache-2025,fine-grained-tool-streaming-2025-05-14');
  });

  it('headers: request and response headers relayed, hop-by-hop ones dropped, x-leeway-* never sent upstream', async () => {
    h.upstream.script({ text: 'ok', headers: { 'retry-after': '7', 'anthropic-ratelimit-requests-remaining': '99' } });
    const { status, headers } = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      const body = MESSAGE();
      const req = httpRequest(
        `${h.url}/v1/messages`,
        {
          method: 'POST',
          headers: {
            ...ANTHROPIC_HEADERS,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'openai-organization': 'org-1',
            'x-custom-client': 'yes',
            connection: 'keep-alive, x-hop-secret',
            'x-hop-secret': 'do-not-forward',
            'keep-alive': 'timeout=5',
            'proxy-authorization': 'Basic Zm9vOmJhcg==',
            te: 'trailers',
            'x-leeway-key': 'team-secret',
            'x-leeway-session': 'sess-1',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    const sent = h.upstream.requests.at(-1)!.headers;
    expect(sent['anthropic-version']).toBe('2023-06-01');
    expect(sent['x-api-key']).toBe('sk-ant-test');
    expect(sent['openai-organization']).toBe('org-1');
    expect(sent['x-custom-client']).toBe('yes');
    for (const name of ['x-hop-secret', 'keep-alive', 'proxy-authorization', 'te', 'x-leeway-key', 'x-leeway-session']) {
      expect(sent[name]).toBeUndefined();
    }
    expect(headers['retry-after']).toBe('7');
    expect(headers['anthropic-ratelimit-requests-remaining']).toBe('99');
    expect(headers['request-id']).toMatch(/^req_fake_/);
    expect(headers['x-leeway-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.session).toBe('sess-1');
    expect(record.tenant).toMatch(/^k_[0-9a-f]{32}$/);
  });

  it('usage in Anthropic streams is a snapshot: a streamed exchange reports exactly the usage of the same exchange non-streamed', async () => {
    const ask = (stream: boolean) =>
      postRaw(`${h.url}/v1/messages`, MESSAGE('Count to five, please.', stream ? { stream: true } : {}), ANTHROPIC_HEADERS);
    h.upstream.script({ text: 'one two three four five', usageStyle: 'deferred' });
    await ask(true);
    const streamed = await h.sink.nth(h.sink.records.length);
    h.upstream.script({ text: 'one two three four five' });
    await ask(false);
    const plain = await h.sink.nth(h.sink.records.length);
    expect(streamed.stream).toBe(true);
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.usage.inputTokens).toBeGreaterThan(0);
  });

  it('usage snapshots: repeated message_delta totals are not summed, zeros in message_start are overridden', async () => {
    const ev = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const zero = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
    const body = [
      ev('message_start', { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: zero } }),
      ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ev('ping', { type: 'ping' }),
      ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }),
      ev('message_delta', { type: 'message_delta', delta: { stop_reason: null }, usage: { input_tokens: 1200, cache_read_input_tokens: 800, cache_creation_input_tokens: 300, output_tokens: 5 } }),
      ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
      ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 1200, cache_read_input_tokens: 800, cache_creation_input_tokens: 300, output_tokens: 9 } }),
      ev('message_stop', { type: 'message_stop' }),
    ].join('');
    h.upstream.script({ type: 'raw', status: 200, body, headers: { 'content-type': 'text/event-stream' } });
    const res = await postRaw(`${h.url}/v1/messages`, MESSAGE('x', { stream: true }), ANTHROPIC_HEADERS);
    expect(res.body.toString()).toBe(body);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.usage).toMatchObject({ inputTokens: 1200, cacheReadTokens: 800, cacheWrite5mTokens: 300, outputTokens: 9 });
    expect(record.outcome).toBe('complete');
  });

  it('server-tool streams relay untouched and report the server tool call', async () => {
    const ev = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body = [
      ev('message_start', { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 50, output_tokens: 1 } } }),
      ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } }),
      ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":"leeway"}' } }),
      ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
      ev('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', title: 'Ünïcødé ✓', url: 'https://example.com', encrypted_content: 'Eo8B' }] } }),
      ev('content_block_stop', { type: 'content_block_stop', index: 1 }),
      ev('content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: { type: 'web_search_result_location', url: 'https://example.com' } } }),
      ev('content_block_stop', { type: 'content_block_stop', index: 2 }),
      ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 50, output_tokens: 40, server_tool_use: { web_search_requests: 1 } } }),
      ev('message_stop', { type: 'message_stop' }),
    ].join('');
    h.upstream.script({ type: 'raw', status: 200, body, chunkBytes: 13, headers: { 'content-type': 'text/event-stream' } });
    const res = await postRaw(`${h.url}/v1/messages`, MESSAGE('search', { stream: true }), { ...ANTHROPIC_HEADERS, 'user-agent': 'claude-cli/1.0 (external, cli)' });
    expect(res.body.toString()).toBe(body);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.outcome).toBe('complete');
    expect(record.usage.outputTokens).toBe(40);
  });

  it('a stream ending in an error event is relayed as it came and reported as failed', async () => {
    h.upstream.script({ text: 'partial answer that will fail', errorAfterEvents: { after: 4, type: 'overloaded_error', message: 'Overloaded' } });
    const res = await postRaw(`${h.url}/v1/messages`, MESSAGE('x', { stream: true }), ANTHROPIC_HEADERS);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toMatch(/event: error\ndata: .*overloaded_error/);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.outcome).toBe('error');
    expect(record.error?.type).toBe('overloaded_error');
  });

  it('a stream cut before its terminal event is reported as partial, never as success', async () => {
    h.upstream.script({ text: 'this stream will be cut off before message_stop arrives', dropAfterEvents: 4 });
    const error = await postRaw(`${h.url}/v1/messages`, MESSAGE('x', { stream: true }), ANTHROPIC_HEADERS).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull(); // the client sees a broken response, not a clean end
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.outcome).toBe('truncated');
    expect(record.usage.inputTokens).toBeGreaterThan(0); // what message_start reported is kept, labelled partial
  });

  it('a stream:false request answered with text/event-stream is relayed as is and its usage read', async () => {
    h.upstream.script({ text: 'surprise stream', eventStreamForNonStream: true });
    const res = await postRaw(`${h.url}/v1/messages`, MESSAGE('x', { stream: false }), ANTHROPIC_HEADERS);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(res.body.toString()).toMatch(/event: message_stop/);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.stream).toBe(false);
    expect(record.outcome).toBe('complete');
    expect(record.usage.outputTokens).toBeGreaterThan(0);
  });

  it('multibyte characters split across chunks arrive intact (Anthropic and OpenAI chat with the usage chunk filtered)', async () => {
    const text = '😀 émoji, 漢字, 한국어, עברית, 👩‍👩‍👧‍👦 end';
    h.upstream.script({ text, chunkBytes: 1 });
    const res = await postRaw(`${h.url}/v1/messages`, MESSAGE('x', { stream: true }), ANTHROPIC_HEADERS);
    const deltas = [...res.body.toString('utf8').matchAll(/"text":"([^"]*)"/g)].map((m) => m[1]).join('');
    expect(deltas).toBe(text);
    expect(res.body.toString('utf8')).not.toContain('\uFFFD');
    const client = new OpenAI({ apiKey: 'sk', baseURL: `${h.url}/v1`, maxRetries: 0 });
    h.upstream.script({ text, chunkBytes: 1 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let got = '';
    for await (const chunk of stream) got += chunk.choices[0]?.delta.content ?? '';
    expect(got).toBe(text);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.usage.outputTokens).toBeGreaterThan(0);
  });

  it('two concurrent streams with the same model and system prompt each get their own answer and record', async () => {
    h.upstream.setResponder((req) => {
      const json = req.json as { messages: { content: string }[] };
      return { text: `answer for ${json.messages[0]!.content} — 同時`, eventDelayMs: 5 };
    });
    try {
      const client = new Anthropic({ apiKey: 'sk-ant', baseURL: h.url, maxRetries: 0 });
      const run = (who: string) =>
        client.messages
          .stream({ model: 'claude-sonnet-4-5', max_tokens: 64, system: 'You are terse.', messages: [{ role: 'user', content: who }] })
          .finalMessage();
      const before = h.sink.records.length;
      const [a, b] = await Promise.all([run('alice'), run('bob')]);
      expect(a.content[0]).toMatchObject({ type: 'text', text: 'answer for alice — 同時' });
      expect(b.content[0]).toMatchObject({ type: 'text', text: 'answer for bob — 同時' });
      const records = [await h.sink.nth(before + 1), await h.sink.nth(before + 2)];
      expect(records.map((r) => r.outcome)).toEqual(['complete', 'complete']);
      expect(new Set(records.map((r) => r.requestId)).size).toBe(2);
    } finally {
      h.upstream.setResponder(null);
    }
  });

  it('count_tokens failures upstream never change how /v1/messages is served', async () => {
    h.upstream.script({ type: 'error', route: 'anthropic-count-tokens', status: 500 });
    const count = await postRaw(`${h.url}/v1/messages/count_tokens`, JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }), ANTHROPIC_HEADERS);
    expect(count.status).toBe(500);
    expect(JSON.parse(count.body.toString())).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    const messages = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'q', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: jsonRows('count-tokens') }] },
      ],
    });
    const res = await postRaw(`${h.url}/v1/messages`, messages, ANTHROPIC_HEADERS);
    expect(res.status).toBe(200);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.optimization).toBe('applied');
  });

  it('tool_result content lists with images and documents: never compressed; bodies of tens of MB accepted', async () => {
    const bigImage = Buffer.alloc(30 * 1024 * 1024, 7).toString('base64'); // 40 MB of base64
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      messages: [
        { role: 'user', content: 'look' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'screenshot taken' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: bigImage } },
                { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } },
              ],
            },
          ],
        },
      ],
    });
    const res = await postRaw(`${h.url}/v1/messages`, body, ANTHROPIC_HEADERS);
    expect(res.status).toBe(200);
    expect(h.upstream.requests.at(-1)!.body.equals(Buffer.from(body))).toBe(true);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.requestBytes).toBeGreaterThan(40_000_000);
    expect(record.tokensBefore).toBeLessThan(100); // the image is not counted as text
  }, 60_000);

  it('content-encoded request bodies are forwarded byte-identical, untouched', async () => {
    const gz = gzipSync(Buffer.from(MESSAGE('compressed body')));
    const res = await postRaw(`${h.url}/v1/messages`, gz, { ...ANTHROPIC_HEADERS, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    const got = h.upstream.requests.at(-1)!;
    expect(got.body.equals(gz)).toBe(true);
    expect(got.headers['content-encoding']).toBe('gzip');
  });

  it('a client that disconnects mid-stream cancels the upstream request and is recorded as partial', async () => {
    let upstreamClosed = false;
    let written = 0;
    const slow = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 1 } } })}\n\n`);
      const timer = setInterval(() => {
        written++;
        res.write(`event: ping\ndata: {"type":"ping"}\n\n`);
      }, 20);
      res.on('close', () => {
        upstreamClosed = true;
        clearInterval(timer);
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as AddressInfo).port;
    const local = await startHarness({ upstream: h.upstream, env: { LEEWAY_ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` } });
    try {
      const controller = new AbortController();
      const res = await fetch(`${local.url}/v1/messages`, {
        method: 'POST',
        body: MESSAGE('x', { stream: true }),
        headers: { 'content-type': 'application/json', ...ANTHROPIC_HEADERS },
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      const record = await local.sink.next();
      expect(record.clientAborted).toBe(true);
      expect(record.outcome).toBe('truncated');
      expect(record.usage.inputTokens).toBe(10);
      await expect.poll(() => upstreamClosed).toBe(true);
      const after = written;
      await new Promise((r) => setTimeout(r, 100));
      expect(written).toBe(after);
    } finally {
      await local.close();
      slow.close();
    }
  });
});

describe('Leeway’s own errors, in the provider’s shape', () => {
  it('bad JSON → 400 invalid_request_error (both shapes); too large → 413', async () => {
    const h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' }, env: { LEEWAY_BODY_LIMIT_BYTES: '4096' } });
    try {
      const bad = await postRaw(`${h.url}/v1/messages`, '{"model": "x", "messages": [', ANTHROPIC_HEADERS);
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body.toString())).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) as unknown } });
      const badOpenAi = await postRaw(`${h.url}/v1/chat/completions`, 'nope', OPENAI_HEADERS);
      expect(badOpenAi.status).toBe(400);
      expect(JSON.parse(badOpenAi.body.toString())).toMatchObject({ error: { type: 'invalid_request_error', code: 'PRX_BAD_JSON' } });
      const big = await postRaw(`${h.url}/v1/messages`, MESSAGE('x'.repeat(10_000)), ANTHROPIC_HEADERS);
      expect(big.status).toBe(413);
      expect(JSON.parse(big.body.toString())).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
      expect(big.headers.get('x-leeway-request-id')).toBeTruthy();
      expect(h.upstream.requests.length).toBe(0);
      const record = await h.sink.nth(3);
      expect(record.leewayError).toBe('PRX_BODY_TOO_LARGE');
    } finally {
      await h.close();
    }
  });

  it('upstream unreachable → 502, upstream timeout → 504; SDKs raise their normal errors', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const h = await startHarness({
      upstreamOptions: { tokenizer: 'approximate' },
      env: { LEEWAY_OPENAI_BASE_URL: `http://127.0.0.1:${deadPort}`, LEEWAY_UPSTREAM_TIMEOUT_MS: '300' },
    });
    try {
      const openai = new OpenAI({ apiKey: 'sk', baseURL: `${h.url}/v1`, maxRetries: 0 });
      const unreachable = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(OpenAI.APIError);
      expect((unreachable as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((unreachable as InstanceType<typeof OpenAI.APIError>).code).toBe('PRX_UPSTREAM_UNREACHABLE');

      h.upstream.script({ type: 'hang' });
      const anthropic = new Anthropic({ apiKey: 'sk-ant', baseURL: h.url, maxRetries: 0 });
      const timeout = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(timeout).toBeInstanceOf(Anthropic.APIError);
      expect((timeout as InstanceType<typeof Anthropic.APIError>).status).toBe(504);
      const records = [await h.sink.nth(1), await h.sink.nth(2)];
      expect(records.map((r) => r.leewayError)).toEqual(['PRX_UPSTREAM_UNREACHABLE', 'PRX_UPSTREAM_TIMEOUT']);
    } finally {
      await h.close();
    }
  });

  it('a broken state store never turns a servable request into a 5xx (I5): the original bytes go out', async () => {
    const prefixState = new MemoryPrefixStateStore();
    prefixState.lookup = () => Promise.reject(new Error('store exploded'));
    const stores: StateStores = {
      adapter: 'memory',
      prefixState,
      ccr: new MemoryCcrStore(),
      redis: null,
      close: () => Promise.resolve(),
    };
    const h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' }, stores });
    try {
      const body = JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 16,
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'q', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: jsonRows('broken-store') }] },
        ],
      });
      const res = await postRaw(`${h.url}/v1/messages`, body, ANTHROPIC_HEADERS);
      expect(res.status).toBe(200);
      expect(h.upstream.requests.at(-1)!.body.equals(Buffer.from(body))).toBe(true);
      const record = await h.sink.nth(1);
      expect(record.optimization).toBe('failed-open');
      const metrics = await (await fetch(`${h.url}/metrics`)).text();
      expect(metrics).toMatch(/leeway_proxy_fail_open_total\{reason="internal"\} 1/);
    } finally {
      await h.close();
    }
  });
});
