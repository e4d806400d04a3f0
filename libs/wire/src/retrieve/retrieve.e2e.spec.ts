/**
 * The retrieve loop end to end against the fake upstream, with the official SDKs parsing what the client
 * receives: no `leeway_retrieve` call ever visible, one well-formed final message, usage summed over the
 * billed rounds, and the continuation requests extending the previous round's bytes.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream, type ScriptedMessage } from '@leeway/testing';
import type { WireApi } from '../providers/provider-adapter';
import { parseSse } from '../sse-parser';
import {
  extendsBody,
  firstRequest,
  KEY,
  ORIGINAL,
  recordedUsageSum,
  runNonStream,
  runStream,
  serveToClient,
  storeResolver,
} from './retrieve.test-support';

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
  expect(upstream.pendingScripts()).toBe(0);
});

const APIS: WireApi[] = ['anthropic-messages', 'openai-chat', 'openai-responses'];

const retrieveCall = (id: string, key = KEY.toUpperCase(), query?: string): ScriptedMessage['toolCalls'] => [
  { id, name: 'leeway_retrieve', input: query ? { key, query } : { key } },
];

interface ClientView {
  readonly texts: string[];
  readonly toolCalls: { id: string; name: string }[];
  readonly stop: string | null;
  readonly input: number;
  readonly output: number;
  readonly id: string;
}

/** Parses what the client received with the official SDK (streaming helpers or plain create). */
async function sdkView(api: WireApi, stream: boolean): Promise<ClientView> {
  if (api === 'anthropic-messages') {
    const params = { model: 'claude-sonnet-4-5', max_tokens: 512, messages: [{ role: 'user' as const, content: 'x' }] };
    const msg = stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
    return {
      texts: msg.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])),
      toolCalls: msg.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name }] : [])),
      stop: msg.stop_reason,
      input: msg.usage.input_tokens,
      output: msg.usage.output_tokens,
      id: msg.id,
    };
  }
  if (api === 'openai-chat') {
    const params = { model: 'gpt-5', messages: [{ role: 'user' as const, content: 'x' }] };
    const c = stream
      ? await openai.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion()
      : await openai.chat.completions.create(params);
    const m = c.choices[0]!.message;
    return {
      texts: m.content ? [m.content] : [],
      toolCalls: (m.tool_calls ?? []).map((t) => ({ id: t.id, name: t.type === 'function' ? t.function.name : t.type })),
      stop: c.choices[0]!.finish_reason,
      input: c.usage?.prompt_tokens ?? -1,
      output: c.usage?.completion_tokens ?? -1,
      id: c.id,
    };
  }
  const params = { model: 'gpt-5', input: 'x' };
  const r = stream ? await openai.responses.stream(params).finalResponse() : await openai.responses.create(params);
  return {
    texts: r.output.flatMap((i) => (i.type === 'message' ? i.content.flatMap((p) => (p.type === 'output_text' ? [p.text] : [])) : [])),
    toolCalls: r.output.flatMap((i) => (i.type === 'function_call' ? [{ id: i.call_id, name: i.name }] : [])),
    stop: r.status ?? null,
    input: r.usage?.input_tokens ?? -1,
    output: r.usage?.output_tokens ?? -1,
    id: r.id,
  };
}

function usageField(api: WireApi): { input: string; output: string } {
  return api === 'openai-chat' ? { input: 'prompt_tokens', output: 'completion_tokens' } : { input: 'input_tokens', output: 'output_tokens' };
}

