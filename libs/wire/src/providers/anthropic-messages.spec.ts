import { describe, expect, it } from 'vitest';
import { JsonScanError, type WireError } from '../errors';
import { applyEdits } from '../splice';
import { anthropicMessagesAdapter } from './anthropic-messages';
import { segmentEdit } from './provider-adapter';

const parse = (body: unknown, text?: string) =>
  anthropicMessagesAdapter.parseRequest(Buffer.from(text ?? JSON.stringify(body), 'utf8'));

const SIG = 'EqQBCkYIBxgCKkB' + 'x'.repeat(200);
const PNG = 'iVBORw0KGgo' + 'A'.repeat(64);

/** A realistic Claude Code–like turn: thinking with signatures, images, tool_result lists. */
function agentBody(extra: { breakpointAt?: number; topLevel?: boolean } = {}) {
  const messages: Record<string, unknown>[] = [
    { role: 'user', content: [{ type: 'text', text: 'Fix the failing test in src/app.ts' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Let me look at the file.', signature: SIG },
        { type: 'tool_use', id: 'toolu_01', name: 'Read', input: { file_path: 'src/app.ts' } },
      ],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'export const x = 1;\n'.repeat(20) }],
    },
    {
      role: 'assistant',
      content: [
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy' + 'z'.repeat(100) },
        { type: 'tool_use', id: 'toolu_02', name: 'Screenshot', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_02',
          content: [
            { type: 'text', text: 'Screenshot taken' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc text' } },
          ],
        },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_03', name: 'Bash', input: { command: 'npm test' } }],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_03',
          is_error: true,
          content: [
            { type: 'text', text: 'FAIL src/app.spec.ts\n' },
            { type: 'text', text: 'Expected 2, received 1' },
          ],
        },
        { type: 'text', text: 'please hurry' },
      ],
    },
  ];
  if (extra.breakpointAt !== undefined) {
    const content = messages[extra.breakpointAt]!['content'] as Record<string, unknown>[];
    content[content.length - 1]!['cache_control'] = { type: 'ephemeral', ttl: '1h' };
  }
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    tools: [{ name: 'Read', description: 'read', input_schema: { type: 'object' } }],
    ...(extra.topLevel ? { cache_control: { type: 'ephemeral' } } : {}),
    messages,
  };
}

