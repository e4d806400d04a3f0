import { describe, expect, it } from 'vitest';
import { findMember, scanJson } from '../json-scan';
import { applyEdits } from '../splice';
import { openAiChatAdapter, planStreamUsage } from './openai-chat';
import { findAdapterForRoute } from './registry';

const parseText = (text: string) => openAiChatAdapter.parseRequest(Buffer.from(text, 'utf8'));
const parse = (body: unknown) => parseText(JSON.stringify(body));

describe('openAiChatAdapter.parseRequest', () => {
  const body = {
    model: 'gpt-4.1',
    stream: true,
    messages: [
      { role: 'system', content: 'You are a coding agent.' },
      { role: 'user', content: [{ type: 'text', text: 'Find usages' }, { type: 'text', text: 'of parseConfig' }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'grep', arguments: '{"pattern":"parseConfig"}' } },
          { id: 'call_b', type: 'function', function: { name: 'ls', arguments: null } },
          { id: 'call_c', type: 'function', function: { name: 'read', arguments: { path: 'a.ts' } } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'src/a.ts:1: parseConfig()' },
      { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'a.ts\nb.ts' }, { type: 'image_url', image_url: { url: 'x' } }] },
      { role: 'tool', tool_call_id: 'call_c', content: '' },
      { role: 'tool', tool_call_id: 'call_unknown', content: 'orphan' },
      { role: 'function', name: 'legacy_fn', content: 'legacy output' },
    ],
  };

  it('lists role:tool messages (string and text parts) with tool names by tool_call_id', () => {
    const parsed = parse(body);
    expect(parsed.stream).toBe(true);
    expect(parsed.segments.map((s) => [s.messageIndex, s.path.join('.'), s.toolName, s.toolCallId, s.text])).toEqual([
      [3, 'messages.3.content', 'grep', 'call_a', 'src/a.ts:1: parseConfig()'],
      [4, 'messages.4.content.0.text', 'ls', 'call_b', 'a.ts\nb.ts'],
      [6, 'messages.6.content', null, 'call_unknown', 'orphan'],
      [7, 'messages.7.content', 'legacy_fn', null, 'legacy output'],
    ]);
    expect(parsed.segments[0]!.toolInput).toBe('{"pattern":"parseConfig"}');
    expect(parsed.segments[1]!.toolInput).toBeNull();
    expect(parsed.systemSpan).not.toBeNull();
  });

  it('tolerates arguments that are null or an object (query uses their text)', () => {
    const parsed = parse(body);
    expect(parsed.taskQuery).toBe('Find usages\nof parseConfig\n{"pattern":"parseConfig"}\n{"path":"a.ts"}');
  });

  it('honours cache_control parts sent through OpenAI-compatible gateways', () => {
    const withBp = structuredClone(body) as unknown as { messages: Record<string, unknown>[] };
    withBp.messages[4] = {
      role: 'tool',
      tool_call_id: 'call_b',
      content: [{ type: 'text', text: 'a.ts\nb.ts', cache_control: { type: 'ephemeral' } }],
    };
    const parsed = parse(withBp);
    expect(parsed.segments.map((s) => s.protectedReason)).toEqual(['before-cache-breakpoint', 'cache-control', null, null]);
  });

  it('routes paths to adapters', () => {
    expect(findAdapterForRoute('POST', '/v1/chat/completions')?.adapter.api).toBe('openai-chat');
    expect(findAdapterForRoute('POST', '/v1/responses')?.adapter.api).toBe('openai-responses');
    expect(findAdapterForRoute('POST', '/v1/messages')).toMatchObject({ countTokens: false });
    expect(findAdapterForRoute('POST', '/v1/messages/count_tokens')).toMatchObject({ countTokens: true });
    expect(findAdapterForRoute('GET', '/v1/models')).toBeNull();
    expect(findAdapterForRoute('POST', '/v1/embeddings')).toBeNull();
  });
});

describe('planStreamUsage', () => {
  const edited = (text: string) => {
    const parsed = parseText(text);
    const plan = planStreamUsage(parsed);
    return { plan, out: applyEdits(parsed.raw, plan.edits).toString() };
  };

  it('adds stream_options.include_usage when absent, keeping every other byte', () => {
    const { plan, out } = edited('{"model":"m", "stream":true,"messages":[]}');
    expect(plan.clientRequested).toBe(false);
    expect(out).toBe('{"model":"m", "stream":true,"messages":[],"stream_options":{"include_usage":true}}');
  });

  it('sets include_usage inside existing stream_options, or replaces a null one', () => {
    expect(edited('{"stream":true,"stream_options":{"include_obfuscation":false}}').out).toBe(
      '{"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}',
    );
    expect(edited('{"stream":true,"stream_options":{"include_usage":false}}').out).toBe(
      '{"stream":true,"stream_options":{"include_usage":true}}',
    );
    expect(edited('{"stream":true,"stream_options":null}').out).toBe('{"stream":true,"stream_options":{"include_usage":true}}');
  });

  it('changes nothing when the client asked for usage or does not stream', () => {
    const asked = edited('{"stream":true,"stream_options":{"include_usage":true}}');
    expect(asked.plan).toEqual({ clientRequested: true, edits: [] });
    expect(edited('{"stream":false}').plan.edits).toEqual([]);
    const raw = Buffer.from('{"stream":true,"stream_options":{"include_usage":true}}');
    expect(findMember(scanJson(raw), 'stream_options')?.kind).toBe('object');
  });
});
