/** The budget ledger's contract, against real Redis and the memory adapter. */
import { randomBytes } from 'node:crypto';
import { integrationEnv } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../errors';
import { closeRedisClient, createRedisClient, waitForRedis, type RedisClient } from '../redis/redis-client';
import { MemoryBudgetLedger } from './budget-ledger';
import type { BudgetCounter, BudgetLedger } from './budget-ledger';
import { RedisBudgetLedger } from './redis-budget-ledger';

const redisEnv = integrationEnv('REDIS_URL');

function contract(name: string, make: () => BudgetLedger): void {
  describe(name, () => {
    const team = () => `t_${randomBytes(4).toString('hex')}`;
    const hard = (limitMicros: number, key = 'b1:2026-12'): BudgetCounter => ({ key, limitMicros, hard: true, ttlMs: 60_000 });

    it('reports missing counters, seeds them once, then reserves and settles', async () => {
      const ledger = make();
      const t = team();
      const r = { team: t, requestId: 'r1', estimateMicros: 300, counters: [hard(1000)] };
      expect(await ledger.reserve(r)).toEqual({ status: 'missing', missing: [0] });
      expect(await ledger.seed(t, hard(1000), 100)).toBe(true);
      expect(await ledger.seed(t, hard(1000), 999)).toBe(false);
      expect(await ledger.reserve(r)).toEqual({ status: 'admitted', used: [400], replayed: false });
      // idempotent reserve
      expect(await ledger.reserve(r)).toEqual({ status: 'admitted', used: [400], replayed: true });
      expect(await ledger.settle(r, 250)).toEqual({ applied: true, used: [350] });
      // idempotent settle
      expect(await ledger.settle(r, 250)).toEqual({ applied: false, used: [350] });
      expect(await ledger.read(t, 'b1:2026-12')).toBe(350);
    });

    it('a hard counter refuses what would exceed the limit; a soft one only counts', async () => {
      const ledger = make();
      const t = team();
      const soft: BudgetCounter = { key: 'b2:all', limitMicros: 10, hard: false, ttlMs: 0 };
      await ledger.seed(t, hard(1000), 800);
      await ledger.seed(t, soft, 0);
      const over = await ledger.reserve({ team: t, requestId: 'a', estimateMicros: 201, counters: [soft, hard(1000)] });
      expect(over).toEqual({ status: 'rejected', index: 1, used: [0, 800] });
      const fits = await ledger.reserve({ team: t, requestId: 'b', estimateMicros: 200, counters: [soft, hard(1000)] });
      expect(fits).toEqual({ status: 'admitted', used: [200, 1000], replayed: false });
    });

    it('a settle without a reservation adds the real cost; windows are separate keys; teams never share', async () => {
      const ledger = make();
      const t = team();
      const other = team();
      await ledger.seed(t, hard(1000, 'b1:w1'), 0);
      await ledger.seed(t, hard(1000, 'b1:w2'), 0);
      await ledger.seed(other, hard(1000, 'b1:w1'), 0);
      expect((await ledger.settle({ team: t, requestId: 'x', estimateMicros: 0, counters: [hard(1000, 'b1:w1')] }, 70)).used).toEqual([70]);
      expect(await ledger.read(t, 'b1:w2')).toBe(0);
      expect(await ledger.read(other, 'b1:w1')).toBe(0);
      expect(await ledger.once(t, 'b1:w1:80', 60_000)).toBe(true);
      expect(await ledger.once(t, 'b1:w1:80', 60_000)).toBe(false);
    });

    it('concurrent reservations never exceed a hard limit', async () => {
      const ledger = make();
      const t = team();
      await ledger.seed(t, hard(10_000), 0);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ledger.reserve({ team: t, requestId: `c${i}`, estimateMicros: 700, counters: [hard(10_000)] })),
      );
      expect(results.filter((r) => r.status === 'admitted')).toHaveLength(14);
      expect(await ledger.read(t, 'b1:2026-12')).toBe(9800);
    });
  });
}

contract('MemoryBudgetLedger', () => new MemoryBudgetLedger());

describe('MemoryBudgetLedger expiry', () => {
  it('a counter expires with its window (no sweeper) and is reported missing again', async () => {
    let now = 1_000;
    const ledger = new MemoryBudgetLedger(() => now);
    const c: BudgetCounter = { key: 'b:w', limitMicros: 5, hard: true, ttlMs: 100 };
    await ledger.seed('t', c, 5);
    expect((await ledger.reserve({ team: 't', requestId: 'r', estimateMicros: 1, counters: [c] })).status).toBe('rejected');
    now += 101;
    expect(await ledger.reserve({ team: 't', requestId: 'r', estimateMicros: 1, counters: [c] })).toEqual({ status: 'missing', missing: [0] });
  });
});

describe.runIf(redisEnv.run)('RedisBudgetLedger (real Redis)', () => {
  let client: RedisClient;
  const prefix = `lwtest${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    client = createRedisClient({ url: redisEnv.url, commandTimeoutMs: 2000 });
    await waitForRedis(client, 5000);
  });
  afterAll(async () => {
    await closeRedisClient(client);
  });
  contract('RedisBudgetLedger', () => new RedisBudgetLedger({ client, keyPrefix: prefix, operationTimeoutMs: 2000 }));

  it('an unreachable Redis fails fast with a StateError (the gate then fails open or closed per budget)', async () => {
    const dead = createRedisClient({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, connectTimeoutMs: 200 });
    try {
      const ledger = new RedisBudgetLedger({ client: dead, operationTimeoutMs: 300 });
      const t0 = Date.now();
      await expect(ledger.reserve({ team: 't', requestId: 'r', estimateMicros: 1, counters: [{ key: 'b:w', limitMicros: 5, hard: true, ttlMs: 1000 }] })).rejects.toBeInstanceOf(StateError);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      dead.disconnect();
    }
  });

  it('counters carry the window TTL (no sweeper)', async () => {
    const ledger = new RedisBudgetLedger({ client, keyPrefix: prefix, operationTimeoutMs: 2000 });
    await ledger.seed('ttlteam', { key: 'b:w', limitMicros: 5, hard: true, ttlMs: 50_000 }, 0);
    const ttl = await client.pttl(`${prefix}:{ttlteam}:budget:b:w`);
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual(50_000);
  });
});
