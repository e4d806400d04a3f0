// The prompt-cache planner on the outgoing body (issue 4): Anthropic breakpoints for a client that set
// none, client markers kept, ≤ 4 markers, cache reads on the next turn; OpenAI prompt_cache_key;
// volatile-prefix header and metric; prefix stability across turns with Leeway's markers.
import { MemoryCcrStore, MemoryPrefixStateStore } from '@leeway/state';
import { checkCacheMarkers } from '@leeway/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, jsonRows, OPENAI_HEADERS, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

type Json = Record<string, unknown>;

const SYSTEM = Array.from({ length: 400 }, (_, i) => `Rule ${i}: read the code before you change it, and run the tests after.`).join('\n');
const TOOLS = [
  { name: 'bash', description: 'Run a shell command.', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
  { name: 'read_file', description: 'Read a file.', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
];

/** A naive agent conversation after `turns` tool rounds. */
function conversation(turns: number): Json[] {
  const messages: Json[] = [{ role: 'user', content: 'Fix the failing test.' }];
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${t}.` }, { type: 'tool_use', id: `toolu_${t}`, name: 'bash', input: { command: `ls ${t}` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${t}`, content: `file_${t}.py\nREADME.md\nsetup.cfg` }] });
  }
  return messages;
}

function body(messages: Json[], extra: Json = {}): string {
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, tools: TOOLS, system: SYSTEM, messages, ...extra });
}

function markerCount(raw: Buffer): number {
  return checkCacheMarkers(raw).markers;
}

