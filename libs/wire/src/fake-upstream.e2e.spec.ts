import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AnthropicStreamTap,
  OpenAiChatStreamTap,
  OpenAiResponsesStreamTap,
  SseParser,
  summarizeAnthropicResponse,
  summarizeOpenAiChatResponse,
  summarizeOpenAiResponsesResponse,
  type StreamTap,
} from './index';
import { startFakeUpstream, type FakeUpstream } from '@leeway/testing';

let upstream: FakeUpstream;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstream.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(() => {
  upstream.clearRequests();
  upstream.resetCaches();
  upstream.setResponder(null);
  expect(upstream.pendingScripts()).toBe(0);
});

/** ~1,400 tokens of varied prose (repeated text would tokenise too well). */
const LONG_SYSTEM = Array.from({ length: 220 }, (_, i) => `Rule ${i}: prefer file ${i * 7} over module ${i * 13}.`).join('\n');

async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${upstream.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function tapText(tap: StreamTap, text: string) {
  const parser = new SseParser();
  for (const e of parser.push(new TextEncoder().encode(text))) tap.push(e);
  for (const e of parser.end()) tap.push(e);
  return tap.finish();
}

describe('fake upstream: Anthropic Messages', () => {
  it('answers the official SDK non-streamed, with scripted tool calls and thinking', async () => {
    upstream.script({ thinking: 'I should grep.', text: 'Let me search.', toolCalls: [{ name: 'grep', input: { pattern: 'foo' } }] });
    const msg = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'find foo' }],
    });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    const tool = msg.content[2] as Anthropic.ToolUseBlock;
    expect(tool.name).toBe('grep');
    expect(tool.input).toEqual({ pattern: 'foo' });
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.route).toBe('anthropic-messages');
    // this SDK version sends the key as a bearer token; older ones use x-api-key
    const h = upstream.requests[0]!.headers;
    expect(h['x-api-key'] ?? h['authorization']).toMatch(/sk-ant-test$/);
  });

  it('streams the exact event sequence; the SDK accumulates the same message', async () => {
    const script = { thinking: 'Hmm 🤔', text: 'Héllo 世界 🎉 with a long enough answer to split', toolCalls: [{ id: 'toolu_x', name: 'Read', input: { path: 'a.ts' } }] };
    upstream.script(script);
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const events: string[] = [];
    stream.on('streamEvent', (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content.map((c) => c.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect((final.content[0] as Anthropic.ThinkingBlock).thinking).toBe('Hmm 🤔');
    expect((final.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(10);
    expect(final.content[2]).toMatchObject({ type: 'tool_use', id: 'toolu_x', name: 'Read', input: { path: 'a.ts' } });
    expect((final.content[1] as Anthropic.TextBlock).text).toBe(script.text);
    expect(events[0]).toBe('message_start');
    expect(events[1]).toBe('content_block_start');
    expect(events.at(-2)).toBe('message_delta');
    expect(events.at(-1)).toBe('message_stop');
    expect(final.stop_reason).toBe('tool_use');
  });

  it('reports the same usage streamed and non-streamed (read with @leeway/wire)', async () => {
    const body = { model: 'claude-sonnet-4-5', max_tokens: 50, system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hi' }] };
    for (const usageStyle of ['official', 'deferred'] as const) {
      upstream.resetCaches();
      upstream.script({ text: 'same answer' });
      const plain = await rawPost('/v1/messages', body);
      upstream.resetCaches();
      upstream.script({ text: 'same answer', usageStyle });
      const streamed = await rawPost('/v1/messages', { ...body, stream: true });
      expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const a = summarizeAnthropicResponse(JSON.parse(plain.text));
      const b = tapText(new AnthropicStreamTap(), streamed.text);
      expect(b.outcome).toBe('complete');
      expect(b.usage).toEqual(a.usage);
      expect(a.usage.cacheWrite5mTokens).toBeGreaterThan(1000);
    }
  });

  it('accounts prompt caching across turns: write, read, TTL expiry on the simulated clock', async () => {
    const turn = (n: number) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      system: [{ type: 'text' as const, text: LONG_SYSTEM, cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: `question ${n}` }],
    });
    const u1 = (await anthropic.messages.create(turn(1))).usage;
    expect(u1.cache_read_input_tokens).toBe(0);
    expect(u1.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(u1.cache_creation?.ephemeral_5m_input_tokens).toBe(u1.cache_creation_input_tokens);
    const u2 = (await anthropic.messages.create(turn(2))).usage;
    expect(u2.cache_read_input_tokens).toBe(u1.cache_creation_input_tokens);
    expect(u2.cache_creation_input_tokens).toBe(0);
    expect(u2.input_tokens).toBe(u1.input_tokens); // "question 1" and "question 2" count the same
    upstream.clock.advance(5 * 60_000 + 1);
    const u3 = (await anthropic.messages.create(turn(3))).usage;
    expect(u3.cache_read_input_tokens).toBe(0);
    expect(u3.cache_creation_input_tokens).toBe(u1.cache_creation_input_tokens);
  });

  it('misses the cache when a byte of an earlier tool result changes (what Leeway must never cause)', async () => {
    const body = (output: string) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      messages: [
        { role: 'user', content: LONG_SYSTEM },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ls', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: output, cache_control: { type: 'ephemeral' } }] },
      ],
    });
    await rawPost('/v1/messages', body('a.ts b.ts'));
    const same = JSON.parse((await rawPost('/v1/messages', body('a.ts b.ts'))).text) as Anthropic.Message;
    const changed = JSON.parse((await rawPost('/v1/messages', body('a.ts  b.ts'))).text) as Anthropic.Message;
    expect(same.usage.cache_read_input_tokens).toBeGreaterThan(1024);
    expect(changed.usage.cache_read_input_tokens).toBe(0);
  });

  it('rejects more than 4 cache breakpoints like the API', async () => {
    const cc = { type: 'ephemeral' };
    const res = await rawPost('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      system: [{ type: 'text', text: 'a', cache_control: cc }, { type: 'text', text: 'b', cache_control: cc }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'c', cache_control: cc }, { type: 'text', text: 'd', cache_control: cc }, { type: 'text', text: 'e', cache_control: cc }] }],
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'A maximum of 4 blocks with cache_control may be provided. Found 5.' } });
  });

  it('counts tokens on /v1/messages/count_tokens and can be scripted to fail there only', async () => {
    const counted = await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: LONG_SYSTEM }] });
    expect(counted.input_tokens).toBeGreaterThan(1000);
    upstream.script({ type: 'error', status: 500, route: 'anthropic-count-tokens' });
    await expect(anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 500 });
    const ok = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(ok.type).toBe('message');
  });
});

