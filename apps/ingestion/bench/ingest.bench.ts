/**
 * `npm run bench:ingest` — ingestion throughput and latency, Redis Streams → PostgreSQL.
 *
 *   1. Throughput: BENCH_EVENTS (default 100,000) savings events are put in the stream first, then one
 *      ingestion instance drains them; events/s = events / time until the last row is committed.
 *   2. Latency: events are published at BENCH_RATE (default 1,000/s) for BENCH_SECONDS (default 20 s);
 *      event-to-row latency = row.ingested_at (database clock at insert) − event.occurredAt (taken just
 *      before XADD, same host clock): p50 / p95 / p99 / max.
 *
 * Needs DATABASE_URL and REDIS_URL; works in a scratch schema and a scratch stream prefix, removed after.
 * Prints one JSON object. Not a test: it measures, it does not assert.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { SavingsEventInput } from '@leeway/contracts';
import { createScratchSchema, openDatabase, runMigrations } from '@leeway/db';
import {
  EventStreamKeys,
  RedisEventPublisher,
  closeRedisClient,
  createRedisClient,
  publishSavingsEvent,
  waitForRedis,
} from '@leeway/state';
import { loadConfig } from '../src/config/ingestion.config';
import { createIngestionLogger } from '../src/ingestion.logger';
import { startIngestion } from '../src/start-ingestion';

// eslint-disable-next-line no-restricted-properties -- a benchmark script: its parameters come from the environment
const env = process.env;
const DATABASE_URL = env['DATABASE_URL'];
const REDIS_URL = env['REDIS_URL'];
const EVENTS = Number(env['BENCH_EVENTS'] ?? 100_000);
const RATE = Number(env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(env['BENCH_SECONDS'] ?? 20);
const PARTITIONS = Number(env['BENCH_PARTITIONS'] ?? 4);

const RUN = randomBytes(4).toString('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function benchEvent(i: number, occurredAt: string): SavingsEventInput {
  return {
    v: 1,
    requestId: `bench-${RUN}-${i}`,
    occurredAt,
    completedAt: occurredAt,
    teamId: `team-${i % 20}`,
    keyId: `key-${i % 100}`,
    provider: i % 2 === 0 ? 'anthropic' : 'openai',
    model: i % 2 === 0 ? 'claude-sonnet-4-5-20250929' : 'gpt-4.1-mini',
    operation: i % 2 === 0 ? 'messages' : 'chat.completions',
    stream: i % 3 !== 0,
    status: 'complete',
    httpStatus: 200,
    latencyMs: 800 + (i % 400),
    ttfbMs: 200,
    usage: {
      inputTokens: 1200 + (i % 50),
      outputTokens: 300,
      cacheReadTokens: 20_000,
      cacheWrite5mTokens: i % 2 === 0 ? 1500 : 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: null,
    },
    compression: { tokensBefore: 8000, tokensAfter: 2500, replayedTokensBefore: 4000, replayedTokensAfter: 1200, kinds: ['json', 'logs'] },
    cache: { breakpointsAdded: i % 2 === 0 ? 1 : 0, promptCacheKeySet: i % 2 === 1 },
    retrieveRounds: 0,
    sessionId: `s-${i % 500}`,
    traceparent: null,
  };
}

const CLK_TCK = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 when unreadable. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  if (!DATABASE_URL || !REDIS_URL) {
    process.stderr.write('bench:ingest needs DATABASE_URL and REDIS_URL\n');
    process.exit(2);
  }
  const scratch = await createScratchSchema(DATABASE_URL, 'bench');
  const db = await openDatabase({ databaseUrl: scratch.url, poolMax: 2 });
  const redis = createRedisClient({ url: REDIS_URL, commandTimeoutMs: 10_000 });
  await waitForRedis(redis, 5000);
  const keys = new EventStreamKeys(`lwbench:${randomBytes(4).toString('hex')}:events`, PARTITIONS);
  const publisher = new RedisEventPublisher({ client: redis, keys, spoolCapacity: EVENTS + 10_000, batchSize: 1000 });
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    REDIS_URL,
    LEEWAY_EVENT_STREAM_PREFIX: keys.prefix,
    LEEWAY_EVENT_PARTITIONS: String(PARTITIONS),
    LEEWAY_INGESTION_PORT: '0',
    LEEWAY_INGESTION_HOST: '127.0.0.1',
    LEEWAY_LOG_LEVEL: 'warn',
    ...(env['LEEWAY_INGESTION_BATCH_SIZE'] ? { LEEWAY_INGESTION_BATCH_SIZE: env['LEEWAY_INGESTION_BATCH_SIZE'] } : {}),
    ...(env['LEEWAY_INGESTION_WRITERS'] ? { LEEWAY_INGESTION_WRITERS: env['LEEWAY_INGESTION_WRITERS'] } : {}),
  });
  const count = async (): Promise<number> =>
    (await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM request_log')).rows[0]!.n;
  try {
    await runMigrations(db.sql);

    // --- 1. throughput: drain a backlog ------------------------------------------------------
    const publishStarted = Date.now();
    const now = new Date().toISOString();
    for (let i = 0; i < EVENTS; i++) publishSavingsEvent(publisher, benchEvent(i, now));
    await publisher.flush(300_000);
    const publishMs = Date.now() - publishStarted;

    const ingestion = await startIngestion(config, { logger: createIngestionLogger('warn') });
    // CPU used by this process and by ingestion's PostgreSQL backends while draining: on a shared
    // machine wall-clock throughput understates what the code does per CPU-second.
    const backendPids = async (): Promise<number[]> =>
      (
        await db.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'leeway-ingestion'`)
      ).rows.map((r) => r.pid);
    const cpuBefore = process.cpuUsage();
    const pgCpuBefore = new Map<number, number>();
    const drainStarted = Date.now();
    let n = 0;
    while (n < EVENTS) {
      await sleep(100);
      for (const pid of await backendPids()) if (!pgCpuBefore.has(pid)) pgCpuBefore.set(pid, 0);
      n = await count();
      if (Date.now() - drainStarted > 600_000) throw new Error(`drain stalled at ${n}/${EVENTS}`);
    }
    const drainMs = Date.now() - drainStarted;
    const nodeCpu = process.cpuUsage(cpuBefore);
    const nodeCpuSeconds = (nodeCpu.user + nodeCpu.system) / 1e6;
    // Backends were new at ingestion start: their whole CPU time is the drain's (plus the small start-up).
    const pgCpuSeconds = [...pgCpuBefore.keys()].reduce((sum, pid) => sum + processCpuSeconds(pid), 0);

    // --- 2. latency at a steady rate -----------------------------------------------------------
    await db.sql.exec('TRUNCATE request_log');
    const total = RATE * SECONDS;
    const tickMs = 10;
    const steadyStarted = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - steadyStarted) / 1000) * RATE));
      while (sent < due) publishSavingsEvent(publisher, benchEvent(EVENTS + sent++, new Date().toISOString()));
      await sleep(Math.max(1, tickMs - ((Date.now() - steadyStarted) % tickMs)));
    }
    const steadyMs = Date.now() - steadyStarted;
    while ((await count()) < total) await sleep(100);
    const { rows } = await db.sql.query<{ ms: number }>(
      `SELECT extract(epoch FROM (ingested_at - occurred_at)) * 1000 AS ms FROM request_log`,
    );
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    await ingestion.close();

    process.stdout.write(
      `${JSON.stringify(
        {
          machine: { cpus: cpus().length, loadavg1m: Number(loadavg()[0]!.toFixed(2)) },
          throughput: {
            events: EVENTS,
            partitions: PARTITIONS,
            batchSize: config.batch.size,
            writers: config.batch.writers,
            publishEventsPerSecond: Math.round((EVENTS / publishMs) * 1000),
            streamToPostgresEventsPerSecond: Math.round((EVENTS / drainMs) * 1000),
            drainSeconds: Number((drainMs / 1000).toFixed(2)),
            cpuSeconds: { node: Number(nodeCpuSeconds.toFixed(2)), postgres: Number(pgCpuSeconds.toFixed(2)) },
            eventsPerCpuSecond: Math.round(EVENTS / (nodeCpuSeconds + pgCpuSeconds)),
          },
          latency: {
            targetRate: RATE,
            achievedRate: Math.round((total / steadyMs) * 1000),
            events: latencies.length,
            p50Ms: Math.round(percentile(latencies, 50)),
            p95Ms: Math.round(percentile(latencies, 95)),
            p99Ms: Math.round(percentile(latencies, 99)),
            maxMs: Math.round(latencies[latencies.length - 1] ?? Number.NaN),
          },
          spool: publisher.stats(),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await publisher.close(1000);
    await redis.del(...keys.all(), keys.deadLetter()).catch(() => undefined);
    await closeRedisClient(redis);
    await db.close();
    await scratch.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
