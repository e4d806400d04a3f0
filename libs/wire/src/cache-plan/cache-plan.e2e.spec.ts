/**
 * The planner against the fake upstream's prompt-cache accounting (Anthropic's documented rules): a naive
 * client's session through Leeway's plan reads on turn N+1 what turn N wrote.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '@leeway/testing';
import { checkCacheMarkers } from './cache-markers';
import { agentMessages, anthropicBody, encode, planBody, SYSTEM, type Json } from './cache-plan.test-support';

interface Usage {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  upstream.resetCaches();
  upstream.clearRequests();
});

async function send(body: Buffer): Promise<{ status: number; usage: Usage; text: string }> {
  const res = await fetch(`${upstream.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' },
    body,
  });
  const text = await res.text();
  const json = JSON.parse(text) as { usage?: Usage };
  return { status: res.status, usage: json.usage!, text };
}

const total = (u: Usage): number => u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;

/** Runs a session turn by turn (turn t carries messages up to its newest tool results). */
async function runSession(
  messages: Json[],
  build: (msgs: Json[]) => Json,
  through: 'leeway' | 'direct',
): Promise<{ usages: Usage[]; reasons: string[][] }> {
  const usages: Usage[] = [];
  const reasons: string[][] = [];
  for (let end = 3; end <= messages.length; end += 2) {
    const body = build(messages.slice(0, end));
    let forwarded = encode(body);
    if (through === 'leeway') {
      const planned = planBody(body);
      forwarded = planned.out;
      reasons.push(planned.plan.breakpoints.map((b) => b.reason));
      const check = checkCacheMarkers(forwarded);
      expect(check.ok, JSON.stringify(check.problems)).toBe(true);
      expect(check.markers).toBeLessThanOrEqual(4);
    }
    const r = await send(forwarded);
    expect(r.status, r.text).toBe(200);
    usages.push(r.usage);
  }
  return { usages, reasons };
}

describe('cache planner × fake upstream accounting', () => {
  it('naive client: no markers → Leeway’s plan → every turn reads all of the previous turn', async () => {
    const messages = agentMessages(8);
    const direct = await runSession(messages, (m) => anthropicBody(m), 'direct');
    expect(direct.usages.every((u) => u.cache_read_input_tokens === 0)).toBe(true);

    upstream.resetCaches();
    const { usages } = await runSession(messages, (m) => anthropicBody(m), 'leeway');
    expect(usages[0]!.cache_creation_input_tokens).toBe(total(usages[0]!));
    for (let t = 1; t < usages.length; t++) {
      // the read is exactly the previous request (its newest breakpoint sat on its last block)
      expect(usages[t]!.cache_read_input_tokens).toBe(total(usages[t - 1]!));
      expect(usages[t]!.input_tokens).toBe(0);
    }
  });

  it('a string system prompt is wrapped identically every turn, so the system breakpoint keeps hitting', async () => {
    const first = planBody(anthropicBody(agentMessages(1)));
    const second = planBody(anthropicBody([{ role: 'user', content: 'Something else entirely.' }]));
    await send(first.out);
    const r = await send(second.out);
    expect(r.usage.cache_read_input_tokens).toBeGreaterThan(0); // tools + system from another conversation
  });

  it('20-block look-back: a long session with 25 parallel tool calls a turn still reads every turn', async () => {
    const messages = agentMessages(6, { callsPerTurn: 25, resultWords: 12 });
    const { usages, reasons } = await runSession(messages, (m) => anthropicBody(m), 'leeway');
    for (let t = 1; t < usages.length; t++) {
      expect(reasons[t]).toContain('look-back');
      expect(usages[t]!.cache_read_input_tokens).toBe(total(usages[t - 1]!));
    }

    // Without the look-back breakpoint (newest only, > 20 blocks after the previous write) nothing is read.
    upstream.resetCaches();
    const newestOnly = (msgs: Json[]): Buffer => {
      const planned = planBody(anthropicBody(msgs));
      const keep = planned.plan.edits.filter((_, i) => planned.plan.breakpoints[i]!.reason !== 'look-back');
      return Buffer.from(applyAll(planned.raw, keep));
    };
    const turn1 = await send(newestOnly(messages.slice(0, 3)));
    const miss = await send(newestOnly(messages.slice(0, 5)));
    expect(miss.usage.cache_read_input_tokens).toBeGreaterThan(0); // tools + system still hit
    expect(miss.usage.cache_read_input_tokens).toBeLessThan(total(turn1.usage));
  });

  it('cache-aware client (system + newest marked, 1h): Leeway adds only 1h look-back markers and reads keep hitting', async () => {
    const cc = { type: 'ephemeral', ttl: '1h' };
    const build = (msgs: Json[]): Json => {
      const last = msgs[msgs.length - 1]!;
      const content = (last['content'] as Json[]).map((b, i, all) => (i === all.length - 1 ? { ...b, cache_control: cc } : b));
      return anthropicBody([...msgs.slice(0, -1), { ...last, content }], { system: [{ type: 'text', text: SYSTEM, cache_control: cc }] });
    };
    const messages = agentMessages(5, { callsPerTurn: 22, resultWords: 10 });
    const { usages, reasons } = await runSession(messages, build, 'leeway');
    for (let t = 1; t < usages.length; t++) {
      expect(reasons[t]).toEqual(['look-back']);
      expect(usages[t]!.cache_read_input_tokens).toBe(total(usages[t - 1]!));
      expect(usages[t]!.cache_creation.ephemeral_5m_input_tokens).toBe(0);
    }
  });

  it('below the Haiku minimum nothing is marked and nothing is cached', async () => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 10, system: 'Be brief.', messages: agentMessages(2, { resultWords: 300 }) };
    const planned = planBody(body);
    expect(planned.plan.skipped).toBe('below-minimum');
    const r = await send(planned.out);
    expect(r.usage.cache_creation_input_tokens).toBe(0);
  });
});

function applyAll(raw: Buffer, edits: readonly { start: number; end: number; replacement: string }[]): Buffer {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const e of sorted) {
    parts.push(raw.subarray(cursor, e.start), Buffer.from(e.replacement));
    cursor = e.end;
  }
  parts.push(raw.subarray(cursor));
  return Buffer.concat(parts);
}
