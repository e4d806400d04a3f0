import { describe, expect, it } from 'vitest';
import { WireError } from '../errors';
import type { AssistantTurn } from './assistant-turn';
import { buildContinuation } from './continuation';
import { parseRetrieveCall } from './retrieve-calls';

const call = parseRetrieveCall('id_r', '{"key":"lw_0123456789abcdef"}');
const answer = [{ callId: 'id_r', key: call.key, status: 'found' as const, text: 'the original ✓' }];

describe('buildContinuation', () => {
  it('Anthropic: appends the assistant turn and one user message of tool results; earlier bytes untouched', () => {
    const raw = Buffer.from('{"model":"m","messages":[ {"role":"user","content":"q"} ],"stream":true}');
    const turn: AssistantTurn = { api: 'anthropic-messages', items: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'id_r', name: 'leeway_retrieve', input: { key: 'x' } }] }], retrieveCalls: [call], withheldCalls: [] };
    const out = buildContinuation(raw, turn, answer).toString();
    expect(out).toBe(
      '{"model":"m","messages":[ {"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"id_r","name":"leeway_retrieve","input":{"key":"x"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"id_r","content":"the original ✓"}]} ],"stream":true}',
    );
  });

  it('every retrieve call gets a result, even without an answer', () => {
    const raw = Buffer.from('{"model":"m","messages":[]}');
    const turn: AssistantTurn = { api: 'openai-chat', items: [{ role: 'assistant', content: null, tool_calls: [] }], retrieveCalls: [call], withheldCalls: [] };
    const json = JSON.parse(buildContinuation(raw, turn, []).toString());
    expect(json.messages[1]).toMatchObject({ role: 'tool', tool_call_id: 'id_r' });
    expect(json.messages[1].content).toMatch(/expired/);
  });

  it('Responses: string input becomes a list; with store:false, item ids are dropped and bare reasoning items skipped', () => {
    const items = [
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAA' },
      { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'hm' }] },
      { type: 'function_call', id: 'fc_1', call_id: 'id_r', name: 'leeway_retrieve', arguments: '{}' },
    ];
    const turn: AssistantTurn = { api: 'openai-responses', items, retrieveCalls: [call], withheldCalls: [] };
    const stored = JSON.parse(buildContinuation(Buffer.from('{"model":"m","input":"hello"}'), turn, answer).toString());
    expect(stored.input).toEqual([{ role: 'user', content: 'hello' }, ...items, { type: 'function_call_output', call_id: 'id_r', output: 'the original ✓' }]);
    const unstored = JSON.parse(buildContinuation(Buffer.from('{"model":"m","store":false,"input":[]}'), turn, answer).toString());
    expect(unstored.input).toEqual([
      items[1],
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hm' }] },
      { type: 'function_call', call_id: 'id_r', name: 'leeway_retrieve', arguments: '{}' },
      { type: 'function_call_output', call_id: 'id_r', output: 'the original ✓' },
    ]);
  });

  it('refuses a body without a conversation to append to', () => {
    const turn: AssistantTurn = { api: 'anthropic-messages', items: [], retrieveCalls: [call], withheldCalls: [] };
    expect(() => buildContinuation(Buffer.from('{"model":"m"}'), turn, answer)).toThrow(WireError);
  });
});
