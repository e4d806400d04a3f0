import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { integrationEnv } from '@leeway/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SegmentDecision } from '../ports';
import { closeRedisClient, createRedisClient, waitForRedis } from './redis-client';
import type { RedisClient } from './redis-client';
import { RedisCcrStore } from './redis-ccr.store';
import { RedisPrefixStateStore } from './redis-prefix-state.store';

const redisEnv = integrationEnv('REDIS_URL');
const REDIS_URL = redisEnv.url;

const decision = (replacement: string | null, markerKeys: string[] = []): SegmentDecision => ({
  replacement,
  tokensBefore: 500,
  tokensAfter: replacement === null ? 500 : 120,
  kind: 'json',
  lossless: markerKeys.length === 0,
  markerKeys,
});

describe.runIf(redisEnv.run)('Redis state stores (real Redis)', () => {
  const clients: RedisClient[] = [];
  let admin: Redis;
  let prefix: string;

  const client = (): RedisClient => {
    const c = createRedisClient({ url: REDIS_URL });
    clients.push(c);
    return c;
  };
  const readyClient = async (): Promise<RedisClient> => {
    const c = client();
    await waitForRedis(c, 5000);
    return c;
  };

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    // Remove this test's keys with SCAN (never KEYS).
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await Promise.all(clients.splice(0).map((c) => closeRedisClient(c)));
  });

  afterAll(async () => {
    await admin.quit();
  });

  const newPrefix = (): string => {
    prefix = `lwtest-${randomBytes(6).toString('hex')}`;
    return prefix;
  };

  it('shares decisions between replicas: the first writer wins, the loser adopts the winner', async () => {
    const keyPrefix = newPrefix();
    const a = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix });
    const b = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix });
    const won = await a.record('team1', 'v1', new Map([['h1', decision('A-output')]]));
    expect(won.complete).toBe(true);
    expect(won.decided.get('h1')?.replacement).toBe('A-output');
    const lost = await b.record('team1', 'v1', new Map([['h1', decision('B-output')]]));
    expect(lost.decided.get('h1')?.replacement).toBe('A-output');
    const seen = await b.lookup('team1', 'v1', ['h1', 'h2']);
    expect(seen.complete).toBe(true);
    expect(seen.found.get('h1')).toEqual(decision('A-output'));
    expect(seen.found.has('h2')).toBe(false);
  });

  it('settles a race of many replicas on one decision', async () => {
    const keyPrefix = newPrefix();
    const stores: RedisPrefixStateStore[] = [];
    for (let i = 0; i < 8; i++) stores.push(new RedisPrefixStateStore({ client: await readyClient(), keyPrefix }));
    const results = await Promise.all(
      stores.map((s, i) => s.record('team1', 'v1', new Map([['race', decision(`out-${i}`)]]))),
    );
    expect(results.every((r) => r.complete)).toBe(true);
    const winners = new Set(results.map((r) => r.decided.get('race')?.replacement));
    expect(winners.size).toBe(1);
    expect([...winners][0]).toMatch(/^out-\d$/);
    const lookups = await Promise.all(stores.map((s) => s.lookup('team1', 'v1', ['race'])));
    expect(new Set(lookups.map((l) => l.found.get('race')?.replacement))).toEqual(winners);
  });

  it('keeps decisions per tenant and policy version, keys hash-tagged by tenant, TTL set and slid', async () => {
    const keyPrefix = newPrefix();
    const store = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix, ttlMs: 60_000 });
    await store.record('team1', 'v1', new Map([['h', decision('X')]]));
    const other = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix, ttlMs: 60_000 });
    expect((await other.lookup('team2', 'v1', ['h'])).found.size).toBe(0);
    expect((await other.lookup('team1', 'v2', ['h'])).found.size).toBe(0);
    const key = `${keyPrefix}:{team1}:ps:v1:h`;
    expect(await admin.exists(key)).toBe(1);
    await admin.pexpire(key, 5_000);
    await other.lookup('team1', 'v1', ['h']);
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('slides the TTL of CCR originals named by a replayed decision', async () => {
    const keyPrefix = newPrefix();
    const ccr = new RedisCcrStore({ client: await readyClient(), keyPrefix, ttlMs: 60_000 });
    await ccr.put('team1', { lw_00000000000000aa: 'original' });
    const writer = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix, ttlMs: 60_000 });
    await writer.record('team1', 'v1', new Map([['h', decision('[marker]', ['lw_00000000000000aa'])]]));
    const ccrKey = `${keyPrefix}:{team1}:ccr:lw_00000000000000aa`;
    await admin.pexpire(ccrKey, 5_000);
    const reader = new RedisPrefixStateStore({ client: await readyClient(), keyPrefix, ttlMs: 60_000 });
    await reader.lookup('team1', 'v1', ['h']);
    await expect.poll(() => admin.pttl(ccrKey)).toBeGreaterThan(50_000);
  });

  it('stores CCR originals byte-exact, tenant-scoped, with a TTL', async () => {
    const keyPrefix = newPrefix();
    const ccr = new RedisCcrStore({ client: await readyClient(), keyPrefix, ttlMs: 90_000 });
    const text = 'line 1\r\n\t{"é": "😀", "z": "\\u0000"}\n'.repeat(50);
    await ccr.put('team1', { lw_0123456789abcdef: text });
    expect(await ccr.findOriginal('team1', 'LW_0123456789ABCDEF')).toBe(text);
    expect(await ccr.findOriginal('team2', 'lw_0123456789abcdef')).toBeNull();
    const ttl = await admin.pttl(`${keyPrefix}:{team1}:ccr:lw_0123456789abcdef`);
    expect(ttl).toBeGreaterThan(80_000);
    expect((await ccr.checkReady()).ready).toBe(true);
  });

  it('degrades without throwing when Redis is lost: local decisions replay, nothing new is decided', async () => {
    const keyPrefix = newPrefix();
    const c = await readyClient();
    const errors: string[] = [];
    const store = new RedisPrefixStateStore({ client: c, keyPrefix, onError: (e) => errors.push(e.code) });
    await store.record('team1', 'v1', new Map([['known', decision('K')]]));
    c.disconnect();
    const lookup = await store.lookup('team1', 'v1', ['known', 'unknown']);
    expect(lookup.complete).toBe(false);
    expect(lookup.found.get('known')?.replacement).toBe('K');
    expect(lookup.found.has('unknown')).toBe(false);
    const rec = await store.record('team1', 'v1', new Map([['unknown', decision('U')]]));
    expect(rec.complete).toBe(false);
    expect(rec.decided.size).toBe(0);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect((await store.checkReady()).ready).toBe(false);
    const ccr = new RedisCcrStore({ client: c, keyPrefix });
    await expect(ccr.put('team1', { lw_0000000000000001: 'x' })).rejects.toMatchObject({ code: 'STA_UNAVAILABLE' });
  });

  it('does not stall the request path on a Redis that never answers', async () => {
    newPrefix();
    const sockets: Socket[] = [];
    const blackhole: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as AddressInfo).port;
    const c = new Redis({ port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0 });
    const store = new RedisPrefixStateStore({ client: c, keyPrefix: prefix, operationTimeoutMs: 50 });
    const started = performance.now();
    const lookup = await store.lookup('team1', 'v1', ['h']);
    const elapsed = performance.now() - started;
    expect(lookup.complete).toBe(false);
    expect(elapsed).toBeLessThan(500);
    c.disconnect();
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });
});
