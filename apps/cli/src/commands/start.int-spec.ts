/**
 * The embedded start with DATABASE_URL and REDIS_URL set: the same single process uses PostgreSQL for the
 * ledger and Redis Streams for the savings events (and Redis for state), with the same results.
 */
import { randomBytes } from 'node:crypto';
import { createScratchSchema, openDatabase, type Database, type ScratchSchema } from '@leeway/db';
import { createProxyLogger } from '@leeway/proxy';
import { driveLedgerTraffic, expectLedgerMatches, waitForLedgerRows } from '@leeway/proxy/ledger-testing';
import { integrationEnv, startFakeUpstream, type FakeUpstream } from '@leeway/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from './start';

const postgres = integrationEnv('DATABASE_URL');
const redisEnv = integrationEnv('REDIS_URL');

describe.runIf(postgres.run && redisEnv.run)('embedded start on PostgreSQL + Redis', { timeout: 180_000 }, () => {
  let scratch: ScratchSchema;
  let upstream: FakeUpstream;
  let stack: EmbeddedStack | null = null;
  let check: Database;
  const prefix = `lwtest_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    scratch = await createScratchSchema(postgres.url, 'embedded_pg');
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
    await check?.close();
    const admin = new Redis(redisEnv.url);
    const keys = [...(await admin.keys(`${prefix}*`)), ...(await admin.keys(`*${prefix}*`))];
    if (keys.length > 0) await admin.del(...new Set(keys));
    admin.disconnect();
    await scratch?.drop();
  });

  it('uses the configured servers: rows in PostgreSQL via Redis Streams, same usage and cost', async () => {
    stack = await startEmbeddedStack({
      env: {
        DATABASE_URL: scratch.url,
        REDIS_URL: redisEnv.url,
        LEEWAY_REDIS_KEY_PREFIX: prefix,
        LEEWAY_EVENT_STREAM_PREFIX: `${prefix}:events`,
        LEEWAY_EVENT_PARTITIONS: '2',
        LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
        LEEWAY_OPENAI_BASE_URL: upstream.url,
        LEEWAY_LOG_LEVEL: 'silent',
        LEEWAY_SECRET_KEY: 'embedded-secret-key-0123456789',
        LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
        LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '10',
      },
      proxyPort: 0,
      adminPort: 0,
      logger: createProxyLogger('silent'),
    });
    expect(stack.events).toBe('redis-streams');
    expect(stack.stores.adapter).toBe('redis');
    expect(stack.database.engine).not.toBe('pglite');
    expect(stack.databaseTarget).toContain(scratch.schema);

    const cases = await driveLedgerTraffic(stack.proxyUrl, upstream, 'embedded-pg');
    // read through a separate connection: the rows are really in the server's schema
    check = await openDatabase({ databaseUrl: scratch.url, poolMax: 1 });
    const rows = await waitForLedgerRows(check.sql, cases);
    await expectLedgerMatches(check.sql, cases, rows);
    // delivered through the Redis consumer group, acknowledged after the commit
    expect(stack.ingestion.server.stats().acked).toBeGreaterThanOrEqual(cases.length);
  });
});
