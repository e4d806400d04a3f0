import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter, hasLeewayRetrieveTool, openAiChatAdapter } from '@leeway/wire';
import type { ProviderAdapter } from '@leeway/wire';
import { finishOutgoingBody } from './outgoing-body';

const tool = { name: 'shell', description: 'Run a command', input_schema: { type: 'object', properties: { cmd: { type: 'string' } } } };
const LONG = 'You are a terse assistant that answers in one line. '.repeat(400);
const turns = [
  { role: 'user', content: 'List the logs.' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'shell', input: { cmd: 'ls' } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.log\nb.log' }] },
];

function finish(adapter: ProviderAdapter, json: unknown, addRetrieveTool: boolean) {
  const raw = Buffer.from(JSON.stringify(json));
  return finishOutgoingBody(raw, adapter.parseRequest(raw), adapter, { tenant: 't1', addRetrieveTool, anthropicCachePlan: true, openAiCacheKey: true });
}

// The final body is not re-parsed after the cache-plan edits: what is derived from the earlier parse must
// equal what a parse of the forwarded bytes says.
describe('finishOutgoingBody without a final re-parse', () => {
  const cases: [string, ProviderAdapter, unknown][] = [
    ['anthropic, tools, planner adds markers', anthropicMessagesAdapter, { model: 'claude-sonnet-4-5', max_tokens: 64, system: LONG, tools: [tool], messages: turns }],
    ['anthropic, no tools', anthropicMessagesAdapter, { model: 'claude-sonnet-4-5', max_tokens: 64, system: LONG, messages: turns }],
    ['anthropic, string system, no tools', anthropicMessagesAdapter, { model: 'claude-sonnet-4-5', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] }],
    ['openai chat, tools', openAiChatAdapter, { model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'shell', parameters: { type: 'object' } } }], messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] }],
  ];
  for (const [name, adapter, json] of cases) {
    for (const addRetrieveTool of [false, true]) {
      it(`${name}, retrieve tool ${addRetrieveTool ? 'added' : 'not added'}`, () => {
        const out = finish(adapter, json, addRetrieveTool);
        const reparsed = adapter.parseRequest(out.body);
        expect(out.retrieveTool).toBe(hasLeewayRetrieveTool(reparsed));
        expect(out.retrieveTool).toBe(addRetrieveTool);
        expect(out.parsed.raw.equals(out.body)).toBe(true);
        expect(out.parsed.segments.length).toBe(reparsed.segments.length);
        expect(out.failOpenReason).toBeNull();
      });
    }
  }

  it('anthropic: a planner edit lands in the body (the lazy path is exercised)', () => {
    const out = finish(anthropicMessagesAdapter, { model: 'claude-sonnet-4-5', max_tokens: 64, system: LONG, tools: [tool], messages: turns }, true);
    expect(out.breakpoints.length).toBeGreaterThan(0);
    expect(out.body.includes('cache_control')).toBe(true);
  });
});
