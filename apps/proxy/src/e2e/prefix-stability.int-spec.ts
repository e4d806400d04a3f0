// I2: a session served alternately by two proxy processes sharing Redis — every forwarded body extends the
// previous one byte-for-byte (up to its last message), with compression decisions made once and replayed.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openStateStores } from '@leeway/state';
import type { StateStores } from '@leeway/state';
import { integrationEnv, startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { isArraySpan, isObjectSpan, scanJson } from '@leeway/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, jsonRows, OPENAI_HEADERS, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

const redisEnv = integrationEnv('REDIS_URL');

/** Byte offset of the end of the last element of `messages` in a request body. */
function endOfLastMessage(body: Buffer): number {
  const root = scanJson(body);
  if (!isObjectSpan(root)) throw new Error('not an object');
  const messages = root.entries.find((e) => e.key === 'messages')?.value;
  if (!isArraySpan(messages) || messages.items.length === 0) throw new Error('no messages');
  return messages.items.at(-1)!.end;
}

/** Every forwarded body starts with the previous forwarded body up to its last message. */
function prefixBreaks(bodies: readonly Buffer[]): number[] {
  const breaks: number[] = [];
  for (let i = 1; i < bodies.length; i++) {
    const prev = bodies[i - 1]!;
    const end = endOfLastMessage(prev);
    if (!bodies[i]!.subarray(0, end).equals(prev.subarray(0, end))) breaks.push(i);
  }
  return breaks;
}

type Provider = 'anthropic' | 'openai';

/** The agent's own history (never compressed: clients keep the originals) for turn `turn` (0-based). */
function sessionBody(provider: Provider, turn: number): string {
  const task = 'Find the users whose status is error and explain why.';
  if (provider === 'anthropic') {
    const messages: unknown[] = [{ role: 'user', content: task }];
    for (let i = 0; i <= turn; i++) {
      messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${i}.` }, { type: 'tool_use', id: `toolu_${i}`, name: 'query_db', input: { page: i } }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: jsonRows(`turn${i}`, 110) }] });
    }
    return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 512, system: 'You are a database assistant.', messages });
  }
  const messages: unknown[] = [{ role: 'system', content: 'You are a database assistant.' }, { role: 'user', content: task }];
  for (let i = 0; i <= turn; i++) {
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'query_db', arguments: JSON.stringify({ page: i }) } }] });
    messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: jsonRows(`turn${i}`, 110) });
  }
  return JSON.stringify({ model: 'gpt-4o', messages });
}

describe.runIf(redisEnv.run)('I2 prefix stability across replicas (real Redis)', () => {
  let upstream: FakeUpstream;
  let admin: Redis;
  const open: { close(): Promise<void> }[] = [];
  let keyPrefix = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
    admin = new Redis(redisEnv.url);
  });
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  });
  afterAll(async () => {
    await admin.quit();
    await upstream.close();
  });

  async function replica(stores: StateStores): Promise<Harness> {
    const h = await startHarness({ upstream, stores });
    open.push(h);
    return h;
  }

  async function redisStores(): Promise<StateStores> {
    const stores = await openStateStores({ redisUrl: redisEnv.url, keyPrefix });
    open.push(stores);
    return stores;
  }

  async function runSession(provider: Provider, a: Harness, b: Harness): Promise<{ bodies: Buffer[]; cached: number[]; prompt: number[] }> {
    upstream.clearRequests();
    upstream.resetCaches();
    const bodies: Buffer[] = [];
    const cached: number[] = [];
    const prompt: number[] = [];
    for (let turn = 0; turn < 10; turn++) {
      const proxy = turn % 2 === 0 ? a : b;
      const path = provider === 'anthropic' ? '/v1/messages' : '/v1/chat/completions';
      const res = await postRaw(proxy.url + path, sessionBody(provider, turn), provider === 'anthropic' ? ANTHROPIC_HEADERS : OPENAI_HEADERS);
      expect(res.status).toBe(200);
      bodies.push(upstream.requests.at(-1)!.body);
      const usage = JSON.parse(res.body.toString()) as { usage: { prompt_tokens?: number; prompt_tokens_details?: { cached_tokens: number } } };
      cached.push(usage.usage.prompt_tokens_details?.cached_tokens ?? 0);
      prompt.push(usage.usage.prompt_tokens ?? 0);
    }
    return { bodies, cached, prompt };
  }

  for (const provider of ['anthropic', 'openai'] as const) {
    it(`${provider}: every forwarded body extends the previous one; each tool output is compressed once and replayed`, async () => {
      keyPrefix = `lwtest-${randomBytes(6).toString('hex')}`;
      const a = await replica(await redisStores());
      const b = await replica(await redisStores());
      const { bodies, cached, prompt } = await runSession(provider, a, b);

      expect(prefixBreaks(bodies)).toEqual([]);
      // Compression really happened: every turn's fresh output was replaced, and later turns replay it.
      for (const body of bodies) expect(body.toString()).toContain('[leeway: ');
      const records = [...a.sink.records, ...b.sink.records].sort((x, y) => x.startedAt - y.startedAt);
      expect(records.map((r) => r.segments.compressed)).toEqual(Array(10).fill(1));
      expect(records.map((r) => r.segments.replayed)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      // Odd turns ran on replica B, whose own memory never saw the previous turn: the decisions came from Redis.
      expect(b.sink.records.every((r) => r.segments.replayed === r.segments.total - 1)).toBe(true);
      if (provider === 'openai') {
        // The provider's automatic prefix cache (from 1,024 tokens) hits on every turn whose predecessor was cacheable.
        const eligible = cached.filter((_, i) => i > 0 && prompt[i - 1]! >= 1024);
        expect(eligible.length).toBeGreaterThan(3);
        expect(eligible.every((n) => n > 0)).toBe(true);
      }
    });
  }

  it('losing Redis mid-session: bytes already sent still replay, new outputs go out as they are, nothing fails', async () => {
    keyPrefix = `lwtest-${randomBytes(6).toString('hex')}`;
    const stores = await redisStores();
    const a = await replica(stores);
    upstream.clearRequests();
    const first = await postRaw(`${a.url}/v1/messages`, sessionBody('anthropic', 0), ANTHROPIC_HEADERS);
    expect(first.status).toBe(200);
    stores.redis!.disconnect();
    const second = await postRaw(`${a.url}/v1/messages`, sessionBody('anthropic', 1), ANTHROPIC_HEADERS);
    expect(second.status).toBe(200);
    const [b0, b1] = upstream.requests.map((r) => r.body);
    expect(prefixBreaks([b0!, b1!])).toEqual([]);
    expect(b1!.toString()).toContain(JSON.stringify(jsonRows('turn1', 110))); // the new output, untouched
    const record = a.sink.records.at(-1)!;
    expect(record.optimization).toBe('applied'); // the known decision replayed…
    expect(record.failOpenReason).toBe('state-unavailable'); // …the new output was not decided
    expect(record.segments.compressed).toBe(0);
    expect(record.segments.replayed).toBe(1);
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
  });

  it('control: two replicas that do NOT share state break the prefix (the check above can fail)', async () => {
    keyPrefix = `lwtest-${randomBytes(6).toString('hex')}`;
    const memoryA = await openStateStores({});
    const memoryB = await openStateStores({});
    open.push(memoryA, memoryB);
    const a = await replica(memoryA);
    const b = await replica(memoryB);
    const { bodies } = await runSession('anthropic', a, b);
    expect(prefixBreaks(bodies).length).toBeGreaterThan(0);
  });
});
