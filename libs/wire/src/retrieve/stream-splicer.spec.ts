import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSse, SseParser } from '../sse-parser';
import { createStreamSplicer, type StreamSplicer } from './stream-splicer';

type Json = Record<string, unknown>;

const ev = (name: string | null, data: unknown): string => `${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** Feeds a whole round (SSE text) and ends it. */
function feed(s: StreamSplicer, sse: string): { out: string; end: ReturnType<StreamSplicer['endRound']> } {
  let out = '';
  for (const e of parseSse(Buffer.from(sse))) out += s.push(e).toString();
  const end = s.endRound();
  return { out: out + end.out.toString(), end };
}

function datas(sse: string): Json[] {
  return parseSse(Buffer.from(sse))
    .filter((e) => e.data !== null && e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data!) as Json);
}

// ---- Anthropic -----------------------------------------------------------------------------------

const usage = (input: number, output: number, read = 0, write = 0): Json => ({ input_tokens: input, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: output });
const aStart = (u: Json): string => ev('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: u } });
const aBlock = (index: number, block: Json, deltas: Json[]): string =>
  ev('content_block_start', { type: 'content_block_start', index, content_block: block }) +
  deltas.map((delta) => ev('content_block_delta', { type: 'content_block_delta', index, delta })).join('') +
  ev('content_block_stop', { type: 'content_block_stop', index });
const aEnd = (stop: string, u: Json): string => ev('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: u }) + ev('message_stop', { type: 'message_stop' });
const retrieveUse = (index: number, id: string, json: string): string => aBlock(index, { type: 'tool_use', id, name: 'leeway_retrieve', input: {} }, [{ type: 'input_json_delta', partial_json: json }]);

describe('Anthropic splicer', () => {
  it('keeps thinking + text before the retrieve call, replays them in the continuation, sums usage', () => {
    const s = createStreamSplicer('anthropic-messages');
    const round1 =
      aStart(usage(1000, 1, 200, 50)) +
      aBlock(0, { type: 'thinking', thinking: '', signature: '' }, [{ type: 'thinking_delta', thinking: 'need the log' }, { type: 'signature_delta', signature: 'SIG' }]) +
      aBlock(1, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'Reading.' }]) +
      retrieveUse(2, 'toolu_r', '{"key":"LW_0123456789ABCDEF"}') +
      aEnd('tool_use', { output_tokens: 30 });
    const r1 = feed(s, round1);
    expect(r1.end.status).toBe('continue');
    if (r1.end.status !== 'continue') return;
    expect(r1.end.turn.retrieveCalls).toEqual([{ id: 'toolu_r', arguments: '{"key":"LW_0123456789ABCDEF"}', key: 'lw_0123456789abcdef', rawKey: 'LW_0123456789ABCDEF', query: null }]);
    expect(r1.end.turn.items).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'need the log', signature: 'SIG' },
          { type: 'text', text: 'Reading.' },
          { type: 'tool_use', id: 'toolu_r', name: 'leeway_retrieve', input: { key: 'LW_0123456789ABCDEF' } },
        ],
      },
    ]);
    // round 1's output so far: everything but the retrieve block and the terminal events
    expect(r1.out).toBe(aStart(usage(1000, 1, 200, 50)) + round1.slice(aStart(usage(1000, 1, 200, 50)).length, round1.indexOf('event: content_block_start\ndata: {"type":"content_block_start","index":2')));

    s.beginRound();
    const round2 = aStart(usage(1100, 1, 1200, 0)) + ev('ping', { type: 'ping' }) + aBlock(0, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'Found it.' }]) + aEnd('end_turn', { output_tokens: 12 });
    const r2 = feed(s, round2);
    expect(r2.end).toMatchObject({ status: 'done', outcome: 'complete' });
    const out = datas(r2.out);
    expect(out.map((d) => d['type'])).toEqual(['ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(out[1]!['index']).toBe(2);
    expect(out[4]).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 2100, cache_read_input_tokens: 1400, cache_creation_input_tokens: 50, output_tokens: 42 } });
    expect(s.totalUsage()).toMatchObject({ inputTokens: 2100, outputTokens: 42, cacheReadTokens: 1400, cacheWrite5mTokens: 50 });
    expect(s.roundUsages().map((u) => u.inputTokens)).toEqual([1000, 1100]);
  });

  it('never opens a text block it sends no text for (a start without text waits for the first text)', () => {
    const s = createStreamSplicer('anthropic-messages');
    feed(s, aStart(usage(10, 1)) + retrieveUse(0, 'toolu_r', '{"key":"lw_0123456789abcdef"}') + aEnd('tool_use', { output_tokens: 5 }));
    s.beginRound();
    const r2 = feed(s, aStart(usage(20, 1)) + aBlock(0, { type: 'text', text: '' }, []) + aBlock(1, { type: 'text', text: '' }, [{ type: 'text_delta', text: '' }, { type: 'text_delta', text: 'ok' }]) + aEnd('end_turn', { output_tokens: 3 }));
    const out = datas(r2.out);
    expect(out.filter((d) => d['type'] === 'content_block_start').map((d) => d['index'])).toEqual([0]);
    expect(out.filter((d) => d['type'] === 'content_block_delta').map((d) => (d['delta'] as Json)['text'])).toEqual(['', 'ok']);
  });

  it('deferred usage (zeros in message_start): the final delta still reports the real sums', () => {
    const s = createStreamSplicer('anthropic-messages');
    const zero = usage(0, 0);
    feed(s, aStart(zero) + retrieveUse(0, 't', '{"key":"lw_0123456789abcdef"}') + aEnd('tool_use', usage(500, 9, 0, 700)));
    s.beginRound();
    const r2 = feed(s, aStart(zero) + aBlock(0, { type: 'text', text: 'x' }, []) + aEnd('end_turn', usage(40, 4, 1200, 0)));
    expect(datas(r2.out).find((d) => d['type'] === 'message_delta')!['usage']).toEqual(usage(540, 13, 1200, 700));
  });

  it('finish() after a continued round releases withheld client calls; fail() sends an error event', () => {
    const s = createStreamSplicer('anthropic-messages');
    const r1 = feed(
      s,
      aStart(usage(10, 1)) +
        aBlock(0, { type: 'tool_use', id: 'toolu_c', name: 'bash', input: {} }, [{ type: 'input_json_delta', partial_json: '{"command":"ls"}' }]) +
        retrieveUse(1, 'toolu_r', '{"key":"lw_0123456789abcdef"}') +
        aEnd('tool_use', { output_tokens: 5 }),
    );
    expect(r1.end.status === 'continue' && r1.end.turn.withheldCalls).toEqual([{ id: 'toolu_c', name: 'bash' }]);
    expect(r1.out).not.toContain('toolu_c');
    const fin = datas(s.finish().toString());
    expect(fin.map((d) => d['type'])).toEqual(['content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(fin[0]).toMatchObject({ index: 0, content_block: { id: 'toolu_c' } });
    expect((fin[3]!['delta'] as Json)['stop_reason']).toBe('tool_use');
    expect(s.finish().length).toBe(0);

    const f = createStreamSplicer('anthropic-messages');
    feed(f, aStart(usage(10, 1)) + retrieveUse(0, 'toolu_r', '{}') + aEnd('tool_use', { output_tokens: 5 }));
    expect(datas(f.fail({ type: 'overloaded_error', message: 'busy' }).toString())).toEqual([{ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }]);
  });

  it('a retrieve call cut by max_tokens is not continued; a truncated stream is reported truncated', () => {
    const s = createStreamSplicer('anthropic-messages');
    const r = feed(s, aStart(usage(10, 1)) + aBlock(0, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'a' }]) + retrieveUse(1, 't', '{"key":"lw_01') + aEnd('max_tokens', { output_tokens: 5 }));
    expect(r.end).toMatchObject({ status: 'done', outcome: 'complete' });
    expect(datas(r.out).find((d) => d['type'] === 'message_delta')!['delta']).toMatchObject({ stop_reason: 'max_tokens' });
    const t = createStreamSplicer('anthropic-messages');
    expect(feed(t, aStart(usage(10, 1)) + aBlock(0, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'a' }])).end).toMatchObject({ status: 'done', outcome: 'truncated' });
  });
});

// ---- Chat ----------------------------------------------------------------------------------------

const chunk = (id: string, delta: Json, finish: string | null = null): string =>
  ev(null, { id, object: 'chat.completion.chunk', created: id === 'c1' ? 111 : 222, model: 'gpt-5', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
const usageChunk = (id: string, prompt: number, completion: number, cached = 0): string =>
  ev(null, { id, object: 'chat.completion.chunk', created: 1, model: 'gpt-5', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } } });
const call = (index: number, id: string, name: string, args: string): string[] => [
  chunk('x', { tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }),
  chunk('x', { tool_calls: [{ index, function: { arguments: args } }] }),
];

describe('Chat splicer', () => {
  it('one id, a blank line between rounds, re-indexed client calls, summed usage, one [DONE]', () => {
    const s = createStreamSplicer('openai-chat');
    const r1 = feed(
      s,
      chunk('c1', { role: 'assistant', content: '' }) +
        chunk('c1', { content: 'Reading' }) +
        call(0, 'call_r', 'leeway_retrieve', '{"key":"lw_0123456789abcdef"}').join('').replaceAll('"x"', '"c1"') +
        chunk('c1', {}, 'tool_calls') +
        usageChunk('c1', 100, 10, 50) +
        'data: [DONE]\n\n',
    );
    expect(r1.end.status).toBe('continue');
    expect(r1.end.status === 'continue' && r1.end.turn.items).toEqual([
      { role: 'assistant', content: 'Reading', tool_calls: [{ id: 'call_r', type: 'function', function: { name: 'leeway_retrieve', arguments: '{"key":"lw_0123456789abcdef"}' } }] },
    ]);
    s.beginRound();
    const r2 = feed(
      s,
      chunk('c2', { role: 'assistant', content: '' }) +
        chunk('c2', { content: 'Found.' }) +
        call(1, 'call_b', 'bash', '{"command":"ls"}').join('').replaceAll('"x"', '"c2"') +
        chunk('c2', {}, 'tool_calls') +
        usageChunk('c2', 150, 20, 100) +
        'data: [DONE]\n\n',
    );
    const all = r1.out + r2.out;
    expect(all.match(/\[DONE\]/g)).toHaveLength(1);
    const chunks = datas(all);
    expect(new Set(chunks.map((c) => c['id']))).toEqual(new Set(['c1']));
    const contents = chunks.flatMap((c) => (c['choices'] as Json[]).map((ch) => (ch['delta'] as Json | undefined)?.['content']).filter((x) => typeof x === 'string'));
    expect(contents.join('')).toBe('Reading\n\nFound.');
    const calls = chunks.flatMap((c) => (c['choices'] as Json[]).flatMap((ch) => ((ch['delta'] as Json | undefined)?.['tool_calls'] as Json[] | undefined) ?? []));
    expect(calls.map((c) => c['index'])).toEqual([0, 0]);
    expect(chunks.at(-1)!['usage']).toEqual({ prompt_tokens: 250, completion_tokens: 30, total_tokens: 280, prompt_tokens_details: { cached_tokens: 150 } });
    expect(all).not.toContain('leeway_retrieve');
  });

  it('drops the usage chunk for a client that did not ask for usage', () => {
    const s = createStreamSplicer('openai-chat', { clientWantsUsage: false });
    const r = feed(s, chunk('c1', { role: 'assistant', content: 'hi' }) + chunk('c1', {}, 'stop') + usageChunk('c1', 5, 1) + 'data: [DONE]\n\n');
    expect(r.out).not.toContain('"usage":{');
    expect(s.totalUsage().inputTokens).toBe(5);
  });
});

// ---- Responses -----------------------------------------------------------------------------------

describe('Responses splicer', () => {
  const resp = (id: string, status: string, output: unknown[], usageObj: unknown): Json => ({ id, object: 'response', status, output, usage: usageObj, tools: [{ type: 'function', name: 'leeway_retrieve' }, { type: 'function', name: 'bash' }] });
  const e = (type: string, seq: number, payload: Json): string => ev(type, { type, sequence_number: seq, ...payload });
  const u = (input: number, output: number): Json => ({ input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output });

  it('renumbers sequence numbers and output indices, hides the call and the echoed tool, sums usage', () => {
    const s = createStreamSplicer('openai-responses');
    const fc = { id: 'fc_1', type: 'function_call', status: 'completed', name: 'leeway_retrieve', call_id: 'call_r', arguments: '{"key":"lw_0123456789abcdef"}' };
    const msg1 = { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me see.', annotations: [] }] };
    const r1 = feed(
      s,
      e('response.created', 0, { response: resp('resp_1', 'in_progress', [], null) }) +
        e('response.output_item.added', 1, { output_index: 0, item: { ...msg1, status: 'in_progress', content: [] } }) +
        e('response.output_text.delta', 2, { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Let me see.' }) +
        e('response.output_item.done', 3, { output_index: 0, item: msg1 }) +
        e('response.output_item.added', 4, { output_index: 1, item: { ...fc, arguments: '' } }) +
        e('response.function_call_arguments.done', 5, { item_id: 'fc_1', output_index: 1, arguments: fc.arguments }) +
        e('response.output_item.done', 6, { output_index: 1, item: fc }) +
        e('response.completed', 7, { response: resp('resp_1', 'completed', [msg1, fc], u(100, 10)) }),
    );
    expect(r1.end.status === 'continue' && r1.end.turn.items).toEqual([msg1, fc]);
    s.beginRound();
    const msg2 = { id: 'msg_2', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] };
    const r2 = feed(
      s,
      e('response.created', 0, { response: resp('resp_2', 'in_progress', [], null) }) +
        e('response.output_item.added', 1, { output_index: 0, item: { ...msg2, content: [] } }) +
        e('response.output_item.done', 2, { output_index: 0, item: msg2 }) +
        e('response.completed', 3, { response: resp('resp_2', 'completed', [msg2], u(130, 5)) }),
    );
    const all = datas(r1.out + r2.out);
    expect(all.map((d) => d['sequence_number'])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(all.filter((d) => 'output_index' in d).map((d) => d['output_index'])).toEqual([0, 0, 0, 1, 1]);
    const done = all.at(-1)!;
    expect(done['type']).toBe('response.completed');
    expect(done['response']).toMatchObject({ id: 'resp_2', output: [msg1, msg2], usage: u(230, 15), tools: [{ type: 'function', name: 'bash' }] });
    expect(r1.out + r2.out).not.toContain('leeway_retrieve');
  });
});

// ---- Determinism under arbitrary chunking --------------------------------------------------------

describe('splicing is independent of how upstream bytes are chunked', () => {
  const round1 = aStart(usage(10, 1)) + aBlock(0, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'é✓ 完成 🎉' }]) + retrieveUse(1, 't', '{"key":"lw_0123456789abcdef"}') + aEnd('tool_use', { output_tokens: 5 });
  const round2 = aStart(usage(20, 1)) + aBlock(0, { type: 'text', text: '' }, [{ type: 'text_delta', text: 'ok 🎉' }]) + aEnd('end_turn', { output_tokens: 3 });

  function splice(cuts1: number[], cuts2: number[]): string {
    const s = createStreamSplicer('anthropic-messages');
    let out = '';
    const run = (text: string, cuts: number[]): void => {
      const bytes = Buffer.from(text);
      const parser = new SseParser();
      let prev = 0;
      for (const c of [...cuts.map((x) => x % bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
        for (const e of parser.push(bytes.subarray(prev, c))) out += s.push(e).toString();
        prev = c;
      }
      for (const e of parser.end()) out += s.push(e).toString();
      out += s.endRound().out.toString();
    };
    run(round1, cuts1);
    s.beginRound();
    run(round2, cuts2);
    return out;
  }

  it('property: same client bytes for any chunking', () => {
    const reference = splice([], []);
    fc.assert(fc.property(fc.array(fc.nat(10_000), { maxLength: 30 }), fc.array(fc.nat(10_000), { maxLength: 30 }), (a, b) => splice(a, b) === reference));
  });
});
