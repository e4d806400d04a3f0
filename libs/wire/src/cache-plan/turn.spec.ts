import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import { isNewThisTurn, lastModelTurnIndex, segmentsDecidableThisTurn } from './turn';

describe('isNewThisTurn', () => {
  it('Anthropic: tool results after the last assistant message are new, even behind the client’s breakpoint', () => {
    const raw = Buffer.from(
      JSON.stringify({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'ls', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'old output' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'b', name: 'ls', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b', content: 'new output', cache_control: { type: 'ephemeral' } }] },
        ],
      }),
    );
    const parsed = anthropicMessagesAdapter.parseRequest(raw);
    expect(lastModelTurnIndex(parsed.messages)).toBe(3);
    const [old, fresh] = parsed.segments;
    expect(fresh!.protected).toBe(true); // the adapter's view (I3): carries cache_control
    expect(isNewThisTurn(fresh!, parsed)).toBe(true); // the lead's decision: never sent, so compressible
    expect(isNewThisTurn(old!, parsed)).toBe(false);
    expect(segmentsDecidableThisTurn(parsed).map((s) => s.text)).toEqual(['new output']);
  });

  it('chat and Responses: after the last assistant message / model item', () => {
    const chat = Buffer.from(
      JSON.stringify({
        model: 'gpt-5',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'a', content: 'out' },
        ],
      }),
    );
    const p = openAiChatAdapter.parseRequest(chat);
    expect(isNewThisTurn(p.segments[0]!, p)).toBe(true);
    const resp = Buffer.from(
      JSON.stringify({
        model: 'gpt-5',
        input: [
          { role: 'user', content: 'go' },
          { type: 'function_call', call_id: 'a', name: 'ls', arguments: '{}' },
          { type: 'function_call_output', call_id: 'a', output: 'one' },
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { type: 'function_call', call_id: 'b', name: 'ls', arguments: '{}' },
          { type: 'function_call_output', call_id: 'b', output: 'two' },
        ],
      }),
    );
    const r = openAiResponsesAdapter.parseRequest(resp);
    expect(r.segments.map((s) => isNewThisTurn(s, r))).toEqual([false, true]);
  });
});
