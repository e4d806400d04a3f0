import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolResultText, type Conversation, type ToolResultPart, type WireApi } from '../conversation';
import { planConversation, type PlanOptions } from '../plan';
import { prefixExtensions } from '../prefix';
import { readTranscript } from '../readers/read-transcript';

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);
const FILES = readdirSync(FIXTURES).filter((f) => /\.(json|jsonl)$/.test(f));
const conversationsOf = (file: string): Conversation[] =>
  readTranscript(readFileSync(new URL(file, FIXTURES), 'utf8'), file).conversations;

const ALL: { file: string; c: Conversation }[] = FILES.flatMap((file) =>
  conversationsOf(file).map((c) => ({ file, c })),
);
const OPTIONS: PlanOptions[] = [
  { provider: 'anthropic', client: 'naive' },
  { provider: 'anthropic', client: 'cache-aware' },
  { provider: 'openai', openaiApi: 'chat', client: 'naive' },
  { provider: 'openai', openaiApi: 'chat', client: 'cache-aware' },
  { provider: 'openai', openaiApi: 'responses', client: 'naive' },
];

interface Block {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  tool_use_id?: string;
  content?: unknown;
  cache_control?: unknown;
}
interface AnthropicBody {
  model: unknown;
  max_tokens: number;
  tools?: { name: string }[];
  messages: { role: string; content: string | Block[] }[];
}
interface ChatBody {
  messages: {
    role: string;
    content: unknown;
    tool_call_id?: string;
    tool_calls?: { id: string; function: { arguments: string } }[];
  }[];
}
interface ResponsesBody {
  store: boolean;
  input: { type: string; call_id?: string; output?: unknown }[];
}

function countMarkers(v: unknown): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + countMarkers(x), 0);
  if (v === null || typeof v !== 'object') return 0;
  return Object.entries(v).reduce((n, [k, x]) => n + (k === 'cache_control' ? 1 : countMarkers(x)), 0);
}

function checkAnthropic(body: AnthropicBody, c: Conversation, aware: boolean): void {
  expect(typeof body.model).toBe('string');
  expect(body.max_tokens).toBeGreaterThan(0);
  const msgs = body.messages;
  expect(msgs[0]!.role).toBe('user');
  expect(msgs[msgs.length - 1]!.role).toBe('user');
  msgs.forEach((m, i) => {
    if (i > 0) expect(m.role).not.toBe(msgs[i - 1]!.role);
    if (Array.isArray(m.content)) {
      expect(m.content.length).toBeGreaterThan(0);
      for (const b of m.content) if (b.type === 'text') expect(b.text!.length).toBeGreaterThan(0);
    }
    if (m.role !== 'assistant') return;
    const ids = (m.content as Block[]).filter((b) => b.type === 'tool_use').map((b) => b.id);
    const next = msgs[i + 1]!;
    const blocks: Block[] =
      typeof next.content === 'string' ? [{ type: 'text', text: next.content }] : next.content;
    // tool_result blocks come first, one per call, in call order
    expect(blocks.slice(0, ids.length).map((b) => [b.type, b.tool_use_id])).toEqual(
      ids.map((id) => ['tool_result', id]),
    );
    expect(blocks.slice(ids.length).every((b) => b.type !== 'tool_result')).toBe(true);
  });
  const toolNames = new Set((body.tools ?? []).map((t) => t.name));
  for (const m of msgs)
    for (const b of Array.isArray(m.content) ? m.content : [])
      if (b.type === 'tool_use') expect(toolNames.has(b.name!)).toBe(true);
  const markers = countMarkers(body);
  if (aware) {
    expect(markers).toBe((c.system ? 1 : 0) + 1);
    const last = msgs[msgs.length - 1]!.content as Block[];
    expect(last[last.length - 1]!.cache_control).toEqual({ type: 'ephemeral' });
  } else {
    expect(markers).toBe(0);
  }
}

function checkChat(body: ChatBody): void {
  const msgs = body.messages;
  msgs.forEach((m, i) => {
    if (m.role !== 'assistant' || !m.tool_calls) return;
    const ids = m.tool_calls.map((t) => t.id);
    const following = msgs.slice(i + 1, i + 1 + ids.length);
    expect(following.map((f) => [f.role, f.tool_call_id])).toEqual(ids.map((id) => ['tool', id]));
    for (const t of m.tool_calls) expect((): unknown => JSON.parse(t.function.arguments)).not.toThrow();
  });
  expect(msgs[msgs.length - 1]!.role === 'user' || msgs[msgs.length - 1]!.role === 'tool').toBe(true);
  expect(countMarkers(body)).toBe(0);
}

