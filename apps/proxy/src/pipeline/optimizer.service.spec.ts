import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryCcrStore, MemoryPrefixStateStore, StateError } from '@leeway/state';
import type { CcrStore, PrefixLookup, PrefixStateStore } from '@leeway/state';
import { anthropicMessagesAdapter, applyEdits } from '@leeway/wire';
import { loadProxyConfig } from '../config/proxy.config';
import { HeaderIdentityResolver } from '../identity/identity.resolver';
import { ProxyMetrics } from '../observability/proxy.metrics';
import { CompressionPool } from './compression.pool';
import { lastModelTurnIndex, OptimizerService } from './optimizer.service';

const rows = (seed: string, n = 120) =>
  JSON.stringify(
    Array.from({ length: n }, (_, i) => ({
      id: i,
      name: `${seed}-user-${i}`,
      email: `${seed}${i}@example.com`,
      status: i % 9 === 0 ? 'error' : 'ok',
      created_at: `2024-02-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    })),
    null,
    2,
  );

const toolUse = (id: string) => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'query_db', input: { sql: 'select *' } }] });
const toolResult = (id: string, content: unknown, extra: Record<string, unknown> = {}) => ({
  role: 'user',
  content: [{ type: 'tool_result', tool_use_id: id, content, ...extra }],
});

function body(messages: unknown[]): Buffer {
  return Buffer.from(JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 100, messages }));
}

const identity = async (key?: string) =>
  new HeaderIdentityResolver('test-secret-key-123').resolve(key ? { 'x-leeway-key': key } : {});

function optimizer(stores: { prefixState: PrefixStateStore; ccr: CcrStore }, env: Record<string, string> = {}) {
  const metrics = new ProxyMetrics({ defaultMetrics: false });
  return { service: new OptimizerService(loadProxyConfig(env), stores, metrics, new CompressionPool({ workers: 0 })), metrics };
}

const memoryStores = () => ({ prefixState: new MemoryPrefixStateStore(), ccr: new MemoryCcrStore() });

afterEach(() => vi.restoreAllMocks());

describe('OptimizerService', () => {
  it('compresses a fresh tool output, stores its originals first, and replays the decision byte-identically', async () => {
    const stores = memoryStores();
    const put = vi.spyOn(stores.ccr, 'put');
    const record = vi.spyOn(stores.prefixState, 'record');
    const { service } = optimizer(stores);
    const who = await identity();
    const turn1 = [{ role: 'user', content: 'list users with errors' }, toolUse('t1'), toolResult('t1', rows('a'))];
    const raw1 = body(turn1);
    const plan1 = await service.plan(anthropicMessagesAdapter.parseRequest(raw1), who);
    expect(plan1.outcome).toBe('applied');
    expect(plan1.segments.compressed).toBe(1);
    expect(plan1.tokensAfter).toBeLessThan(plan1.tokensBefore);
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.invocationCallOrder[0]!).toBeLessThan(record.mock.invocationCallOrder[0]!);
    const out1 = applyEdits(raw1, plan1.edits);
    const sent1 = JSON.parse(out1.toString()) as { messages: { content: { content: string }[] }[] };
    const marker = /retrieve key=(lw_[0-9a-f]{16})/.exec(sent1.messages[2]!.content[0]!.content)?.[1];
    expect(marker).toBeDefined();
    expect(await stores.ccr.findOriginal(who.tenant, marker!)).toBe(rows('a'));

    // Next turn: the same segment is now history; its decision replays, the bytes are the same.
    const turn2 = [...turn1, { role: 'assistant', content: 'done' }, { role: 'user', content: 'thanks' }];
    const raw2 = body(turn2);
    const plan2 = await service.plan(anthropicMessagesAdapter.parseRequest(raw2), who);
    expect(plan2.segments.replayed).toBe(1);
    expect(plan2.segments.compressed).toBe(0);
    const out2 = applyEdits(raw2, plan2.edits);
    const prefix = out1.subarray(0, out1.lastIndexOf(']'));
    expect(out2.subarray(0, prefix.length).equals(prefix)).toBe(true);
  });

  it('never decides segments older than the model’s last turn', async () => {
    const { service } = optimizer(memoryStores());
    const messages = [
      { role: 'user', content: 'go' },
      toolUse('t1'),
      toolResult('t1', rows('old')),
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'next' },
    ];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.edits).toEqual([]);
    expect(plan.outcome).toBe('unchanged');
  });

  it('compresses a newest-turn output whose block carries cache_control (only its text changes, I3 by turn)', async () => {
    const { service } = optimizer(memoryStores());
    const messages = [
      { role: 'user', content: 'go' },
      toolUse('t1'),
      toolResult('t1', rows('p'), { cache_control: { type: 'ephemeral' } }),
    ];
    const raw = body(messages);
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(raw), await identity());
    expect(plan.edits).toHaveLength(1);
    expect(plan.segments.protected).toBe(0);
    const out = JSON.parse(applyEdits(raw, plan.edits).toString('utf8')) as { messages: { content: Record<string, unknown>[] }[] };
    expect(out.messages[2]!.content[0]!['cache_control']).toEqual({ type: 'ephemeral' });
    expect(out.messages[2]!.content[0]!['content']).toMatch(/\[leeway: /);
  });

  it('never newly decides a cache-protected output of an earlier turn (replay only)', async () => {
    const { service } = optimizer(memoryStores());
    const messages = [
      { role: 'user', content: 'go' },
      toolUse('t1'),
      toolResult('t1', rows('old'), { cache_control: { type: 'ephemeral' } }),
      toolUse('t2'),
      toolResult('t2', 'short'),
    ];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.edits).toEqual([]);
    expect(plan.segments.protected).toBe(1);
  });

  it('scopes decisions and originals by tenant', async () => {
    const stores = memoryStores();
    const { service } = optimizer(stores);
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('t'))];
    const a = await identity('team-a');
    const b = await identity('team-b');
    expect(a.tenant).not.toBe(b.tenant);
    const planA = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), a);
    const planB = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), b);
    expect(planA.segments.compressed).toBe(1);
    expect(planB.segments.compressed).toBe(1); // decided afresh for team b, not replayed from team a
    expect(planA.edits[0]!.replacement).not.toBe(planB.edits[0]!.replacement); // different marker keys
  });

  it('decides nothing new when the shared store is unavailable, but replays what it knows (I5)', async () => {
    const stores = memoryStores();
    const { service, metrics } = optimizer(stores);
    const who = await identity();
    const known = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('k'))];
    await service.plan(anthropicMessagesAdapter.parseRequest(body(known)), who);

    const real = stores.prefixState.lookup.bind(stores.prefixState);
    vi.spyOn(stores.prefixState, 'lookup').mockImplementation(
      async (...args): Promise<PrefixLookup> => ({ ...(await real(...args)), complete: false }),
    );
    const compressSpy = vi.spyOn(stores.prefixState, 'record');
    const next = [...known, toolUse('t2'), toolResult('t2', rows('new'))];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(next)), who);
    expect(plan.segments.replayed).toBe(1);
    expect(plan.segments.compressed).toBe(0);
    expect(plan.failOpenReason).toBe('state-unavailable');
    expect(compressSpy).not.toHaveBeenCalled();
    expect((await metrics.failOpen.get()).values.find((v) => v.labels.reason === 'state-unavailable')?.value).toBe(1);
  });

  it('sends no lossy marker whose original could not be stored (I4)', async () => {
    const stores = memoryStores();
    vi.spyOn(stores.ccr, 'put').mockRejectedValue(new StateError('STA_UNAVAILABLE', 'down'));
    const { service } = optimizer(stores);
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('x'))];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    for (const edit of plan.edits) expect(edit.replacement).not.toMatch(/retrieve key=/);
    expect(plan.failOpenReason).toBe('ccr-unavailable');
  });

  it('adopts the decision another replica recorded first', async () => {
    const stores = memoryStores();
    const { service } = optimizer(stores);
    const who = await identity();
    const text = rows('race');
    vi.spyOn(stores.prefixState, 'record').mockImplementation(async (_t, _p, decisions) => {
      const [hash] = [...decisions.keys()];
      return {
        complete: true,
        decided: new Map([[hash!, { replacement: 'WINNER', tokensBefore: 10, tokensAfter: 1, kind: 'json', lossless: true, markerKeys: [] }]]),
      };
    });
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', text)];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), who);
    expect(plan.edits.map((e) => e.replacement)).toEqual([JSON.stringify('WINNER')]);
  });

  it('stops compressing when the time budget is spent, forwarding the rest as is', async () => {
    const { service } = optimizer(memoryStores(), { LEEWAY_OPTIMIZE_BUDGET_MS: '5' });
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 4));
    const messages = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [
        { type: 'tool_use', id: 't1', name: 'a', input: {} },
        { type: 'tool_use', id: 't2', name: 'b', input: {} },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 't1', content: rows('one') },
        { type: 'tool_result', tool_use_id: 't2', content: rows('two') },
      ] },
    ];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.segments.compressed).toBe(1);
    expect(plan.failOpenReason).toBe('budget-exceeded');
  });

  it('records a segment sent over budget as "keep", so it is never compressed later', async () => {
    const stores = memoryStores();
    const who = await identity();
    const slow = optimizer(stores, { LEEWAY_OPTIMIZE_BUDGET_MS: '1' }).service;
    const fast = optimizer(stores).service;
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('late'))];
    let now = 0;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => (now += 5));
    const first = await slow.plan(anthropicMessagesAdapter.parseRequest(body(messages)), who);
    spy.mockRestore();
    expect(first.failOpenReason).toBe('budget-exceeded');
    expect(first.edits).toEqual([]);
    const again = await fast.plan(anthropicMessagesAdapter.parseRequest(body(messages)), who);
    expect(again.edits).toEqual([]);
    expect(again.segments.compressed).toBe(0);
  });

  it('never decides fresh text already sent as is earlier in the conversation', async () => {
    const { service } = optimizer(memoryStores());
    const same = rows('same');
    const messages = [
      { role: 'user', content: 'go' },
      toolUse('t1'),
      toolResult('t1', same),
      toolUse('t2'),
      toolResult('t2', same),
    ];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.edits).toEqual([]);
  });

  it('replays the decision made for a cache_control output of the newest turn once it lies in an earlier turn', async () => {
    const stores = memoryStores();
    const { service } = optimizer(stores);
    const who = await identity();
    const text = rows('cached');
    const turn1 = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', text, { cache_control: { type: 'ephemeral' } })];
    const first = await service.plan(anthropicMessagesAdapter.parseRequest(body(turn1)), who);
    expect(first.segments.compressed).toBe(1);
    const turn2 = [...turn1, toolUse('t2'), toolResult('t2', 'ok')];
    const second = await service.plan(anthropicMessagesAdapter.parseRequest(body(turn2)), who);
    expect(second.segments.replayed).toBe(1);
    expect(second.edits[0]!.replacement).toBe(first.edits[0]!.replacement);
  });

  it('retrieve tool gate: the first lossy marker mid-session must pay for rewriting the cached prefix', async () => {
    const { service } = optimizer(memoryStores());
    const who = await identity();
    const small = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('gate-small'))];
    const paid = await service.plan(anthropicMessagesAdapter.parseRequest(body(small)), who, { stickyKey: 'rt.small' });
    expect(paid.edits).toHaveLength(1);
    expect(paid.retrieveSticky).toBe(true);
    // A huge already-sent prefix: the marker (and the tool it needs) would cost more than it saves.
    const huge = [{ role: 'user', content: 'context '.repeat(200_000) }, toolUse('t1'), toolResult('t1', rows('gate-huge'))];
    const kept = await service.plan(anthropicMessagesAdapter.parseRequest(body(huge)), who, { stickyKey: 'rt.huge' });
    expect(kept.markerKeys ?? []).toEqual([]);
    expect(kept.retrieveSticky).toBe(false);
    // Without the tool question (retrieve off), the same output is compressed as before.
    const free = await service.plan(anthropicMessagesAdapter.parseRequest(body([{ role: 'user', content: 'x' }, toolUse('t9'), toolResult('t9', rows('gate-free'))])), who);
    expect(free.edits).toHaveLength(1);
  });

  it('does nothing with compression off', async () => {
    const { service } = optimizer(memoryStores(), { LEEWAY_COMPRESSION_MODE: 'off' });
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('x'))];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.outcome).toBe('skipped');
    expect(plan.edits).toEqual([]);
  });

  it('fails open on an unexpected error', async () => {
    const stores = memoryStores();
    vi.spyOn(stores.prefixState, 'lookup').mockRejectedValue(new Error('boom'));
    const { service } = optimizer(stores);
    const messages = [{ role: 'user', content: 'go' }, toolUse('t1'), toolResult('t1', rows('x'))];
    const plan = await service.plan(anthropicMessagesAdapter.parseRequest(body(messages)), await identity());
    expect(plan.outcome).toBe('failed-open');
    expect(plan.edits).toEqual([]);
  });
});

describe('lastModelTurnIndex', () => {
  it('finds assistant messages and Responses call / reasoning items', () => {
    const span = { kind: 'null', start: 0, end: 0 } as never;
    expect(lastModelTurnIndex([{ index: 0, role: 'user', type: null, span }])).toBe(-1);
    expect(
      lastModelTurnIndex([
        { index: 0, role: 'user', type: 'message', span },
        { index: 1, role: null, type: 'function_call', span },
        { index: 2, role: null, type: 'function_call_output', span },
      ]),
    ).toBe(1);
    expect(
      lastModelTurnIndex([
        { index: 0, role: 'assistant', type: null, span },
        { index: 1, role: 'tool', type: null, span },
      ]),
    ).toBe(0);
  });
});
