// Reversible compression through the proxy (issue 4): Leeway stores originals, adds the sticky
// `leeway_retrieve` tool and answers its calls itself — official SDK clients never see the tool.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RecordedRequest } from '@leeway/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, jsonRows, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

const KEY_RE = /retrieve key=(lw_[0-9a-f]{16})\]/g;
/** The example key in the tool's own description. */
const EXAMPLE_KEY = 'lw_0123456789abcdef';

/** The first marker key in a forwarded body (the tool description's example key is not one). */
function keyIn(body: Buffer | string): string {
  for (const m of body.toString().matchAll(KEY_RE)) if (m[1] !== EXAMPLE_KEY) return m[1]!;
  throw new Error('no leeway marker in the forwarded body');
}

type Json = Record<string, unknown>;

/** Anthropic messages of a turn whose tool output Leeway compresses lossily. */
function anthropicTurn(seed: string): Anthropic.MessageParam[] {
  return [
    { role: 'user', content: 'Which users are in error?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_q1', name: 'query_db', input: { sql: 'select * from users' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_q1', content: jsonRows(seed, 400) }] },
  ];
}

const QUERY_TOOL: Anthropic.Tool = { name: 'query_db', description: 'Run SQL.', input_schema: { type: 'object', properties: { sql: { type: 'string' } } } };

/** The tool_result / tool message Leeway sent upstream for a retrieve call, as text. */
function retrieveAnswerIn(rec: RecordedRequest): string {
  const json = rec.json as Json;
  if (Array.isArray(json['messages'])) {
    const last = (json['messages'] as Json[]).at(-1)!;
    if (last['role'] === 'tool') return String(last['content']);
    const blocks = last['content'] as Json[];
    const result = blocks.find((b) => b['type'] === 'tool_result')!;
    const content = result['content'];
    return typeof content === 'string' ? content : JSON.stringify(content);
  }
  const items = json['input'] as Json[];
  const out = items.filter((i) => i['type'] === 'function_call_output').at(-1)!;
  return String(out['output']);
}

describe('CCR: leeway_retrieve answered by the proxy', () => {
  let h: Harness;
  let anthropic: Anthropic;
  let openai: OpenAI;

  beforeAll(async () => {
    h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' } });
    anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: h.url, maxRetries: 0 });
    openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.upstream.clearRequests());

  /** Round 1 answers with a retrieve call for the marker key it received (transformed by `key`), round 2 with text. */
  function scriptRetrieve(text: string, key: (k: string) => string = (k) => k, extra: { name: string; input: unknown }[] = []): void {
    h.upstream.script((rec) => ({ toolCalls: [{ name: 'leeway_retrieve', input: { key: key(keyIn(rec.body)) } }, ...extra] }), { text });
  }

  it('Anthropic non-streaming (SDK): one final message, usage summed over both rounds, original bytes sent upstream', async () => {
    scriptRetrieve('The error rows are 0, 11, 22.');
    const messages = anthropicTurn('ns');
    const original = (messages[2]!.content as Anthropic.ToolResultBlockParam[])[0]!.content as string;
    const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [QUERY_TOOL], messages });
    expect(JSON.stringify(msg)).not.toContain('leeway_retrieve');
    expect(msg.content).toEqual([{ type: 'text', text: 'The error rows are 0, 11, 22.' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(h.upstream.requests).toHaveLength(2);
    const [r1, r2] = h.upstream.requests as [RecordedRequest, RecordedRequest];
    expect(r1.body.toString()).toContain('"name":"leeway_retrieve"');
    expect(r1.body.toString()).not.toContain(JSON.stringify(original));
    expect(retrieveAnswerIn(r2)).toBe(original);
    const u1 = r1.reply!.usage!;
    const u2 = r2.reply!.usage!;
    expect(msg.usage.input_tokens).toBe(Number(u1['input_tokens']) + Number(u2['input_tokens']));
    expect(msg.usage.output_tokens).toBe(Number(u1['output_tokens']) + Number(u2['output_tokens']));
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.usage.inputTokens).toBe(msg.usage.input_tokens);
  });

  it('Anthropic streaming (SDK): one coherent stream, no retrieve call, real usage in message_start', async () => {
    scriptRetrieve('Streamed after retrieving.');
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [QUERY_TOOL], messages: anthropicTurn('st') });
    const events: unknown[] = [];
    stream.on('streamEvent', (e) => events.push(e));
    const msg = await stream.finalMessage();
    expect(JSON.stringify(events)).not.toContain('leeway_retrieve');
    expect(msg.content).toEqual([{ type: 'text', text: 'Streamed after retrieving.' }]);
    const start = events[0] as { type: string; message: { usage: { input_tokens: number } } };
    expect(start.type).toBe('message_start');
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
    expect(h.upstream.requests).toHaveLength(2);
    expect((h.upstream.requests[1]!.json as Json)['stream']).toBe(true);
    const u1 = h.upstream.requests[0]!.reply!.usage!;
    const u2 = h.upstream.requests[1]!.reply!.usage!;
    expect(msg.usage.output_tokens).toBe(Number(u1['output_tokens']) + Number(u2['output_tokens']));
  });

  const chatMessages = (seed: string): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'user', content: 'Which users are in error?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_q1', type: 'function', function: { name: 'query_db', arguments: '{"sql":"select *"}' } }] },
    { role: 'tool', tool_call_id: 'call_q1', content: jsonRows(seed, 400) },
  ];

  it('OpenAI chat non-streaming and streaming (SDK): final message only, round trip upstream', async () => {
    scriptRetrieve('chat final');
    const res = await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages('c1') });
    expect(JSON.stringify(res)).not.toContain('leeway_retrieve');
    expect(res.choices[0]!.message.content).toBe('chat final');
    expect(res.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(h.upstream.requests).toHaveLength(2);
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toBe(jsonRows('c1', 400));

    h.upstream.clearRequests();
    scriptRetrieve('chat streamed final');
    const seen = h.sink.records.length;
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages('c2'), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(JSON.stringify(chunks)).not.toContain('leeway_retrieve');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('chat streamed final');
    expect(chunks.some((c) => c.usage)).toBe(false); // the client did not ask for usage
    expect(h.upstream.requests).toHaveLength(2);
    // …but the exchange record keeps the real usage, summed over both rounds (I8).
    const record = await h.sink.nth(seen + 1);
    const sent = h.upstream.requests.map((r) => Number(r.reply!.usage!['prompt_tokens']));
    expect(record.usage.inputTokens).toBe(sent[0]! + sent[1]!);
  });

  const responsesInput = (seed: string): OpenAI.Responses.ResponseInput => [
    { role: 'user', content: 'Which users are in error?' },
    { type: 'function_call', call_id: 'call_r1', name: 'query_db', arguments: '{"sql":"select *"}' },
    { type: 'function_call_output', call_id: 'call_r1', output: jsonRows(seed, 400) },
  ];

  it('OpenAI Responses non-streaming and streaming (SDK): no retrieve item, no echoed tool, round trip upstream', async () => {
    scriptRetrieve('responses final');
    const res = await openai.responses.create({ model: 'gpt-5', input: responsesInput('r1') });
    expect(JSON.stringify(res)).not.toContain('leeway_retrieve');
    expect(res.output_text).toBe('responses final');
    expect(h.upstream.requests).toHaveLength(2);
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toBe(jsonRows('r1', 400));

    h.upstream.clearRequests();
    scriptRetrieve('responses streamed');
    const stream = openai.responses.stream({ model: 'gpt-5', input: responsesInput('r2') });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(JSON.stringify(events)).not.toContain('leeway_retrieve');
    expect(final.output_text).toBe('responses streamed');
    expect(h.upstream.requests).toHaveLength(2);
  });

  it('keys match case-insensitively: an uppercase key resolves', async () => {
    scriptRetrieve('upper ok', (k) => k.toUpperCase());
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages: anthropicTurn('upper') });
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toBe(jsonRows('upper', 400));
  });

  it('an unknown / expired key gets a clear tool result, not an error', async () => {
    scriptRetrieve('gone', () => 'lw_00000000deadbeef');
    const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages: anthropicTurn('expired') });
    expect(msg.content).toEqual([{ type: 'text', text: 'gone' }]);
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toMatch(/expired or never existed\. Re-run the command/);
  });

  it('team isolation: team B cannot retrieve team A’s original with A’s key', async () => {
    const teamA = { ...ANTHROPIC_HEADERS, 'x-leeway-key': 'team-a' };
    const teamB = { ...ANTHROPIC_HEADERS, 'x-leeway-key': 'team-b' };
    const body = (messages: unknown) => JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages });
    await postRaw(`${h.url}/v1/messages`, body(anthropicTurn('iso-a')), teamA);
    const keyA = keyIn(h.upstream.requests.at(-1)!.body);
    h.upstream.clearRequests();
    // Team B's own conversation has a marker (so B's request carries the tool); the model asks for A's key.
    h.upstream.script({ toolCalls: [{ name: 'leeway_retrieve', input: { key: keyA } }] }, { text: 'b done' });
    const res = await postRaw(`${h.url}/v1/messages`, body(anthropicTurn('iso-b')), teamB);
    expect(res.status).toBe(200);
    expect(res.body.toString()).not.toContain('leeway_retrieve');
    const answer = retrieveAnswerIn(h.upstream.requests[1]!);
    expect(answer).toMatch(/expired or never existed/);
    expect(answer).not.toContain('iso-a-user');
    // Same key, same tenant: resolves.
    h.upstream.clearRequests();
    h.upstream.script({ toolCalls: [{ name: 'leeway_retrieve', input: { key: keyA } }] }, { text: 'a done' });
    await postRaw(`${h.url}/v1/messages`, body(anthropicTurn('iso-a')), teamA);
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toBe(jsonRows('iso-a', 400));
  });

  it('retrieve together with a client tool: retrieve answered first, the client tool reaches the client as the model re-issues it', async () => {
    h.upstream.script(
      (rec) => ({ toolCalls: [{ name: 'leeway_retrieve', input: { key: keyIn(rec.body) } }, { id: 'toolu_client_1', name: 'query_db', input: { sql: 'select 1' } }] }),
      { toolCalls: [{ id: 'toolu_client_2', name: 'query_db', input: { sql: 'select 2' } }] },
    );
    const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages: anthropicTurn('mixed') });
    expect(JSON.stringify(msg)).not.toContain('leeway_retrieve');
    const uses = msg.content.filter((b) => b.type === 'tool_use');
    expect(uses.map((u) => (u).id)).toEqual(['toolu_client_2']);
    expect(msg.stop_reason).toBe('tool_use');
    // The continuation answered only the retrieve call (the withheld client call is not part of it).
    const cont = h.upstream.requests[1]!.json as { messages: { content: Json[] }[] };
    const assistant = cont.messages.at(-2)!.content;
    expect(assistant.filter((b) => b['type'] === 'tool_use').map((b) => b['name'])).toEqual(['leeway_retrieve']);
    // The client can answer its call: the next turn is served normally.
    h.upstream.script({ text: 'thanks' });
    const next = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      tools: [QUERY_TOOL],
      messages: [...anthropicTurn('mixed'), { role: 'assistant', content: msg.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_client_2', content: '1 row' }] }],
    });
    expect(next.content).toEqual([{ type: 'text', text: 'thanks' }]);
  });

  it('two retrieve rounds in a row (streaming): three upstream requests, one stream, block indices consistent', async () => {
    h.upstream.script(
      (rec) => ({ text: 'Let me look.', toolCalls: [{ name: 'leeway_retrieve', input: { key: keyIn(rec.body), query: 'error' } }] }),
      (rec) => ({ toolCalls: [{ name: 'leeway_retrieve', input: { key: keyIn(rec.body) } }] }),
      { text: 'Done after two looks.' },
    );
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [QUERY_TOOL], messages: anthropicTurn('twice') });
    const events: { type: string; index?: number }[] = [];
    stream.on('streamEvent', (e) => events.push(e as { type: string; index?: number }));
    const msg = await stream.finalMessage();
    expect(h.upstream.requests).toHaveLength(3);
    expect(JSON.stringify(events)).not.toContain('leeway_retrieve');
    expect(msg.content.map((b) => (b.type === 'text' ? b.text : b.type)).join('|')).toMatch(/Let me look\.[\s\S]*Done after two looks\./);
    expect(events.filter((e) => e.type === 'message_start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'message_stop')).toHaveLength(1);
    const starts = events.filter((e) => e.type === 'content_block_start').map((e) => e.index);
    expect(starts).toEqual(starts.map((_, i) => i));
    // The query narrowed the first answer to the matching lines.
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).toMatch(/"status": "error"/);
    expect(retrieveAnswerIn(h.upstream.requests[1]!)).not.toMatch(/"status": "ok"/);
  });

  it('the round limit ends the loop: the last retrieve call stays hidden', async () => {
    const limited = await startHarness({ upstreamOptions: { tokenizer: 'approximate' }, env: { LEEWAY_RETRIEVE_MAX_ROUNDS: '2' } });
    try {
      const always = (rec: RecordedRequest) => ({ toolCalls: [{ name: 'leeway_retrieve', input: { key: keyIn(rec.body) } }] });
      limited.upstream.script(always, always, always);
      const res = await postRaw(
        `${limited.url}/v1/messages`,
        JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages: anthropicTurn('limit') }),
        ANTHROPIC_HEADERS,
      );
      expect(res.status).toBe(200);
      expect(res.body.toString()).not.toContain('leeway_retrieve');
      expect(limited.upstream.requests).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });

  it('sticky: once added, the tool is byte-identical on every later turn, even when the history no longer shows a marker', async () => {
    const session = { ...ANTHROPIC_HEADERS, 'x-leeway-session': 'sticky-1' };
    const turn1 = anthropicTurn('sticky');
    const send = (messages: unknown) =>
      postRaw(`${h.url}/v1/messages`, JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL], messages }), session);
    await send(turn1);
    const first = h.upstream.requests.at(-1)!;
    const toolsOf = (rec: RecordedRequest) => {
      const text = rec.body.toString();
      const start = text.indexOf('"tools":');
      return text.slice(start, text.indexOf(']', text.indexOf('"name":"leeway_retrieve"')) + 1);
    };
    const tools1 = toolsOf(first);
    expect(tools1).toContain('"name":"leeway_retrieve"');
    const turn2 = [...turn1, { role: 'assistant', content: [{ type: 'text', text: 'ok' }] }, { role: 'user', content: 'and now?' }];
    await send(turn2);
    expect(toolsOf(h.upstream.requests.at(-1)!)).toBe(tools1);
    // A compacted history (no marker left) in the same session keeps the tool, byte for byte.
    await send([{ role: 'user', content: 'Which users are in error?' }, { role: 'assistant', content: 'summary' }, { role: 'user', content: 'go on' }]);
    expect(toolsOf(h.upstream.requests.at(-1)!)).toBe(tools1);
    // A conversation that never had a marker gets no tool.
    await postRaw(`${h.url}/v1/messages`, JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }), {
      ...ANTHROPIC_HEADERS,
      'x-leeway-session': 'never-marked',
    });
    expect(h.upstream.requests.at(-1)!.body.toString()).not.toContain('leeway_retrieve');
  });

  it('a client that declares its own leeway_retrieve keeps it: Leeway adds nothing and answers nothing', async () => {
    const own = { name: 'leeway_retrieve', description: 'mine', input_schema: { type: 'object', properties: {} } };
    h.upstream.script({ toolCalls: [{ name: 'leeway_retrieve', input: {} }] });
    const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: [QUERY_TOOL, own as Anthropic.Tool], messages: anthropicTurn('own') });
    expect(h.upstream.requests).toHaveLength(1);
    expect((msg.content[0] as Anthropic.ToolUseBlock).name).toBe('leeway_retrieve');
    expect(h.upstream.requests[0]!.body.toString().match(/"name":"leeway_retrieve"/g)).toHaveLength(1);
  });

  it('count_tokens counts the body Leeway would forward (compressed, tool included)', async () => {
    const body = JSON.stringify({ model: 'claude-sonnet-4-5', tools: [QUERY_TOOL], messages: anthropicTurn('count') });
    const res = await postRaw(`${h.url}/v1/messages/count_tokens`, body, ANTHROPIC_HEADERS);
    expect(res.status).toBe(200);
    const forwarded = h.upstream.requests.at(-1)!;
    expect(forwarded.path).toBe('/v1/messages/count_tokens');
    expect(forwarded.body.length).toBeLessThan(Buffer.byteLength(body) / 2);
    expect(forwarded.body.toString()).toContain('"name":"leeway_retrieve"');
    // The messages request of the same turn forwards the same compressed text.
    await postRaw(`${h.url}/v1/messages`, JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, tools: [QUERY_TOOL], messages: anthropicTurn('count') }), ANTHROPIC_HEADERS);
    expect(keyIn(h.upstream.requests.at(-1)!.body)).toBe(keyIn(forwarded.body));
  });
});
