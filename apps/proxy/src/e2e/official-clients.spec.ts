// Official SDKs pointed at the proxy get the same parsed results as against the fake upstream directly.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream, ScriptedResponse } from '@leeway/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness } from './harness';
import type { Harness } from './harness';

describe('official clients through the proxy', () => {
  let direct: FakeUpstream;
  let h: Harness;
  const anthropic = { direct: null as unknown as Anthropic, proxied: null as unknown as Anthropic };
  const openai = { direct: null as unknown as OpenAI, proxied: null as unknown as OpenAI };

  beforeAll(async () => {
    direct = await startFakeUpstream({ tokenizer: 'approximate' });
    h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' } });
    anthropic.direct = new Anthropic({ apiKey: 'sk-ant-test', baseURL: direct.url, maxRetries: 0 });
    anthropic.proxied = new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.url, maxRetries: 0 });
    openai.direct = new OpenAI({ apiKey: 'sk-test', baseURL: `${direct.url}/v1`, maxRetries: 0 });
    openai.proxied = new OpenAI({ apiKey: 'sk-test', baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await direct.close();
  });
  beforeEach(() => {
    direct.resetCaches();
    h.upstream.resetCaches();
  });

  /** Queue the same answers on both upstreams, run the call against each, return both results. */
  async function both<T>(script: ScriptedResponse[], call: (client: 'direct' | 'proxied') => Promise<T>): Promise<[T, T]> {
    direct.script(...script);
    const a = await call('direct');
    h.upstream.script(...script);
    const b = await call('proxied');
    return [a, b];
  }

  const tools = [
    { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } },
  ];

  it('Anthropic messages.create, with a tool call', async () => {
    const [a, b] = await both([{ text: 'Let me check.', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] }], (c) =>
      anthropic[c].messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        tools,
        messages: [{ role: 'user', content: 'Weather in Paris? ☀️ 你好' }],
      }),
    );
    expect(b).toEqual(a);
    expect(b.content.some((block) => block.type === 'tool_use')).toBe(true);
  });

  it('Anthropic streaming (events and final message), with thinking and a tool call', async () => {
    const script: ScriptedResponse[] = [{ thinking: 'Hmm, weather.', text: 'Checking 🌦️ now… 東京', toolCalls: [{ name: 'get_weather', input: { city: 'Tokyo' } }], chunkBytes: 5 }];
    const [a, b] = await both(script, async (c) => {
      const stream = anthropic[c].messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        tools,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Weather in Tokyo?' }],
      });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return { events, final: await stream.finalMessage() };
    });
    expect(b).toEqual(a);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.outcome).toBe('complete');
    expect(record.usage.outputTokens).toBe(b.final.usage.output_tokens);
    expect(record.usage.inputTokens).toBe(b.final.usage.input_tokens);
  });

  it('Anthropic tool-result follow-up turn (tool_result content as a list of text blocks)', async () => {
    const [a, b] = await both([{ text: 'It is sunny.' }], (c) =>
      anthropic[c].messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_x', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: [{ type: 'text', text: 'sunny, 24°C' }, { type: 'text', text: 'wind 5 km/h' }] }] },
        ],
      }),
    );
    expect(b).toEqual(a);
  });

  const fnTools = [
    { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  ];

  it('OpenAI chat.completions.create, with tool calls', async () => {
    const [a, b] = await both([{ toolCalls: [{ name: 'get_weather', input: { city: 'Oslo' } }, { name: 'get_weather', input: { city: 'Rome' } }] }], (c) =>
      openai[c].chat.completions.create({ model: 'gpt-4o', tools: fnTools, messages: [{ role: 'user', content: 'Weather in Oslo and Rome?' }] }),
    );
    expect(b).toEqual(a);
    expect(b.choices[0]!.message.tool_calls).toHaveLength(2);
  });

  /** Chunks as the client sees them; `usage: null` is what OpenAI adds to every chunk once include_usage is on. */
  const withoutNullUsage = (chunks: OpenAI.Chat.Completions.ChatCompletionChunk[]) =>
    chunks.map((chunk) => {
      const { usage, ...rest } = chunk;
      return usage === null || usage === undefined ? rest : chunk;
    });

  it('OpenAI chat streaming: same chunks; the usage chunk Leeway asked for never reaches the client', async () => {
    const script: ScriptedResponse[] = [{ text: 'Bonjour 👋🏽 le monde — ça va?', toolCalls: [{ name: 'get_weather', input: { city: 'Nice' } }], chunkBytes: 3 }];
    const [a, b] = await both(script, async (c) => {
      const stream = await openai[c].chat.completions.create({ model: 'gpt-4o', stream: true, tools: fnTools, messages: [{ role: 'user', content: 'hi' }] });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    });
    expect(withoutNullUsage(b)).toEqual(withoutNullUsage(a));
    expect(b.some((chunk) => chunk.choices.length === 0)).toBe(false);
    // Leeway asked upstream for usage and still learned it.
    const sent = JSON.parse(h.upstream.requests.at(-1)!.body.toString()) as { stream_options?: unknown };
    expect(sent.stream_options).toEqual({ include_usage: true });
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.usage.outputTokens).toBeGreaterThan(0);
    expect(record.outcome).toBe('complete');
  });

  it('OpenAI chat streaming with include_usage requested by the client: the usage chunk is relayed', async () => {
    const [a, b] = await both([{ text: 'hello' }], async (c) => {
      const stream = await openai[c].chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
      const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    });
    expect(b).toEqual(a);
    expect(b.at(-1)!.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('OpenAI responses.create and streaming, with reasoning and a function call', async () => {
    const script: ScriptedResponse[] = [{ thinking: 'plan', text: 'Voilà ✨', toolCalls: [{ name: 'get_weather', input: { city: 'Lyon' } }] }];
    const [a, b] = await both(script, (c) =>
      openai[c].responses.create({ model: 'gpt-5', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_text', text: 'In Lyon.' }] }] }),
    );
    expect(b).toEqual(a);
    const [sa, sb] = await both(script, async (c) => {
      const stream = await openai[c].responses.create({ model: 'gpt-5', stream: true, input: 'Weather in Lyon?' });
      const events: unknown[] = [];
      for await (const event of stream) events.push(event);
      return events;
    });
    expect(sb).toEqual(sa);
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.route).toBe('openai.responses');
    expect(record.outcome).toBe('complete');
    expect(record.usage.outputTokens).toBeGreaterThan(0);
  });

  it('SDK errors: upstream errors pass through untouched, with the same status and body', async () => {
    const [a, b] = await both([{ type: 'error', status: 529 }], (c) =>
      anthropic[c].messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e),
    );
    expect(b).toBeInstanceOf(Anthropic.APIError);
    expect((b as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((b as InstanceType<typeof Anthropic.APIError>).error).toEqual((a as InstanceType<typeof Anthropic.APIError>).error);
  });
});