describe('fake upstream: OpenAI chat completions', () => {
  it('answers the SDK non-streamed with tool calls', async () => {
    upstream.script({ toolCalls: [{ name: 'grep', input: { q: 'x' } }] });
    const res = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'find x' }] });
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('grep');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ q: 'x' });
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect(res.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('streams chunks then [DONE]; the usage chunk only when include_usage', async () => {
    upstream.script({ text: 'héllo 🎉 世界', toolCalls: [{ id: 'call_1', name: 'ls', input: {} }] });
    const stream = openai.chat.completions.stream({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('héllo 🎉 世界');
    expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ id: 'call_1', function: { name: 'ls', arguments: '{}' } });
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);

    upstream.script({ text: 'no usage' });
    const withoutUsage = await rawPost('/v1/chat/completions', { model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer sk-test' });
    expect(withoutUsage.text).not.toContain('"usage"');
    expect(withoutUsage.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('reports the same usage streamed and non-streamed, with automatic prefix caching in 128-token steps', async () => {
    const body = { model: 'gpt-4.1', messages: [{ role: 'system', content: LONG_SYSTEM }, { role: 'user', content: 'hi' }] };
    const first = JSON.parse((await rawPost('/v1/chat/completions', body, { authorization: 'Bearer sk-test' })).text) as OpenAI.ChatCompletion;
    expect(first.usage!.prompt_tokens).toBeGreaterThan(1024);
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    const plain = JSON.parse((await rawPost('/v1/chat/completions', body, { authorization: 'Bearer sk-test' })).text) as OpenAI.ChatCompletion;
    const cached = plain.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
    expect(plain.usage!.prompt_tokens - cached).toBeLessThan(128);
    const streamed = await rawPost('/v1/chat/completions', { ...body, stream: true, stream_options: { include_usage: true } }, { authorization: 'Bearer sk-test' });
    expect(tapText(new OpenAiChatStreamTap(), streamed.text).usage).toEqual(summarizeOpenAiChatResponse(plain).usage);
  });

  it('scopes the cache by prompt_cache_key and API key', async () => {
    const body = (key?: string) => ({ model: 'gpt-4.1', messages: [{ role: 'system' as const, content: LONG_SYSTEM }], ...(key ? { prompt_cache_key: key } : {}) });
    await openai.chat.completions.create(body('a'));
    expect((await openai.chat.completions.create(body('a'))).usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    expect((await openai.chat.completions.create(body('b'))).usage!.prompt_tokens_details!.cached_tokens).toBe(0);
    const other = new OpenAI({ apiKey: 'sk-other', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
    expect((await other.chat.completions.create(body('a'))).usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });
});

describe('fake upstream: OpenAI Responses', () => {
  it('answers the SDK non-streamed and streamed with text, reasoning and function calls', async () => {
    upstream.script({ thinking: 'think', text: 'Running tests', toolCalls: [{ id: 'call_9', name: 'shell', input: { command: ['npm', 'test'] } }] });
    const res = await openai.responses.create({ model: 'gpt-5', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] }] });
    expect(res.output_text).toBe('Running tests');
    expect(res.output.map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(res.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);

    upstream.script({ text: 'Streamed 🎉', toolCalls: [{ id: 'call_10', name: 'shell', input: { command: ['ls'] } }] });
    const stream = openai.responses.stream({ model: 'gpt-5', input: 'go' });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Streamed 🎉');
    expect(final.output.find((o) => o.type === 'function_call')).toMatchObject({ call_id: 'call_10', name: 'shell', arguments: '{"command":["ls"]}' });
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('reports the same usage streamed and non-streamed', async () => {
    const body = { model: 'gpt-5', instructions: LONG_SYSTEM, input: 'hi' };
    await rawPost('/v1/responses', body, { authorization: 'Bearer sk-test' });
    const plain = JSON.parse((await rawPost('/v1/responses', body, { authorization: 'Bearer sk-test' })).text) as unknown;
    const streamed = await rawPost('/v1/responses', { ...body, stream: true }, { authorization: 'Bearer sk-test' });
    const a = summarizeOpenAiResponsesResponse(plain);
    expect(a.usage.cacheReadTokens).toBeGreaterThanOrEqual(1024);
    expect(tapText(new OpenAiResponsesStreamTap(), streamed.text).usage).toEqual(a.usage);
  });
});

describe('fake upstream: recording, pass-through and failures', () => {
  it('records the exact bytes and headers it received, content-encoded bodies included', async () => {
    const text = '{ "model" :"claude-sonnet-4-5","max_tokens":5,\n"messages":[{"role":"user","content":"\\u00e9t\\u00e9"}] }';
    await rawPost('/v1/messages', text, { 'anthropic-beta': 'a,b' });
    const gz = gzipSync(Buffer.from(text));
    const res = await fetch(`${upstream.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gz });
    expect(res.status).toBe(200);
    expect(upstream.requests[0]!.body.toString()).toBe(text);
    expect(upstream.requests[0]!.headers['anthropic-beta']).toBe('a,b');
    expect(upstream.requests[1]!.body.equals(gz)).toBe(true);
    expect(upstream.requests[1]!.json).toEqual(JSON.parse(text));
  });

  it('answers GET /v1/models for both providers and 404s unknown paths in the provider shape', async () => {
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4.1');
    const claude = await anthropic.models.list();
    expect(claude.data.map((m) => m.id)).toContain('claude-sonnet-4-5');
    const missing = await fetch(`${upstream.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(upstream.requestsFor('other')).toHaveLength(3);
  });

  it('answers bad JSON with a provider-shaped 400', async () => {
    const res = await rawPost('/v1/messages', '{"model":');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('fails as scripted: status and body, headers, delay', async () => {
    upstream.script({ type: 'error', status: 529, headers: { 'retry-after': '3' }, delayMs: 20 });
    const started = performance.now();
    const err = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('3');
    upstream.script({ type: 'error', status: 429, body: { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } } });
    await expect(openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('drops the connection before answering, or mid-stream', async () => {
    upstream.script({ type: 'drop' });
    await expect(anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    upstream.script({ text: 'a fairly long answer that streams in several pieces', dropAfterEvents: 3 });
    const res = await fetch(`${upstream.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const reader = res.body!.getReader();
    const parser = new SseParser();
    const tap = new AnthropicStreamTap();
    let failed = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const e of parser.push(value as Uint8Array)) tap.push(e);
      }
    } catch {
      failed = true;
    }
    for (const e of parser.end()) tap.push(e);
    expect(failed).toBe(true);
    const summary = tap.finish();
    expect(summary.outcome).toBe('truncated');
    expect(summary.model).toBe('claude-sonnet-4-5'); // message_start arrived before the cut
  });

  it('sends a provider error event mid-stream', async () => {
    upstream.script({ text: 'x'.repeat(100), errorAfterEvents: { after: 3, type: 'overloaded_error', message: 'Overloaded' } });
    const streamed = await rawPost('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] });
    const summary = tapText(new AnthropicStreamTap(), streamed.text);
    expect(summary).toMatchObject({ outcome: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('can answer stream:false with text/event-stream', async () => {
    upstream.script({ text: 'surprise', eventStreamForNonStream: true });
    const res = await rawPost('/v1/chat/completions', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.text).toContain('data: [DONE]');
  });

  it('splits stream bytes into tiny chunks on request (multibyte characters split)', async () => {
    upstream.script({ text: '日本語🎉', chunkBytes: 5 });
    const res = await fetch(`${upstream.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const reader = res.body!.getReader();
    const parser = new SseParser();
    const tap = new AnthropicStreamTap();
    let chunks = 0;
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      for (const e of parser.push(value as Uint8Array)) {
        tap.push(e);
        const data = e.data ? (JSON.parse(e.data) as { delta?: { text?: string } }) : null;
        text += data?.delta?.text ?? '';
      }
    }
    expect(chunks).toBeGreaterThan(10);
    expect(text).toBe('日本語🎉');
    expect(tap.finish().outcome).toBe('complete');
  });

  it('answers from a responder function of the request', async () => {
    upstream.setResponder((req) => ({ text: `you sent ${req.body.length} bytes` }));
    const res = await openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] });
    expect(res.choices[0]!.message.content).toBe(`you sent ${upstream.requests[0]!.body.length} bytes`);
  });

  it('refuses unknown keys when apiKeys are configured', async () => {
    const strict = await startFakeUpstream({ apiKeys: ['good'] });
    try {
      const client = new Anthropic({ apiKey: 'bad', baseURL: strict.url, maxRetries: 0 });
      await expect(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    } finally {
      await strict.close();
    }
  });
});
