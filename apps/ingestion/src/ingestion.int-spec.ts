/**
 * Ingestion in split mode against the real servers: Redis Streams → PostgreSQL. Exactly one ledger
 * row per request through duplicate delivery, SIGKILL mid-batch and restart, PostgreSQL outage, Redis
 * restart; poison events dead-lettered with a reason while the rest flows.
 *
 * The PostgreSQL outage lasts LEEWAY_TEST_PG_OUTAGE_MS (default 5 s; the acceptance scenario is 30 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SAVINGS_EVENT_V1_PATTERN, type SavingsEventInput } from '@leeway/contracts';
import { createScratchSchema, openDatabase, runMigrations, seedModelPrices, type Database, type ScratchSchema } from '@leeway/db';
import {
  EventStreamKeys,
  RedisEventPublisher,
  closeRedisClient,
  createRedisClient,
  publishSavingsEvent,
  startPrivateRedis,
  waitForRedis,
  type RedisClient,
} from '@leeway/state';
import { integrationEnv } from '@leeway/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/ingestion.config';
import { createIngestionLogger } from './ingestion.logger';
import { startIngestion, type IngestionHandle } from './start-ingestion';
import { startTcpProxy } from './testing/tcp-proxy';

const postgres = integrationEnv('DATABASE_URL');
const redisEnv = integrationEnv('REDIS_URL');
const OUTAGE_MS = Number(process.env['LEEWAY_TEST_PG_OUTAGE_MS'] ?? 5000);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const logger = createIngestionLogger('silent');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met in time`);
    await sleep(50);
  }
};

function event(requestId: string, occurredAt = new Date().toISOString()): SavingsEventInput {
  return {
    v: 1,
    requestId,
    occurredAt,
    completedAt: occurredAt,
    teamId: `team-${requestId.length % 3}`,
    provider: 'openai',
    model: 'gpt-4.1-mini',
    operation: 'chat.completions',
    stream: true,
    status: 'complete',
    latencyMs: 120,
    usage: { inputTokens: 900, outputTokens: 50, cacheReadTokens: 100, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: null },
  };
}

describe.runIf(postgres.run && redisEnv.run)('ingestion split mode (PostgreSQL + Redis)', { timeout: 240_000 }, () => {
  let scratch: ScratchSchema;
  let db: Database;
  let admin: Redis;
  const clients: RedisClient[] = [];
  const children: ChildProcess[] = [];
  let handle: IngestionHandle | null = null;
  let keys: EventStreamKeys;

  const redisClient = async (url = redisEnv.url): Promise<RedisClient> => {
    const c = createRedisClient({ url, commandTimeoutMs: 2000 });
    clients.push(c);
    await waitForRedis(c, 5000);
    return c;
  };
  const counts = async (): Promise<{ n: number; distinct: number; rolled: number }> =>
    (
      await db.sql.query<{ n: number; distinct: number; rolled: number }>(
        `SELECT (SELECT count(*)::int FROM request_log) AS n, (SELECT count(DISTINCT request_id)::int FROM request_log) AS distinct,
                (SELECT coalesce(sum(requests), 0)::int FROM daily_rollups) AS rolled`,
      )
    ).rows[0]!;
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: scratch.url,
    REDIS_URL: redisEnv.url,
    LEEWAY_EVENT_STREAM_PREFIX: keys.prefix,
    LEEWAY_EVENT_PARTITIONS: String(keys.partitions),
    LEEWAY_INGESTION_PORT: '0',
    LEEWAY_INGESTION_HOST: '127.0.0.1',
    LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '20',
    LEEWAY_LOG_LEVEL: 'silent',
    ...extra,
  });

  beforeAll(async () => {
    scratch = await createScratchSchema(postgres.url, 'ingestion');
    db = await openDatabase({ databaseUrl: scratch.url, poolMax: 2 });
    await runMigrations(db.sql);
    await seedModelPrices(db.sql);
    admin = new Redis(redisEnv.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await db?.close();
    await scratch?.drop();
  });
  afterEach(async () => {
    await handle?.close();
    handle = null;
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const c of clients.splice(0)) await closeRedisClient(c);
    await admin.del(...keys.all(), keys.deadLetter());
    await db.sql.exec('TRUNCATE request_log; TRUNCATE daily_rollups;');
  });
  const freshKeys = (partitions = 4): void => {
    keys = new EventStreamKeys(`lwtest:${randomBytes(4).toString('hex')}:events`, partitions);
  };

  it('duplicate delivery → one row; poison → dead-letter stream with a reason; health endpoints answer', async () => {
    freshKeys();
    handle = await startIngestion(loadConfig(env()), { logger });
    const publisher = new RedisEventPublisher({ client: await redisClient(), keys });
    const dup = event('dup-1');
    publishSavingsEvent(publisher, dup);
    publishSavingsEvent(publisher, dup);
    publisher.publish(SAVINGS_EVENT_V1_PATTERN, 'poison-1', { ...event('poison-1'), usage: 'lots' });
    await admin.xadd(keys.partition(0), '*', 'p', SAVINGS_EVENT_V1_PATTERN, 'e', '{"truncated');
    for (let i = 0; i < 100; i++) publishSavingsEvent(publisher, event(`ok-${i}`));
    await publisher.flush(5000);
    await until(async () => (await counts()).n === 101 && handle!.server.stats().deadLettered === 2, 30_000, 'ingest');
    expect(await counts()).toEqual({ n: 101, distinct: 101, rolled: 101 });
    const dlq = await admin.xrange(keys.deadLetter(), '-', '+');
    const reasons = dlq.map(([, f]) => f[f.indexOf('reason') + 1]).sort();
    expect(reasons).toEqual(['invalid:usage: Invalid input: expected object, received string', 'malformed_json'].sort());
    // a redelivery of an event already in the ledger adds nothing
    await admin.xadd(keys.partition(1), '*', 'p', SAVINGS_EVENT_V1_PATTERN, 'e', JSON.stringify(dup));
    await until(() => handle!.server.stats().acked >= 103, 10_000, 'redelivery ack');
    expect((await counts()).n).toBe(101);

    const health = await fetch(`${handle.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${handle.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { stream: true, database: true, redis: true, prices: true } });
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metrics).toMatch(/leeway_ingestion_rows_inserted_total 101/);
  });

  it('SIGKILL mid-batch, then restart: every request ends up exactly once', async () => {
    freshKeys();
    const N = 20_000;
    const spawnIngestion = (consumer: string): ChildProcess => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/ingestion/src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env({ LEEWAY_INGESTION_CONSUMER: consumer, LEEWAY_INGESTION_CLAIM_IDLE_MS: '1000' }) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      return child;
    };
    const publisher = new RedisEventPublisher({ client: await redisClient(), keys });
    for (let i = 0; i < N; i++) publishSavingsEvent(publisher, event(`k-${i}`));
    await publisher.flush(30_000);

    const first = spawnIngestion('pod-a');
    await until(async () => (await counts()).n >= 2000, 120_000, 'first rows');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await counts();
    expect(atKill.n).toBeLessThan(N);
    const pending = await Promise.all(keys.all().map((k) => admin.xpending(k, 'ingestion')));
    const pendingTotal = pending.reduce((n, p) => n + Number(p[0]), 0);

    // A different pod takes over (claims the dead pod's pending entries after the idle time).
    spawnIngestion('pod-b');
    await until(async () => (await counts()).n === N, 180_000, 'all rows after restart');
    await sleep(500);
    expect(await counts()).toEqual({ n: N, distinct: N, rolled: N });
    console.info(`SIGKILL test: ${atKill.n} rows at kill, ${pendingTotal} entries pending on the dead consumer`);
  });

  it('SIGTERM drains gracefully: exit 0, everything read is committed and acknowledged', async () => {
    freshKeys(2);
    const publisher = new RedisEventPublisher({ client: await redisClient(), keys });
    for (let i = 0; i < 5000; i++) publishSavingsEvent(publisher, event(`t-${i}`));
    await publisher.flush(10_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/ingestion/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env({ LEEWAY_INGESTION_CONSUMER: 'pod-t' }) },
      stdio: 'ignore',
    });
    children.push(child);
    await until(async () => (await counts()).n > 0, 120_000, 'first rows');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    const pending = await Promise.all(keys.all().map((k) => admin.xpending(k, 'ingestion')));
    expect(pending.map((p) => Number(p[0]))).toEqual([0, 0]);
    const { n } = await counts();
    const groups = (await Promise.all(keys.all().map((k) => admin.call('XINFO', 'GROUPS', k)))) as unknown[][][];
    const delivered = groups.reduce((sum, g) => sum + Number(g[0]![g[0]!.indexOf('entries-read') + 1]), 0);
    expect(n).toBe(delivered);
  });

  it(`PostgreSQL unreachable for ${OUTAGE_MS} ms while events keep coming: no loss, no duplicates`, async () => {
    freshKeys();
    const { hostname, port } = new URL(postgres.url);
    const proxy = await startTcpProxy(hostname, Number(port || 5432));
    try {
      const viaProxy = new URL(scratch.url);
      viaProxy.port = String(proxy.port);
      const running = await startIngestion(loadConfig(env({ DATABASE_URL: viaProxy.toString(), LEEWAY_INGESTION_MIGRATE: 'false' })), { logger });
      handle = running;
      const publisher = new RedisEventPublisher({ client: await redisClient(), keys });
      let published = 0;
      const publishFor = async (ms: number): Promise<void> => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          for (let i = 0; i < 50; i++) publishSavingsEvent(publisher, event(`pg-${published++}`));
          await sleep(25);
        }
      };
      await publishFor(1000);
      proxy.cut();
      let sawNotReady = false;
      const watcher = (async () => {
        const end = Date.now() + OUTAGE_MS;
        while (Date.now() < end) {
          const r = await fetch(`${running.url}/readyz`);
          const body = (await r.json()) as { checks?: { database?: boolean } };
          if (r.status === 503 && body.checks?.database === false) sawNotReady = true;
          await sleep(200);
        }
      })();
      await publishFor(OUTAGE_MS);
      await watcher;
      proxy.restore();
      await publishFor(1000);
      await publisher.flush(10_000);
      await until(async () => (await counts()).n === published, 120_000, 'all rows after the outage');
      await sleep(500);
      expect(await counts()).toEqual({ n: published, distinct: published, rolled: published });
      expect(sawNotReady).toBe(true);
      const ready = await fetch(`${running.url}/readyz`);
      expect(ready.status, JSON.stringify(await ready.json())).toBe(200);
    } finally {
      await handle?.close();
      handle = null;
      await proxy.close();
    }
  });

  it('Redis killed and restarted while events are published and consumed: exactly one row each', async () => {
    freshKeys(2);
    const redis = await startPrivateRedis();
    try {
      handle = await startIngestion(loadConfig(env({ REDIS_URL: redis.url, LEEWAY_INGESTION_MIGRATE: 'false' })), { logger });
      const publisher = new RedisEventPublisher({ client: await redisClient(redis.url), keys, retryIntervalMs: 100 });
      for (let i = 0; i < 1000; i++) publishSavingsEvent(publisher, event(`rr-${i}`));
      await publisher.flush(5000);
      await until(async () => (await counts()).n > 0, 30_000, 'first rows');
      await redis.kill();
      for (let i = 1000; i < 2000; i++) publishSavingsEvent(publisher, event(`rr-${i}`));
      await sleep(1500);
      expect(publisher.stats().depth).toBe(1000); // spooled in the producer while Redis is down
      await redis.start();
      for (let i = 2000; i < 3000; i++) publishSavingsEvent(publisher, event(`rr-${i}`));
      await until(() => publisher.stats().depth === 0, 30_000, 'spool drained');
      await until(async () => (await counts()).n === 3000, 60_000, 'all rows after the Redis restart');
      await sleep(500);
      expect(await counts()).toEqual({ n: 3000, distinct: 3000, rolled: 3000 });
    } finally {
      await handle?.close();
      handle = null;
      await redis.stop();
    }
  });
});
