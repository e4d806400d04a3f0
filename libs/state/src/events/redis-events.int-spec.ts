/** Redis Streams publisher, source and transport against real Redis (a key prefix per test). */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { integrationEnv } from '@leeway/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient, waitForRedis, type RedisClient } from '../redis/redis-client';
import { EventStreamServer } from './event-stream.server';
import { RedisEventPublisher } from './redis-event.publisher';
import { EventStreamKeys } from './redis-stream-keys';
import { RedisStreamSource } from './redis-stream.source';
import { startPrivateRedis, type PrivateRedis } from './testing/private-redis';

const redisEnv = integrationEnv('REDIS_URL');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
};

describe.runIf(redisEnv.run)('Redis Streams events (real Redis)', { timeout: 60_000 }, () => {
  const clients: RedisClient[] = [];
  let admin: Redis;
  let keys: EventStreamKeys;

  const client = async (url = redisEnv.url): Promise<RedisClient> => {
    const c = createRedisClient({ url, commandTimeoutMs: 2000 });
    clients.push(c);
    await waitForRedis(c, 5000);
    return c;
  };
  const allEntries = async (): Promise<number> => {
    let n = 0;
    for (const key of keys.all()) n += await admin.xlen(key);
    return n;
  };

  beforeAll(() => {
    admin = new Redis(redisEnv.url);
  });
  afterAll(async () => {
    admin.disconnect();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await closeRedisClient(c);
    await admin.del(...keys.all(), keys.deadLetter());
  });
  const freshKeys = (partitions = 4): EventStreamKeys => {
    keys = new EventStreamKeys(`lwtest:${randomBytes(4).toString('hex')}:events`, partitions);
    return keys;
  };

  it('publishes into partitions by key, reads and acknowledges through the consumer group', async () => {
    freshKeys();
    const publisher = new RedisEventPublisher({ client: await client(), keys });
    const source = new RedisStreamSource({ client: await client(), keys, consumer: 'c1' });
    await source.start();
    for (let i = 0; i < 200; i++) publisher.publish('t.v1', `req-${i}`, { i });
    const stats = await publisher.flush(5000);
    expect(stats).toMatchObject({ depth: 0, published: 200, dropped: 0 });
    expect(await allEntries()).toBe(200);
    const nonEmpty = (await Promise.all(keys.all().map((k) => admin.xlen(k)))).filter((n) => n > 0);
    expect(nonEmpty.length).toBe(4);

    const seen: number[] = [];
    for (const partition of source.partitions()) {
      const batch = await source.read(partition, 1000);
      seen.push(...batch.map((d) => (JSON.parse(d.payload!) as { i: number }).i));
      expect(batch.every((d) => d.pattern === 't.v1' && d.deliveries === 1)).toBe(true);
      await source.ack(partition, batch.map((d) => d.id));
      expect(await admin.xpending(partition, 'ingestion')).toEqual([0, null, null, null]);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a restarted consumer reads its unacknowledged entries back first; another claims a dead consumer\'s entries', async () => {
    freshKeys(1);
    const partition = keys.partition(0);
    const publisher = new RedisEventPublisher({ client: await client(), keys });
    for (let i = 0; i < 5; i++) publisher.publish('t.v1', `k${i}`, { i });
    await publisher.flush(5000);
    const crashed = new RedisStreamSource({ client: await client(), keys, consumer: 'pod-a' });
    await crashed.start();
    const taken = await crashed.read(partition, 10);
    expect(taken).toHaveLength(5);

    const restarted = new RedisStreamSource({ client: await client(), keys, consumer: 'pod-a' });
    const history = await restarted.read(partition, 2);
    expect(history.map((d) => d.id)).toEqual(taken.slice(0, 2).map((d) => d.id));
    expect(history.every((d) => d.deliveries === 2)).toBe(true);

    const other = new RedisStreamSource({ client: await client(), keys, consumer: 'pod-b' });
    expect(await other.claimStale(partition, 60_000, 10)).toEqual([]);
    await sleep(60);
    const claimed = await other.claimStale(partition, 50, 10);
    expect(claimed.map((d) => d.id).sort()).toEqual(taken.map((d) => d.id).sort());
    expect(claimed.every((d) => d.deliveries >= 2)).toBe(true);
  });

  it('dead-letters with the reason and the raw payload, and acknowledges the entry', async () => {
    freshKeys(1);
    const partition = keys.partition(0);
    await admin.xadd(partition, '*', 'p', 't.v1', 'e', '{not json');
    const source = new RedisStreamSource({ client: await client(), keys, consumer: 'c' });
    await source.start();
    const [delivery] = await source.read(partition, 10);
    await source.deadLetter(delivery!, 'malformed_json');
    const dlq = await admin.xrange(keys.deadLetter(), '-', '+');
    expect(dlq).toHaveLength(1);
    const fields = Object.fromEntries(
      dlq[0]![1].reduce<[string, string][]>((acc, v, i, arr) => (i % 2 === 0 ? [...acc, [v, arr[i + 1]!]] : acc), []),
    );
    expect(fields).toMatchObject({ reason: 'malformed_json', stream: partition, id: delivery!.id, e: '{not json', p: 't.v1' });
    expect(await admin.xpending(partition, 'ingestion')).toEqual([0, null, null, null]);
  });

  it('trims acknowledged history but never entries still pending or unread', async () => {
    freshKeys(1);
    const partition = keys.partition(0);
    const publisher = new RedisEventPublisher({ client: await client(), keys });
    for (let i = 0; i < 1500; i++) publisher.publish('t.v1', `k${i}`, { i });
    await publisher.flush(10_000);
    const source = new RedisStreamSource({ client: await client(), keys, consumer: 'c' });
    await source.start();
    const first = await source.read(partition, 1000);
    await source.ack(partition, first.slice(0, 900).map((d) => d.id)); // 100 pending, 500 unread
    await source.trim(partition);
    const left = await admin.xrange(partition, '-', '+');
    expect(left.length).toBeLessThan(1500);
    const leftIds = new Set(left.map(([id]) => id));
    for (const d of first.slice(900)) expect(leftIds.has(d.id)).toBe(true);
    const rest = await source.read(partition, 1000);
    expect(rest).toHaveLength(500);
  });

  it('recreates a vanished stream/group instead of failing the read loop', async () => {
    freshKeys(1);
    const partition = keys.partition(0);
    const source = new RedisStreamSource({ client: await client(), keys, consumer: 'c' });
    await source.start();
    await admin.del(partition);
    expect(await source.read(partition, 10)).toEqual([]);
    await admin.xadd(partition, '*', 'p', 't.v1', 'e', '{}');
    expect(await source.read(partition, 10)).toHaveLength(1);
  });

  describe('through a Redis restart (private redis-server with AOF)', () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await startPrivateRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('spools while Redis is down (bounded, with a depth), drains when it returns, loses nothing', async () => {
      freshKeys(2);
      const depths: number[] = [];
      const c = createRedisClient({ url: redis.url, commandTimeoutMs: 500 });
      clients.push(c);
      await waitForRedis(c, 5000);
      const publisher = new RedisEventPublisher({ client: c, keys, retryIntervalMs: 50, writeTimeoutMs: 500, onDepth: (d) => depths.push(d) });
      for (let i = 0; i < 100; i++) publisher.publish('t.v1', `a${i}`, { i });
      await publisher.flush(5000);
      expect(publisher.stats().published).toBe(100);

      await redis.kill();
      for (let i = 100; i < 400; i++) publisher.publish('t.v1', `b${i}`, { i });
      await sleep(200);
      expect(publisher.stats().depth).toBe(300);
      expect(publisher.stats().published).toBe(100);

      await redis.start();
      await until(() => publisher.stats().depth === 0, 20_000);
      const direct = new Redis(redis.url);
      try {
        let total = 0;
        const ids = new Set<number>();
        for (const key of keys.all()) {
          const entries = await direct.xrange(key, '-', '+');
          total += entries.length;
          for (const [, fields] of entries) ids.add((JSON.parse(fields[3]!) as { i: number }).i);
        }
        expect(ids.size).toBe(400); // every event, including the 100 written before the crash (AOF)
        expect(total).toBeGreaterThanOrEqual(400); // a re-sent round may duplicate: ingestion dedupes
      } finally {
        direct.disconnect();
      }
      expect(depths.some((d) => d > 0)).toBe(true);
      await publisher.close(1000);
    });

    it('drops the oldest events beyond the spool capacity and counts them', async () => {
      freshKeys(1);
      const c = createRedisClient({ url: redis.url, commandTimeoutMs: 500 });
      clients.push(c);
      await waitForRedis(c, 5000);
      const publisher = new RedisEventPublisher({ client: c, keys, spoolCapacity: 50, retryIntervalMs: 50 });
      await redis.kill();
      for (let i = 0; i < 80; i++) publisher.publish('t.v1', `k${i}`, { i });
      expect(publisher.stats()).toMatchObject({ depth: 50, dropped: 30 });
      await redis.start();
      await until(() => publisher.stats().depth === 0, 20_000);
      const direct = new Redis(redis.url);
      try {
        const entries = await direct.xrange(keys.partition(0), '-', '+');
        expect(entries.map(([, f]) => (JSON.parse(f[3]!) as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i + 30));
      } finally {
        direct.disconnect();
      }
    });
  });

  describe('Nest transport over Redis Streams', () => {
    let app: INestMicroservice | null = null;
    afterEach(async () => {
      await app?.close();
      app = null;
    });

    it('consumes every partition, acknowledges handled entries and dead-letters unknown patterns', async () => {
      freshKeys(3);
      const received: string[] = [];
      @Controller()
      class Handler {
        constructor(@Inject('RECEIVED') private readonly sink: string[]) {}
        @EventPattern('t.v1')
        handle(@Payload() payload: { id: string }): void {
          this.sink.push(payload.id);
        }
      }
      @Module({ controllers: [Handler], providers: [{ provide: 'RECEIVED', useValue: received }] })
      class M {}
      const source = new RedisStreamSource({ client: await client(), keys, consumer: 'nest' });
      const server = new EventStreamServer({ source, pollIntervalMs: 10 });
      app = await NestFactory.createMicroservice(M, { strategy: server, logger: false });
      await app.listen();
      const publisher = new RedisEventPublisher({ client: await client(), keys });
      for (let i = 0; i < 300; i++) publisher.publish('t.v1', `r${i}`, { id: `r${i}` });
      publisher.publish('unknown.v9', 'x', {});
      await publisher.flush(5000);
      await until(() => server.stats().acked === 300 && server.stats().deadLettered === 1);
      expect(new Set(received).size).toBe(300);
      for (const key of keys.all()) expect((await admin.xpending(key, 'ingestion'))[0]).toBe(0);
      expect((await admin.xrange(keys.deadLetter(), '-', '+'))[0]![1]).toContain('no_handler:unknown.v9');
    });
  });
});
