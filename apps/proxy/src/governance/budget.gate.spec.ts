import type { BudgetView, ModelPrice, PolicyRule } from '@leeway/contracts';
import { MemoryBudgetLedger } from '@leeway/state';
import { describe, expect, it } from 'vitest';
import { BudgetGate, estimateMicros } from './budget.gate';
import { GovernanceCache } from './governance.cache';
import { GovernanceError } from './governance.errors';
import type { GovernanceSource } from './governance.source';

const PRICE: ModelPrice = {
  id: 'p1',
  provider: 'anthropic',
  modelPattern: 'claude-*',
  effectiveFrom: new Date('2020-01-01T00:00:00Z'),
  input: 3_000_000n, // $3 / Mtok
  cacheWrite5m: null,
  cacheWrite1h: null,
  cacheRead: null,
  output: 15_000_000n,
  reasoning: null,
};

function budget(over: Partial<BudgetView>): BudgetView {
  return {
    id: 'b1',
    teamId: 'team1',
    modelPattern: null,
    period: 'day',
    timezone: 'America/New_York',
    limitUsd: '1',
    mode: 'hard',
    alertThresholds: [],
    webhookUrl: null,
    softCompression: null,
    onRedisLoss: 'open',
    enabled: true,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

class FakeSource implements GovernanceSource {
  spendCalls: { from: Date | null; to: Date | null }[] = [];
  constructor(
    private readonly budgetList: BudgetView[],
    private readonly spent = 0,
  ) {}
  findKey = () => Promise.resolve(null);
  findCredential = () => Promise.resolve(null);
  policies = (): Promise<readonly PolicyRule[]> => Promise.resolve([]);
  budgets = () => Promise.resolve(this.budgetList);
  prices = () => Promise.resolve([PRICE]);
  spendMicros(_team: string, _pattern: string | null, from: Date | null, to: Date | null): Promise<number> {
    this.spendCalls.push({ from, to });
    return Promise.resolve(this.spent);
  }
}

const body = (maxTokens: number) => Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: maxTokens, messages: [{ role: 'user', content: 'hi' }] }));
const USAGE = { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: null };

function gateAt(source: GovernanceSource, clock: { now: number }, ledger = new MemoryBudgetLedger(() => clock.now)) {
  const cache = new GovernanceCache(source, { now: () => clock.now });
  return { gate: new BudgetGate({ cache, source, ledger, now: () => clock.now }), ledger };
}

describe('BudgetGate', () => {
  it('estimates the full output allowance plus the body at the input price', () => {
    const raw = body(1000);
    expect(estimateMicros(raw, PRICE)).toBe(Math.ceil(raw.length / 3) * 3 + 1000 * 15);
  });

  it('a day budget rolls over at midnight in its time zone, not UTC; the new window starts from the ledger spend', async () => {
    const source = new FakeSource([budget({ limitUsd: '0.02' })], 0);
    // 23:59:30 in New York on 3 December = 04:59:30 UTC on 4 December.
    const clock = { now: Date.parse('2026-12-04T04:59:30Z') };
    const { gate } = gateAt(source, clock);
    const first = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(1000) });
    expect(first.ticket?.reservation.counters[0]?.key).toBe('b1:2026-12-03T05:00:00.000Z');
    // 15 000 µ$ reserved of 20 000: a second one does not fit; retry-after is the 30 s to local midnight.
    const refused = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r2', raw: body(1000) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GovernanceError);
    expect((refused as GovernanceError).code).toBe('PRX_BUDGET_EXCEEDED');
    expect((refused as GovernanceError).headers['retry-after']).toBe('30');
    clock.now = Date.parse('2026-12-04T05:00:00Z'); // midnight in New York
    const next = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r3', raw: body(1000) });
    expect(next.ticket?.reservation.counters[0]?.key).toBe('b1:2026-12-04T05:00:00.000Z');
    expect(source.spendCalls.at(-1)).toEqual({ from: new Date('2026-12-04T05:00:00Z'), to: new Date('2026-12-05T05:00:00Z') });
  });

  it('settles to the real cost once (idempotent by request id) and releases unforwarded requests', async () => {
    const source = new FakeSource([budget({})], 0);
    const clock = { now: Date.parse('2026-12-04T12:00:00Z') };
    const { gate, ledger } = gateAt(source, clock);
    const a = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(500) });
    const key = a.ticket!.reservation.counters[0]!.key;
    expect(await ledger.read('team1', key)).toBe(a.ticket!.estimateMicros);
    await gate.settle(a.ticket!, USAGE, true);
    await gate.settle(a.ticket!, USAGE, true);
    expect(await ledger.read('team1', key)).toBe(100 * 3 + 10 * 15);
    const b = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r2', raw: body(500) });
    await gate.settle(b.ticket!, null, false);
    expect(await ledger.read('team1', key)).toBe(450);
  });

  it('reports the tightest budget utilisation on reserve and on settle', async () => {
    const source = new FakeSource([budget({ id: 'wide', limitUsd: '1' }), budget({ id: 'tight', limitUsd: '0.01' })], 0);
    const clock = { now: Date.parse('2026-12-04T12:00:00Z') };
    const seen: [string, number][] = [];
    const cache = new GovernanceCache(source, { now: () => clock.now });
    const ledger = new MemoryBudgetLedger(() => clock.now);
    const gate = new BudgetGate({ cache, source, ledger, now: () => clock.now, onUtilisation: (team, ratio) => seen.push([team, ratio]) });
    const a = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(500) });
    expect(seen).toEqual([['team1', a.ticket!.estimateMicros / 10_000]]);
    await gate.settle(a.ticket!, USAGE, true);
    expect(seen.at(-1)).toEqual(['team1', (100 * 3 + 10 * 15) / 10_000]);
  });

  it('counts what the team already spent in the window when a budget is added (seeded from the ledger)', async () => {
    const source = new FakeSource([budget({ limitUsd: '1' })], 999_000);
    const clock = { now: Date.parse('2026-12-04T12:00:00Z') };
    const { gate } = gateAt(source, clock);
    const refused = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(500) }).catch((e: unknown) => e);
    expect((refused as GovernanceError).code).toBe('PRX_BUDGET_EXCEEDED');
  });

  it('ledger unreachable: fail open by default, fail closed when the budget says so', async () => {
    const broken = new MemoryBudgetLedger();
    broken.reserve = () => Promise.reject(new Error('redis down'));
    const clock = { now: Date.parse('2026-12-04T12:00:00Z') };
    const open = gateAt(new FakeSource([budget({ onRedisLoss: 'open' })]), clock, broken).gate;
    expect((await open.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(10) })).ticket).toBeNull();
    const closed = gateAt(new FakeSource([budget({ onRedisLoss: 'closed' })]), clock, broken).gate;
    const err = await closed.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(10) }).catch((e: unknown) => e);
    expect((err as GovernanceError).code).toBe('PRX_NOT_READY');
  });

  it('soft budget over its limit: warning and the stronger compression mode, never a refusal', async () => {
    const source = new FakeSource([budget({ mode: 'soft', limitUsd: '0.000001', softCompression: 'aggressive' })]);
    const clock = { now: Date.parse('2026-12-04T12:00:00Z') };
    const { gate } = gateAt(source, clock);
    const a = await gate.admit({ teamId: 'team1', provider: 'anthropic', model: 'claude-sonnet-4-5', requestId: 'r1', raw: body(10) });
    expect(a.warning).toMatch(/^budget=b1; used=/);
    expect(a.compression).toBe('aggressive');
  });
});
