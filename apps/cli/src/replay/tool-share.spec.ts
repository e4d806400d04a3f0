import { describe, expect, it } from 'vitest';
import { turnsOf, type Conversation } from './conversation';
import { shareReport } from './report';
import { ToolShareCounter } from './tool-share';

const listing = Array.from({ length: 30 }, (_, i) => `src/module_${i}/file_${i}.py`).join('\n');
const json = JSON.stringify({
  items: [
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
  ],
});

const conversation: Conversation = {
  id: 'c',
  format: 'raw-anthropic',
  model: null,
  system: 'sys',
  tools: null,
  notes: [],
  messages: [
    { role: 'user', parts: [{ type: 'text', text: 'task' }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'ls', input: {}, arguments: '{}' }] },
    { role: 'user', parts: [{ type: 'tool_result', callId: 't1', content: listing }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id: 't2', name: 'get', input: {}, arguments: '{}' }] },
    { role: 'user', parts: [{ type: 'tool_result', callId: 't2', content: [{ type: 'text', text: json }] }] },
    { role: 'assistant', parts: [{ type: 'text', text: 'done' }] },
  ],
};

describe('ToolShareCounter', () => {
  // One token per character: the arithmetic is checkable by hand.
  const counter = new ToolShareCounter((t) => t.length);
  const turns = turnsOf(conversation);
  const share = counter.measure(conversation, turns, []);

  it('counts every request of the replay (sent) and the final history once (unique)', () => {
    const fixed = 'sys'.length;
    const call = 'ls'.length + 2;
    const call2 = 'get'.length + 2;
    const turn1 = fixed + 'task'.length;
    const turn2 = turn1 + call + listing.length;
    const turn3 = turn2 + call2 + json.length;
    expect(share.sent.inputTokens).toBe(turn1 + turn2 + turn3);
    expect(share.sent.toolOutputTokens).toBe(2 * listing.length + json.length);
    expect(share.unique.inputTokens).toBe(turn3);
    expect(share.unique.toolOutputTokens).toBe(listing.length + json.length);
  });

  it('splits tool outputs by detected kind', () => {
    expect(share.unique.toolOutputTokensByKind).toEqual({ listing: listing.length, json: json.length });
    const report = shareReport(share.unique);
    expect(report.listingAndSearchShare).toBeCloseTo(listing.length / (listing.length + json.length), 10);
    expect(report.codeShare).toBe(0);
    expect(report.share).toBeCloseTo((listing.length + json.length) / share.unique.inputTokens, 10);
  });
});