/** Structural checks of a spliced stream, per API. */
function checkStreamShape(api: WireApi, bytes: Buffer): void {
  const events = parseSse(bytes).filter((e) => e.data !== null);
  const datas = events.map((e) => (e.data === '[DONE]' ? '[DONE]' : (JSON.parse(e.data!) as Record<string, unknown>)));
  expect(bytes.toString()).not.toContain('leeway_retrieve');
  if (api === 'anthropic-messages') {
    const types = datas.map((d) => (d as Record<string, unknown>)['type']);
    expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
    expect(types.filter((t) => t === 'message_stop')).toHaveLength(1);
    expect(types.filter((t) => t === 'message_delta')).toHaveLength(1);
    const start = datas.find((d) => (d as Record<string, unknown>)['type'] === 'message_start') as { message: { usage: { input_tokens: number } } };
    expect(start.message.usage.input_tokens).toBe((upstream.requests[0]!.reply!.usage as { input_tokens: number }).input_tokens);
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
    // indices: opened in order 0..n-1, every delta/stop refers to the open block, text blocks get text
    let next = 0;
    let open: number | null = null;
    let openType: string | null = null;
    let textSeen = false;
    for (const d of datas as Record<string, unknown>[]) {
      if (d['type'] === 'content_block_start') {
        expect(open).toBeNull();
        expect(d['index']).toBe(next++);
        open = d['index'] as number;
        openType = (d['content_block'] as { type: string }).type;
        textSeen = false;
      } else if (d['type'] === 'content_block_delta') {
        expect(d['index']).toBe(open);
        const delta = d['delta'] as { type: string; text?: string };
        if (delta.type === 'text_delta' && (delta.text ?? '').length > 0) textSeen = true;
      } else if (d['type'] === 'content_block_stop') {
        expect(d['index']).toBe(open);
        if (openType === 'text') expect(textSeen).toBe(true);
        open = null;
      }
    }
  } else if (api === 'openai-chat') {
    expect(datas.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(datas[datas.length - 1]).toBe('[DONE]');
    const ids = new Set(datas.flatMap((d) => (d === '[DONE]' ? [] : [d['id']])));
    expect(ids.size).toBe(1);
    const finishes = datas.filter((d) => d !== '[DONE]' && ((d as { choices: { finish_reason: unknown }[] }).choices[0]?.finish_reason ?? null) !== null);
    expect(finishes).toHaveLength(1);
  } else {
    const types = datas.map((d) => (d as Record<string, unknown>)['type']);
    expect(types.filter((t) => t === 'response.created')).toHaveLength(1);
    expect(types.filter((t) => t === 'response.completed')).toHaveLength(1);
    const seqs = datas.map((d) => (d as Record<string, unknown>)['sequence_number']);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  }
}

describe.each(APIS)('retrieve loop, %s', (api) => {
  const ids = api === 'anthropic-messages' ? { r1: 'toolu_r1', r2: 'toolu_r2', c1: 'toolu_c1', c2: 'toolu_c2' } : { r1: 'call_r1', r2: 'call_r2', c1: 'call_c1', c2: 'call_c2' };
  const f = usageField(api);

  it('streaming, uppercase key: one coherent stream, retrieve hidden, usage summed, continuation extends round 1', async () => {
    upstream.script({ text: 'Let me read the full log.', toolCalls: retrieveCall(ids.r1) }, { text: 'Row 18 says ERROR disk full.' });
    const body = firstRequest(api, true);
    const { result, clientBytes } = await runStream(upstream, api, body);
    expect(result.rounds).toBe(2);
    expect(result.answers[0]!.map((a) => a.status)).toEqual(['found']);
    expect(upstream.requests).toHaveLength(2);
    const cont = upstream.requests[1]!;
    expect(cont.body.toString()).toContain(JSON.stringify(ORIGINAL));
    expect(extendsBody(api, upstream.requests[0]!.body, cont.body)).toBe(true);
    checkStreamShape(api, clientBytes);
    const inputSum = recordedUsageSum(upstream, 0, 2, f.input);
    const outputSum = recordedUsageSum(upstream, 0, 2, f.output);
    expect(result.usage.outputTokens).toBe(outputSum);

    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    const view = await sdkView(api, true);
    expect(view.texts.join(' ')).toContain('Let me read the full log.');
    expect(view.texts.join(' ')).toContain('Row 18 says ERROR disk full.');
    expect(view.toolCalls).toEqual([]);
    expect(view.input).toBe(inputSum);
    expect(view.output).toBe(outputSum);
    expect(view.stop).toBe(api === 'anthropic-messages' ? 'end_turn' : api === 'openai-chat' ? 'stop' : 'completed');
  });

  it('non-streaming: the client gets only the final, merged response with summed usage', async () => {
    upstream.script({ text: 'Checking.', toolCalls: retrieveCall(ids.r1, KEY, 'error') }, { text: 'Disk full.' });
    const result = await runNonStream(upstream, api, firstRequest(api, false));
    expect(result.rounds).toBe(2);
    expect(result.changed).toBe(true);
    expect(upstream.requests[1]!.body.toString()).toContain('18: row 18: ERROR disk full');
    expect(result.responseBody.toString()).not.toContain('leeway_retrieve');
    serveToClient(upstream, api, result.responseBody, 'application/json');
    const view = await sdkView(api, false);
    expect(view.texts.join('|')).toMatch(/Checking\..*Disk full\./s);
    expect(view.toolCalls).toEqual([]);
    expect(view.input).toBe(recordedUsageSum(upstream, 0, 2, f.input));
    expect(view.output).toBe(recordedUsageSum(upstream, 0, 2, f.output));
  });

  it('expired key: the model gets a clear tool result, the client a normal answer', async () => {
    upstream.script({ toolCalls: retrieveCall(ids.r1, 'lw_00000000deadbeef') }, { text: 'The output expired; re-running.' });
    const { result, clientBytes } = await runStream(upstream, api, firstRequest(api, true), { resolve: storeResolver({}) });
    expect(result.answers[0]![0]!.status).toBe('unknown');
    expect(upstream.requests[1]!.body.toString()).toMatch(/expired or never existed\. Re-run the command/);
    checkStreamShape(api, clientBytes);
    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    const view = await sdkView(api, true);
    expect(view.texts.join('')).toBe('The output expired; re-running.');
  });

  it('twice in a row: three rounds, each continuation extends the previous one', async () => {
    upstream.script(
      { text: 'First look.', toolCalls: retrieveCall(ids.r1) },
      { text: 'One more.', toolCalls: retrieveCall(ids.r2, KEY, 'row 3') },
      { text: 'Done.' },
    );
    const { result, clientBytes } = await runStream(upstream, api, firstRequest(api, true));
    expect(result.rounds).toBe(3);
    expect(upstream.requests).toHaveLength(3);
    expect(extendsBody(api, upstream.requests[0]!.body, upstream.requests[1]!.body)).toBe(true);
    expect(extendsBody(api, upstream.requests[1]!.body, upstream.requests[2]!.body)).toBe(true);
    checkStreamShape(api, clientBytes);
    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    const view = await sdkView(api, true);
    expect(view.texts.join(' ')).toMatch(/First look\..*One more\..*Done\./s);
    expect(view.input).toBe(recordedUsageSum(upstream, 0, 3, f.input));
    expect(view.output).toBe(recordedUsageSum(upstream, 0, 3, f.output));
  });

  it('retrieve + client tool in one turn: retrieve first, the client gets only calls it can answer', async () => {
    upstream.script(
      { text: 'Two things.', toolCalls: [{ id: ids.c1, name: 'bash', input: { command: 'df -h' } }, ...retrieveCall(ids.r1)!] },
      { text: 'Now I know; checking the disk.', toolCalls: [{ id: ids.c2, name: 'bash', input: { command: 'df -h /var' } }] },
    );
    const { result, clientBytes } = await runStream(upstream, api, firstRequest(api, true));
    expect(result.rounds).toBe(2);
    const cont = upstream.requests[1]!.body.toString();
    expect(cont).not.toContain(ids.c1); // the withheld call is not in the continuation …
    expect(cont).toContain(ids.r1); // … the retrieve call and its answer are
    checkStreamShape(api, clientBytes);
    expect(clientBytes.toString()).not.toContain(ids.c1);
    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    const view = await sdkView(api, true);
    expect(view.toolCalls).toEqual([{ id: ids.c2, name: 'bash' }]);
    expect(view.stop).toBe(api === 'anthropic-messages' ? 'tool_use' : api === 'openai-chat' ? 'tool_calls' : 'completed');

    // non-streaming, same design
    upstream.clearRequests();
    upstream.script(
      { toolCalls: [...retrieveCall(ids.r1)!, { id: ids.c1, name: 'bash', input: { command: 'ls' } }] },
      { toolCalls: [{ id: ids.c2, name: 'bash', input: { command: 'ls /var' } }] },
    );
    const merged = await runNonStream(upstream, api, firstRequest(api, false));
    serveToClient(upstream, api, merged.responseBody, 'application/json');
    const nv = await sdkView(api, false);
    expect(nv.toolCalls).toEqual([{ id: ids.c2, name: 'bash' }]);
  });

  it('round limit: the last retrieve stays hidden and the response ends normally', async () => {
    upstream.script({ text: 'Looking.', toolCalls: retrieveCall(ids.r1) }, { text: 'Still looking.', toolCalls: retrieveCall(ids.r2) });
    const { result, clientBytes } = await runStream(upstream, api, firstRequest(api, true), { maxRounds: 2 });
    expect(result.end).toBe('round-limit');
    expect(upstream.requests).toHaveLength(2);
    checkStreamShape(api, clientBytes);
    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    const view = await sdkView(api, true);
    expect(view.toolCalls).toEqual([]);
    expect(view.stop).toBe(api === 'anthropic-messages' ? 'end_turn' : api === 'openai-chat' ? 'stop' : 'completed');
    expect(view.input).toBe(recordedUsageSum(upstream, 0, 2, f.input));
  });

  it('no retrieve call: the stream reaches the client byte for byte', async () => {
    upstream.script({ text: 'Nothing to fetch. ✓ 完成', toolCalls: [{ id: ids.c1, name: 'bash', input: { command: 'ls' } }] });
    const { result, clientBytes, firstUpstreamBytes } = await runStream(upstream, api, firstRequest(api, true));
    expect(result.rounds).toBe(1);
    if (api !== 'openai-responses') {
      expect(clientBytes.equals(firstUpstreamBytes)).toBe(true);
      return;
    }
    // Responses echo the request's tools in the response object: only that echo loses Leeway's tool.
    const sent = parseSse(clientBytes);
    const got = parseSse(firstUpstreamBytes);
    expect(sent).toHaveLength(got.length);
    sent.forEach((e, i) => {
      const upstreamEvent = got[i]!;
      const data = JSON.parse(upstreamEvent.data!) as { response?: { tools?: { name?: string }[] } };
      if (data.response?.tools?.some((t) => t.name === 'leeway_retrieve')) {
        data.response.tools = data.response.tools.filter((t) => t.name !== 'leeway_retrieve');
        expect(JSON.parse(e.data!)).toEqual(data);
      } else {
        expect(Buffer.from(e.raw).equals(Buffer.from(upstreamEvent.raw))).toBe(true);
      }
    });
    expect(clientBytes.toString()).not.toContain('leeway_retrieve');
  });

  it('a failing continuation ends the stream with the provider’s error, which the SDK raises', async () => {
    upstream.script({ text: 'Let me see.', toolCalls: retrieveCall(ids.r1) }, { type: 'error', status: 529 });
    const { result, clientBytes } = await runStream(upstream, api, firstRequest(api, true));
    expect(result.end).toBe('upstream-error');
    serveToClient(upstream, api, clientBytes, 'text/event-stream');
    await expect(sdkView(api, true)).rejects.toThrow();
  });
});
