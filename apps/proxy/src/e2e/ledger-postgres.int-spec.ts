/**
 * Proxy → ledger in split mode against the real servers: official SDK traffic through a proxy publishing
 * savings events to Redis Streams, the ingestion service (its own process, `npm run start:ingestion`)
 * writing them to PostgreSQL. Every exchange is one row with the SDK's usage by class and the billed
 * cost of the price in force; a cut-off stream is `partial`; spend per team and model is queryable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createScratchSchema, openDatabase, runMigrations, seedModelPrices, type Database, type ScratchSchema } from '@leeway/db';
import { startFakeUpstream, integrationEnv, type FakeUpstream } from '@leeway/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadProxyConfig } from '../config/proxy.config';
import { loadLedgerConfig } from '../config/ledger.config';
import { createProxyLogger } from '../observability/proxy.logger';
import { createProxyApp, type ProxyApp } from '../proxy.app';
import { driveLedgerTraffic, expectLedgerMatches, waitForLedgerRows } from './ledger-traffic';

const postgres = integrationEnv('DATABASE_URL');
const redisEnv = integrationEnv('REDIS_URL');
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(postgres.run && redisEnv.run)('proxy → Redis Streams → ingestion → PostgreSQL ledger', { timeout: 180_000 }, () => {
  let scratch: ScratchSchema;
  let db: Database;
  let upstream: FakeUpstream;
  let proxy: ProxyApp;
  let proxyUrl: string;
  let ingestion: ChildProcess;
  let ingestionLog = '';
  const prefix = `lwtest:${randomBytes(4).toString('hex')}`;
  const streamPrefix = `${prefix}:events`;

  beforeAll(async () => {
    scratch = await createScratchSchema(postgres.url, 'ledger_e2e');
    db = await openDatabase({ databaseUrl: scratch.url, poolMax: 2 });
    await runMigrations(db.sql);
    await seedModelPrices(db.sql);
    ingestion = spawn(process.execPath, ['--import', 'tsx', 'apps/ingestion/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: scratch.url,
        REDIS_URL: redisEnv.url,
        LEEWAY_EVENT_STREAM_PREFIX: streamPrefix,
        LEEWAY_EVENT_PARTITIONS: '2',
        LEEWAY_INGESTION_PORT: '0',
        LEEWAY_INGESTION_HOST: '127.0.0.1',
        LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '20',
        LEEWAY_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ingestion.stdout?.on('data', (chunk: Buffer) => (ingestionLog += chunk.toString()));
    ingestion.stderr?.on('data', (chunk: Buffer) => (ingestionLog += chunk.toString()));

    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
    const config = loadProxyConfig({
      LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
      LEEWAY_OPENAI_BASE_URL: upstream.url,
      LEEWAY_LOG_LEVEL: 'silent',
      LEEWAY_SECRET_KEY: 'e2e-secret-key-0123456789',
      LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
      REDIS_URL: redisEnv.url,
      LEEWAY_REDIS_KEY_PREFIX: prefix.replace(/:/g, '_'),
    });
    proxy = await createProxyApp({
      config,
      logger: createProxyLogger('silent'),
      defaultMetrics: false,
      ledger: loadLedgerConfig({ LEEWAY_EVENT_STREAM_PREFIX: streamPrefix, LEEWAY_EVENT_PARTITIONS: '2' }),
    });
    proxyUrl = await proxy.listen(0);
  });

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    if (ingestion && ingestion.exitCode === null) {
      const exited = new Promise((r) => ingestion.once('exit', r));
      ingestion.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (ingestion.exitCode === null) ingestion.kill('SIGKILL');
    }
    const admin = new Redis(redisEnv.url);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    await db?.close();
    await scratch?.drop();
  });

  it('one row per exchange with the SDK-reported usage classes, the list price in force, partial for a cut-off stream', async () => {
    const cases = await driveLedgerTraffic(proxyUrl, upstream, 'pg');
    const rows = await waitForLedgerRows(db.sql, cases, { describe: () => `ingestion output:\n${ingestionLog.slice(-3000)}` });
    await expectLedgerMatches(db.sql, cases, rows);
  });
});