describe('anthropicMessagesAdapter.parseRequest', () => {
  it('lists tool_result strings and text blocks, never images, documents, thinking or user text', () => {
    const parsed = parse(agentBody());
    expect(parsed.model).toBe('claude-sonnet-4-5');
    expect(parsed.stream).toBe(true);
    expect(parsed.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(parsed.segments.map((s) => [s.messageIndex, s.path.join('.'), s.toolName, s.toolCallId, s.isError])).toEqual([
      [2, 'messages.2.content.0.content', 'Read', 'toolu_01', false],
      [4, 'messages.4.content.0.content.0.text', 'Screenshot', 'toolu_02', false],
      [6, 'messages.6.content.0.content.0.text', 'Bash', 'toolu_03', true],
      [6, 'messages.6.content.0.content.1.text', 'Bash', 'toolu_03', true],
    ]);
    expect(parsed.segments[0]!.text).toBe('export const x = 1;\n'.repeat(20));
    expect(parsed.segments[0]!.toolInput).toBe('{"file_path":"src/app.ts"}');
    expect(parsed.segments.every((s) => !s.protected)).toBe(true);
    // the system breakpoint does not protect messages (prefix order tools → system → messages)
    expect(parsed.cacheBreakpoints.map((b) => b.location)).toEqual(['system']);
    expect(parsed.protectedUntil).toBe(0);
    expect(parsed.taskQuery).toBe('please hurry\n{"command":"npm test"}');
  });

  it('protects everything at or before the last cache_control breakpoint in the messages', () => {
    const parsed = parse(agentBody({ breakpointAt: 4 }));
    expect(parsed.segments.map((s) => [s.messageIndex, s.protected, s.protectedReason])).toEqual([
      [2, true, 'before-cache-breakpoint'],
      [4, true, 'cache-control'],
      [6, false, null],
      [6, false, null],
    ]);
    const bp = parsed.cacheBreakpoints.find((b) => b.location === 'messages')!;
    expect(bp.ttl).toBe('1h');
    expect(bp.path).toEqual(['messages', 4, 'content', 0]);
  });

  it('protects a breakpoint on a text block inside a tool_result list and what precedes it', () => {
    const body = agentBody();
    const m6 = body.messages[6]!['content'] as Record<string, unknown>[];
    const inner = (m6[0]!['content'] as Record<string, unknown>[])[0]!;
    inner['cache_control'] = { type: 'ephemeral' };
    const parsed = parse(body);
    expect(parsed.segments.map((s) => s.protectedReason)).toEqual([
      'before-cache-breakpoint',
      'before-cache-breakpoint',
      'cache-control',
      null,
    ]);
  });

  it('treats a top-level cache_control (automatic caching) as a breakpoint on the last block', () => {
    const parsed = parse(agentBody({ topLevel: true }));
    expect(parsed.segments.every((s) => s.protected)).toBe(true);
    expect(parsed.cacheBreakpoints.map((b) => b.location)).toContain('top-level');
  });

  it('ignores cache_control: null and cache_control-like keys inside tool inputs', () => {
    const body = agentBody();
    (body.messages[5]!['content'] as Record<string, unknown>[])[0]!['input'] = { cache_control: { type: 'ephemeral' } };
    ((body.messages[2]!['content'] as Record<string, unknown>[])[0]!)['cache_control'] = null;
    const parsed = parse(body);
    expect(parsed.segments.every((s) => !s.protected)).toBe(true);
  });

  it('tolerates missing tool_result content, unknown tool ids and odd shapes', () => {
    const parsed = parse({
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope2', content: 'out' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: '' }] },
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: null },
        'garbage',
      ],
    });
    expect(parsed.stream).toBe(false);
    expect(parsed.segments.map((s) => [s.text, s.toolName])).toEqual([['out', null]]);
    expect(parsed.taskQuery).toBe('hello');
  });

  it('splices a compressed segment and leaves thinking, images and every other byte identical (I1, I3)', () => {
    const text = JSON.stringify(agentBody({ breakpointAt: 2 }), null, 1);
    const raw = Buffer.from(text);
    const parsed = anthropicMessagesAdapter.parseRequest(raw);
    const target = parsed.segments.find((s) => !s.protected)!;
    const out = applyEdits(raw, [segmentEdit(target, 'compressed!')]);
    const before = JSON.parse(text) as ReturnType<typeof agentBody>;
    const after = JSON.parse(out.toString()) as ReturnType<typeof agentBody>;
    expect(after.messages.slice(0, 4)).toEqual(before.messages.slice(0, 4));
    expect(out.subarray(0, target.start).equals(raw.subarray(0, target.start))).toBe(true);
    expect(out.subarray(target.start + '"compressed!"'.length).equals(raw.subarray(target.end))).toBe(true);
    expect(out.toString()).toContain(SIG);
    expect(out.toString()).toContain(PNG);
  });

  it('lists no segments for a body that is not well-formed UTF-8', () => {
    const raw = Buffer.concat([
      Buffer.from('{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"x'),
      Buffer.from([0xff]),
      Buffer.from('"}]}]}'),
    ]);
    const parsed = anthropicMessagesAdapter.parseRequest(raw);
    expect(parsed.wellFormedUtf8).toBe(false);
    expect(parsed.segments).toEqual([]);
  });

  it('rejects invalid JSON and non-object bodies with typed errors', () => {
    expect(() => anthropicMessagesAdapter.parseRequest(Buffer.from('{"model":'))).toThrow(JsonScanError);
    try {
      anthropicMessagesAdapter.parseRequest(Buffer.from('[1]'));
      expect.unreachable();
    } catch (e) {
      expect((e as WireError).code).toBe('WIRE_NOT_AN_OBJECT');
    }
  });

  it('builds Anthropic-shaped errors', () => {
    const err = anthropicMessagesAdapter.errorResponse('PRX_BAD_JSON', 'bad');
    expect(err.status).toBe(400);
    expect(JSON.parse(err.bodyText)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } });
  });
});