function checkResponses(body: ResponsesBody): void {
  const items = body.input;
  const calls = items.filter((i) => i.type === 'function_call' || i.type === 'custom_tool_call');
  for (const call of calls) {
    const at = items.indexOf(call);
    const out = items.findIndex(
      (i, k) => k > at && /_call_output$/.test(i.type) && i.call_id === call.call_id,
    );
    expect(out).toBeGreaterThan(at);
    expect(items[out]!.type).toBe(
      call.type === 'custom_tool_call' ? 'custom_tool_call_output' : 'function_call_output',
    );
  }
  expect(body.store).toBe(false);
}

describe('buildRequest', () => {
  it.each(
    ALL.flatMap(({ file, c }) =>
      OPTIONS.map((o) => [`${file} ${c.id} ${o.provider}/${o.openaiApi ?? ''}/${o.client}`, c, o] as const),
    ),
  )('%s: valid bodies, every turn', (_label, c, opts) => {
    const plan = planConversation(c, opts);
    expect(plan.requests.length).toBeGreaterThan(0);
    for (const req of plan.requests) {
      const body: unknown = JSON.parse(req.body);
      if (plan.api === 'anthropic') checkAnthropic(body as AnthropicBody, c, opts.client === 'cache-aware');
      else if (plan.api === 'openai-chat') checkChat(body as ChatBody);
      else checkResponses(body as ResponsesBody);
    }
    // The client's own bodies extend each other turn over turn (cache markers aside).
    expect(prefixExtensions(plan.requests.map((r) => r.body)).every(Boolean)).toBe(true);
  });

  it('sends tool outputs with their text unchanged', () => {
    for (const { c } of ALL) {
      const last = <T>(api: WireApi, opts: PlanOptions): T => {
        const plan = planConversation(c, opts);
        expect(plan.api).toBe(api);
        return JSON.parse(plan.requests[plan.requests.length - 1]!.body) as T;
      };
      const expected = c.messages
        .slice(0, -1)
        .flatMap((m) =>
          m.role === 'user' ? m.parts.filter((p): p is ToolResultPart => p.type === 'tool_result') : [],
        );
      const a = last<AnthropicBody>('anthropic', { provider: 'anthropic', client: 'naive' });
      const aResults = a.messages.flatMap((m) =>
        Array.isArray(m.content) ? m.content.filter((b) => b.type === 'tool_result') : [],
      );
      expect(aResults.map((b) => b.content)).toEqual(expected.map((p) => p.content));
      const o = last<ChatBody>('openai-chat', { provider: 'openai', openaiApi: 'chat', client: 'naive' });
      expect(o.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(
        expected.map((p) => toolResultText(p.content)),
      );
      const r = last<ResponsesBody>('openai-responses', {
        provider: 'openai',
        openaiApi: 'responses',
        client: 'naive',
      });
      expect(r.input.filter((i) => /_call_output$/.test(i.type)).map((i) => i.output)).toEqual(
        expected.map((p) => toolResultText(p.content)),
      );
    }
  });

  it('picks defaults per transcript: Claude Code → anthropic, cache-aware; Codex → openai responses, naive; gpt → chat', () => {
    const by = (file: string) => planConversation(conversationsOf(file)[0]!, {});
    expect([by('claude-code-session.jsonl').provider, by('claude-code-session.jsonl').client]).toEqual([
      'anthropic',
      'cache-aware',
    ]);
    expect([by('codex-rollout-current.jsonl').api, by('codex-rollout-current.jsonl').client]).toEqual([
      'openai-responses',
      'naive',
    ]);
    expect([by('openhands.json').api, by('openhands.json').model]).toEqual([
      'openai-chat',
      'gpt-4o-2024-08-06',
    ]);
    expect([by('swe-smith.json').api, by('swe-smith.json').model]).toEqual([
      'anthropic',
      'claude-3-7-sonnet-20250219',
    ]);
    const swe = by('swe-agent.traj.json');
    expect(swe.model).toBe('gpt-4o');
  });

  it('sends raw request logs verbatim unless asked to rebuild them', () => {
    const text = readFileSync(new URL('raw-anthropic-requests.jsonl', FIXTURES), 'utf8');
    const c = readTranscript(text, 'r.jsonl').conversations[0]!;
    const verbatim = planConversation(c, {});
    expect(verbatim.verbatim).toBe(true);
    expect(verbatim.requests.map((r) => r.body)).toEqual(text.trim().split('\n'));
    const rebuilt = planConversation(c, { client: 'cache-aware' });
    expect(rebuilt.verbatim).toBe(false);
    expect(rebuilt.requests).toHaveLength(3);
    const openai = planConversation(c, { provider: 'openai' });
    expect(openai.api).toBe('openai-chat');
  });
});
