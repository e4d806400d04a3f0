import { describe, expect, it } from 'vitest';
import { inspectResponse, mergeResponseBodies, scrubResponsesToolEcho } from './response-rounds';

const KEY = 'lw_0123456789abcdef';

describe('inspectResponse', () => {
  it('Anthropic: separates retrieve calls from client calls and builds the retrieve-first turn', () => {
    const body = {
      content: [
        { type: 'thinking', thinking: 't', signature: 's' },
        { type: 'text', text: '' },
        { type: 'text', text: 'Both.' },
        { type: 'tool_use', id: 'toolu_c', name: 'bash', input: { command: 'ls' } },
        { type: 'tool_use', id: 'toolu_r', name: 'leeway_retrieve', input: { key: KEY.toUpperCase() } },
      ],
      stop_reason: 'tool_use',
    };
    const r = inspectResponse('anthropic-messages', body);
    expect(r.retrieveCalls.map((c) => [c.id, c.key])).toEqual([['toolu_r', KEY]]);
    expect(r.clientCalls).toEqual([{ id: 'toolu_c', name: 'bash' }]);
    expect(r.turn?.items).toEqual([{ role: 'assistant', content: [body.content[0], body.content[2], body.content[4]] }]);
    expect(inspectResponse('anthropic-messages', { ...body, stop_reason: 'max_tokens' }).turn).toBeNull();
    expect(inspectResponse('anthropic-messages', { content: [{ type: 'text', text: 'hi' }] })).toEqual({ retrieveCalls: [], clientCalls: [], turn: null });
  });

  it('chat and Responses', () => {
    const chat = {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'call_r', type: 'function', function: { name: 'leeway_retrieve', arguments: `{"key":"${KEY}","query":"error"}` } },
              { id: 'call_c', type: 'function', function: { name: 'bash', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const c = inspectResponse('openai-chat', chat);
    expect(c.retrieveCalls[0]).toMatchObject({ id: 'call_r', key: KEY, query: 'error' });
    expect(c.turn?.items).toEqual([{ role: 'assistant', content: null, tool_calls: [chat.choices[0]!.message.tool_calls[0]] }]);

    const resp = {
      status: 'completed',
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call', id: 'fc_c', call_id: 'call_c', name: 'bash', arguments: '{}' },
        { type: 'function_call', id: 'fc_r', call_id: 'call_r', name: 'leeway_retrieve', arguments: `{"key":"${KEY}"}` },
      ],
    };
    const r = inspectResponse('openai-responses', resp);
    expect(r.retrieveCalls.map((x) => x.id)).toEqual(['call_r']);
    expect(r.clientCalls).toEqual([{ id: 'call_c', name: 'bash' }]);
    expect(r.turn?.items).toEqual([resp.output[0], resp.output[2]]);
    expect(inspectResponse('openai-responses', { ...resp, status: 'incomplete' }).turn).toBeNull();
  });
});

describe('mergeResponseBodies', () => {
  it('Anthropic: content of all rounds, first id, last stop reason, summed usage', () => {
    const r1 = { id: 'msg_1', model: 'c', content: [{ type: 'text', text: 'A' }, { type: 'tool_use', id: 'toolu_c', name: 'bash', input: {} }, { type: 'tool_use', id: 'r', name: 'leeway_retrieve', input: {} }], stop_reason: 'tool_use', usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, service_tier: 'standard' } };
    const r2 = { id: 'msg_2', model: 'c', content: [{ type: 'text', text: 'B' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 15, cache_creation_input_tokens: 7, cache_creation: { ephemeral_5m_input_tokens: 7, ephemeral_1h_input_tokens: 0 }, service_tier: 'standard' } };
    expect(mergeResponseBodies('anthropic-messages', [r1, r2])).toEqual({
      id: 'msg_1',
      model: 'c',
      content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 13, output_tokens: 6, cache_read_input_tokens: 20, cache_creation_input_tokens: 7, cache_creation: { ephemeral_5m_input_tokens: 7, ephemeral_1h_input_tokens: 0 }, service_tier: 'standard' },
    });
    // round limit: the last round's hidden retrieve call → end_turn
    expect(mergeResponseBodies('anthropic-messages', [r1])).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'text', text: 'A' }, { type: 'tool_use', id: 'toolu_c' }] });
    expect(mergeResponseBodies('anthropic-messages', [{ ...r1, content: [r1.content[2]] }])).toMatchObject({ stop_reason: 'end_turn', content: [] });
  });

  it('chat: joined text, first id, visible calls of the last round only', () => {
    const mk = (id: string, content: string | null, calls: unknown[], finish: string, prompt: number): unknown => ({
      id,
      created: id === 'a' ? 1 : 2,
      choices: [{ index: 0, message: { role: 'assistant', content, ...(calls.length ? { tool_calls: calls } : {}) }, finish_reason: finish }],
      usage: { prompt_tokens: prompt, completion_tokens: 1, total_tokens: prompt + 1 },
    });
    const merged = mergeResponseBodies('openai-chat', [
      mk('a', 'One.', [{ id: 'r', type: 'function', function: { name: 'leeway_retrieve', arguments: '{}' } }], 'tool_calls', 10),
      mk('b', 'Two.', [{ id: 'c', type: 'function', function: { name: 'bash', arguments: '{}' } }], 'tool_calls', 20),
    ]);
    expect(merged).toEqual({
      id: 'a',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: 'One.\n\nTwo.', tool_calls: [{ id: 'c', type: 'function', function: { name: 'bash', arguments: '{}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 30, completion_tokens: 2, total_tokens: 32 },
    });
  });

  it('Responses: output of all rounds, last id, tool echo scrubbed', () => {
    const tools = [{ type: 'function', name: 'leeway_retrieve' }, { type: 'function', name: 'bash' }];
    const merged = mergeResponseBodies('openai-responses', [
      { id: 'resp_1', status: 'completed', tools, output: [{ type: 'message', id: 'm1' }, { type: 'function_call', name: 'leeway_retrieve', call_id: 'r' }], usage: { input_tokens: 5, output_tokens: 1 } },
      { id: 'resp_2', status: 'completed', tools, output: [{ type: 'message', id: 'm2' }], usage: { input_tokens: 7, output_tokens: 2 } },
    ]);
    expect(merged).toEqual({ id: 'resp_2', status: 'completed', tools: [tools[1]], output: [{ type: 'message', id: 'm1' }, { type: 'message', id: 'm2' }], usage: { input_tokens: 12, output_tokens: 3 } });
    expect(scrubResponsesToolEcho({ tools: [tools[1]] })).toBeNull();
  });
});
