import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import { findVolatilePrefix, findVolatileValues, volatilePrefixHeader } from './volatile-prefix';

const kinds = (text: string) => findVolatileValues(text, 'system').map((f) => `${f.kind}:${f.sample}`);

describe('findVolatileValues', () => {
  it('finds timestamps, dates, times, UUIDs, request ids and unix timestamps', () => {
    expect(kinds('Now: 2025-03-14T09:26:53.589Z.')).toEqual(['timestamp:2025-03-14T09:26:53.589Z']);
    expect(kinds("Today's date is 2025-03-14.")).toEqual(['date:2025-03-14']);
    expect(kinds('Today is Friday, March 14, 2025 and 14 March 2025.')).toEqual(['date:Friday, March 14, 2025', 'date:14 March 2025']);
    expect(kinds('The current time is 9:26 PM.')).toEqual(['time:9:26 PM']);
    expect(kinds('session 3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b')).toEqual(['uuid:3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b']);
    expect(kinds('request_id: a81bc81b-dead-beef')).toEqual(['request-id:request_id: a81bc81b-dead-beef']);
    expect(kinds('trace req_011CPx9bC1aBcDeFgHiJ done')).toEqual(['request-id:req_011CPx9bC1aBcDeFgHiJ']);
    expect(kinds('generated at 1741944413 by the tool')).toEqual(['unix-timestamp:1741944413']);
  });

  it('leaves stable text alone (versions, line:col, ratios, plain numbers)', () => {
    expect(kinds('Use Python 3.12 and node 20. Error at main.ts:12:5, ratio 16:9, port 8080, 1024 tokens.')).toEqual([]);
  });
});

describe('findVolatilePrefix', () => {
  it('Anthropic: string and block system prompts and tool definitions', () => {
    const raw = Buffer.from(
      JSON.stringify({
        model: 'claude-sonnet-4-5',
        system: [{ type: 'text', text: 'Static.' }, { type: 'text', text: 'Current date: 2025-06-01' }],
        tools: [{ name: 'a', description: 'ok', input_schema: {} }, { name: 'b', description: 'instance 3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b', input_schema: {} }],
        messages: [{ role: 'user', content: 'Today is 2025-06-01 (user text is not the prefix)' }],
      }),
    );
    const findings = findVolatilePrefix(anthropicMessagesAdapter.parseRequest(raw));
    expect(findings).toEqual([
      { where: 'system[1]', kind: 'date', sample: '2025-06-01' },
      { where: 'tools[1]', kind: 'uuid', sample: '3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b' },
    ]);
    expect(volatilePrefixHeader(findings)).toBe('system[1]:date,tools[1]:uuid');
    expect(volatilePrefixHeader([])).toBeNull();
  });

  it('chat: leading system/developer messages only; Responses: instructions', () => {
    const chat = Buffer.from(JSON.stringify({ model: 'gpt-5', messages: [{ role: 'system', content: 'It is 10:45:01.' }, { role: 'user', content: '2025-01-01' }] }));
    expect(findVolatilePrefix(openAiChatAdapter.parseRequest(chat))).toEqual([{ where: 'messages[0]', kind: 'time', sample: '10:45:01' }]);
    const resp = Buffer.from(JSON.stringify({ model: 'gpt-5', instructions: 'Run id run_abcdef123456XYZ', input: 'x' }));
    expect(findVolatilePrefix(openAiResponsesAdapter.parseRequest(resp))).toEqual([{ where: 'instructions', kind: 'request-id', sample: 'run_abcdef123456XYZ' }]);
  });
});