describe('cache planner in the proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { LEEWAY_CACHE_PLAN: 'true', LEEWAY_OPENAI_CACHE_KEY: 'true' } });
  });
  afterAll(() => h.close());

  it('naive client: ≤ 4 valid breakpoints, cache reads on the next turn, prefix stable across turns', async () => {
    const session = { ...ANTHROPIC_HEADERS, 'x-leeway-session': 'plan-naive' };
    const forwarded: Buffer[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      const res = await postRaw(`${h.url}/v1/messages`, body(conversation(turn)), session);
      expect(res.status).toBe(200);
      const rec = h.upstream.requests.at(-1)!;
      forwarded.push(rec.body);
      const report = checkCacheMarkers(rec.body);
      expect(report.ok).toBe(true);
      expect(report.markers).toBeGreaterThan(0);
      expect(report.markers).toBeLessThanOrEqual(4);
      const usage = rec.reply!.usage!;
      if (turn === 1) expect(Number(usage['cache_creation_input_tokens'])).toBeGreaterThan(1000);
      else expect(Number(usage['cache_read_input_tokens'])).toBeGreaterThan(1000);
    }
    // I2: turn N+1 starts with turn N's forwarded bytes up to N's last message (markers included).
    for (let i = 0; i + 1 < forwarded.length; i++) {
      const prev = forwarded[i]!;
      const json = prev.toString();
      const lastMessageAt = json.lastIndexOf('{"role":"user"');
      expect(forwarded[i + 1]!.subarray(0, lastMessageAt).equals(prev.subarray(0, lastMessageAt))).toBe(true);
    }
  });

  it('cache-aware client: its markers arrive unchanged, total ≤ 4, nothing added when it already has 4', async () => {
    const messages = conversation(2);
    const last = messages.at(-1)! as { content: Json[] };
    last.content = [{ ...last.content[0]!, cache_control: { type: 'ephemeral' } }];
    const system = [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }];
    const raw = body(messages, { system });
    await postRaw(`${h.url}/v1/messages`, raw, ANTHROPIC_HEADERS);
    const out = h.upstream.requests.at(-1)!.body;
    const sent = JSON.parse(out.toString()) as { system: Json[]; messages: { content: Json[] }[] };
    expect(sent.system).toEqual(system);
    expect(sent.messages.at(-1)!.content[0]!['cache_control']).toEqual({ type: 'ephemeral' });
    expect(markerCount(out)).toBeLessThanOrEqual(4);

    const four = body(messages, {
      system,
      tools: TOOLS.map((t, i) => (i === TOOLS.length - 1 ? { ...t, cache_control: { type: 'ephemeral' } } : t)),
      messages: messages.map((m, i) => (i === 0 ? { role: 'user', content: [{ type: 'text', text: 'Fix the failing test.', cache_control: { type: 'ephemeral' } }] } : m)),
    });
    await postRaw(`${h.url}/v1/messages`, four, ANTHROPIC_HEADERS);
    expect(markerCount(h.upstream.requests.at(-1)!.body)).toBe(4);
    expect(h.upstream.requests.at(-1)!.body.equals(Buffer.from(four))).toBe(true);
  });

  it('a top-level cache_control (automatic caching) is the client’s choice: no marker added', async () => {
    const raw = body(conversation(1), { cache_control: { type: 'ephemeral' } });
    await postRaw(`${h.url}/v1/messages`, raw, ANTHROPIC_HEADERS);
    expect(h.upstream.requests.at(-1)!.body.equals(Buffer.from(raw))).toBe(true);
  });

  it('newest-turn tool output behind the client’s breakpoint is compressed; the marker block keeps its cache_control', async () => {
    const messages = conversation(1);
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_rows', name: 'bash', input: { command: 'psql' } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_rows', content: jsonRows('behind', 300), cache_control: { type: 'ephemeral' } }] });
    await postRaw(`${h.url}/v1/messages`, body(messages), ANTHROPIC_HEADERS);
    const sent = JSON.parse(h.upstream.requests.at(-1)!.body.toString()) as { messages: { content: Json[] }[] };
    const block = sent.messages.at(-1)!.content[0]!;
    expect(block['cache_control']).toEqual({ type: 'ephemeral' });
    expect(String(block['content']).length).toBeLessThan(jsonRows('behind', 300).length / 2);
  });

  it('volatile prefix: flagged in a response header and a metric, never rewritten', async () => {
    const system = `Today is 2026-12-04. Request id: req_9f3a2c1d8e7b4a60ab. ${SYSTEM}`;
    const res = await postRaw(`${h.url}/v1/messages`, body(conversation(1), { system }), ANTHROPIC_HEADERS);
    expect(res.headers.get('x-leeway-volatile-prefix')).toMatch(/system:date/);
    expect(res.headers.get('x-leeway-volatile-prefix')).toMatch(/system:request-id/);
    expect(h.upstream.requests.at(-1)!.body.toString()).toContain(JSON.stringify(system).slice(1, -1));
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/leeway_proxy_volatile_prefix_total\{kind="date",where="system"\} [1-9]/);
    expect(metrics).toMatch(/leeway_proxy_cache_planner_actions_total\{[^}]*action="volatile_prefix_warning"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/leeway_proxy_cache_planner_actions_total\{[^}]*action="breakpoint_added"[^}]*\} [1-9]/);
    const clean = await postRaw(`${h.url}/v1/messages`, body(conversation(1)), ANTHROPIC_HEADERS);
    expect(clean.headers.get('x-leeway-volatile-prefix')).toBeNull();
  });

  it('OpenAI: prompt_cache_key added when absent (stable per tenant and prefix), the client’s own kept', async () => {
    const chat = (extra: Json = {}) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'hi' }], ...extra });
    await postRaw(`${h.url}/v1/chat/completions`, chat(), OPENAI_HEADERS);
    const a = (h.upstream.requests.at(-1)!.json as Json)['prompt_cache_key'];
    expect(a).toMatch(/^lw-[0-9a-f]{32}$/);
    await postRaw(`${h.url}/v1/chat/completions`, chat(), OPENAI_HEADERS);
    expect((h.upstream.requests.at(-1)!.json as Json)['prompt_cache_key']).toBe(a);
    await postRaw(`${h.url}/v1/chat/completions`, chat(), { ...OPENAI_HEADERS, 'x-leeway-key': 'other-team' });
    expect((h.upstream.requests.at(-1)!.json as Json)['prompt_cache_key']).not.toBe(a);
    const own = chat({ prompt_cache_key: 'mine' });
    await postRaw(`${h.url}/v1/chat/completions`, own, OPENAI_HEADERS);
    expect(h.upstream.requests.at(-1)!.body.equals(Buffer.from(own))).toBe(true);
    await postRaw(`${h.url}/v1/responses`, JSON.stringify({ model: 'gpt-5', instructions: SYSTEM, input: 'hi' }), OPENAI_HEADERS);
    expect((h.upstream.requests.at(-1)!.json as Json)['prompt_cache_key']).toMatch(/^lw-/);
  });

  it('a compression that fails open keeps the cache shape: prompt_cache_key and markers on every turn', async () => {
    const stores = new MemoryPrefixStateStore();
    stores.lookup = () => Promise.reject(new Error('store exploded'));
    const broken = await startHarness({
      env: { LEEWAY_CACHE_PLAN: 'true', LEEWAY_OPENAI_CACHE_KEY: 'true' },
      stores: { adapter: 'memory', prefixState: stores, ccr: new MemoryCcrStore(), redis: null, close: () => Promise.resolve() },
    });
    try {
      const chat = JSON.stringify({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: SYSTEM },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'q', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: jsonRows('fail-open', 200) },
        ],
      });
      await postRaw(`${broken.url}/v1/chat/completions`, chat, OPENAI_HEADERS);
      const rec = broken.upstream.requests.at(-1)!;
      expect((rec.json as Json)['prompt_cache_key']).toMatch(/^lw-/);
      expect(rec.body.toString()).toContain(JSON.stringify(jsonRows('fail-open', 200)));
      await postRaw(`${broken.url}/v1/messages`, body(conversation(2)), ANTHROPIC_HEADERS);
      expect(markerCount(broken.upstream.requests.at(-1)!.body)).toBeGreaterThan(0);
      expect((await broken.sink.nth(2)).optimization).toBe('failed-open');
    } finally {
      await broken.close();
    }
  });

  it('policy switch: LEEWAY_CACHE_PLAN=false adds no marker', async () => {
    const off = await startHarness({ env: { LEEWAY_CACHE_PLAN: 'false' } });
    try {
      const raw = body(conversation(1));
      await postRaw(`${off.url}/v1/messages`, raw, ANTHROPIC_HEADERS);
      expect(markerCount(off.upstream.requests.at(-1)!.body)).toBe(0);
    } finally {
      await off.close();
    }
  });
});
