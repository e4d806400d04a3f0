/** The migration runner and the ledger writer against a real PostgreSQL (fresh schema per file). */
import pg from 'pg';
import { integrationEnv } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../connection/database';
import { isDataError } from '../errors';
import { runMigrations } from '../migrate/migration-runner';
import { createScratchSchema, type ScratchSchema } from '../testing/scratch-schema';
import { ledgerRow } from '../testing/ledger-row.fixture';
import { LedgerWriter } from './ledger.repository';

const postgres = integrationEnv('DATABASE_URL');

describe.runIf(postgres.run)('migrations and ledger on PostgreSQL', { timeout: 120_000 }, () => {
  let scratch: ScratchSchema;
  const opened: Database[] = [];
  const open = async (poolMax = 4): Promise<Database> => {
    const db = await openDatabase({ databaseUrl: scratch.url, poolMax });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    scratch = await createScratchSchema(postgres.url, 'ledger');
    await runMigrations((await open(1)).sql);
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await scratch?.drop();
  });

  it('concurrent runners apply each migration exactly once, then are idempotent', async () => {
    const fresh = await createScratchSchema(postgres.url, 'migrate');
    const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: fresh.url, poolMax: 1 })));
    opened.push(...dbs);
    const results = await Promise.all(dbs.map((db) => runMigrations(db.sql)));
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toHaveLength(new Set(applied).size);
    expect(applied.length).toBeGreaterThan(0);
    const again = await runMigrations(dbs[0]!.sql);
    expect(again.applied).toEqual([]);
    const { rows } = await dbs[0]!.sql.query<{ n: number; done: number }>(
      'SELECT count(*)::int AS n, count(finished_at)::int AS done FROM "_prisma_migrations"',
    );
    expect(rows[0]).toEqual({ n: applied.length, done: applied.length });
    await Promise.all(dbs.map((db) => db.close()));
    await fresh.drop();
  });

  it('keeps every table in the URL schema (nothing leaks into public)', async () => {
    const db = await open();
    const { rows } = await db.sql.query<{ schemaname: string }>(
      `SELECT DISTINCT schemaname FROM pg_tables WHERE tablename IN ('request_log', 'daily_rollups', '_prisma_migrations') AND schemaname = $1`,
      [scratch.schema],
    );
    expect(rows).toEqual([{ schemaname: scratch.schema }]);
  });

  it('concurrent writers with overlapping redeliveries: exactly one row per request, exact rollups', async () => {
    const db = await open(8);
    await db.sql.exec('TRUNCATE request_log; TRUNCATE daily_rollups;');
    const rows = Array.from({ length: 2000 }, (_, i) =>
      ledgerRow({ requestId: `c${i}`, teamId: `team-${i % 3}`, model: `m${i % 2}` }),
    );
    const writers = Array.from({ length: 6 }, () => new LedgerWriter(db.sql));
    // Six writers, each writing a shuffled overlapping two-thirds of the rows in batches of 250.
    await Promise.all(
      writers.map(async (writer, w) => {
        const mine = rows.filter((_, i) => (i + w) % 3 !== 0).sort(() => (w % 2 === 0 ? 1 : -1));
        for (let i = 0; i < mine.length; i += 250) await writer.write(mine.slice(i, i + 250));
      }),
    );
    const { rows: counts } = await db.sql.query<{ n: number; distinct: number; rolled: number }>(
      `SELECT (SELECT count(*)::int FROM request_log) AS n,
              (SELECT count(DISTINCT request_id)::int FROM request_log) AS distinct,
              (SELECT sum(requests)::int FROM daily_rollups) AS rolled`,
    );
    expect(counts[0]).toEqual({ n: 2000, distinct: 2000, rolled: 2000 });
  });

  it('a connection killed mid-write is a transient failure; the retry lands exactly once', async () => {
    const db = await open(1);
    await db.sql.exec('TRUNCATE request_log; TRUNCATE daily_rollups;');
    const writer = new LedgerWriter(db.sql);
    const rows = Array.from({ length: 3000 }, (_, i) => ledgerRow({ requestId: `k${i}` }));
    await db.sql.query('SELECT 1'); // the pool's one connection is open (not connecting) when the lock is taken
    const admin = new pg.Client({ connectionString: postgres.url });
    const locker = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await locker.connect();
    try {
      // Hold the rollup table so the batch statement blocks, then kill its connection mid-statement.
      // (The lock lives in its own session: polling pg_stat_activity inside a transaction sees a frozen snapshot.)
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE "${scratch.schema}".daily_rollups IN ACCESS EXCLUSIVE MODE`);
      const attempt = writer.write(rows).then(() => null, (error: unknown) => error);
      let killed = 0;
      for (let i = 0; i < 200 && killed === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'leeway' AND wait_event_type = 'Lock' AND query LIKE 'WITH "inserted"%'`,
        );
        killed = rowCount ?? 0;
      }
      await locker.query('COMMIT');
      expect(killed).toBe(1);
      const failure = await attempt;
      expect(failure).toBeInstanceOf(Error);
      expect(isDataError(failure)).toBe(false);
      expect((await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM request_log')).rows[0]!.n).toBe(0);
      // Retry (as the batcher does): the pool replaces the dead connection.
      const result = await writer.write(rows);
      expect(result.inserted).toBe(3000);
    } finally {
      await admin.end();
      await locker.end();
    }
    const { rows: counts } = await db.sql.query<{ n: number; rolled: number }>(
      'SELECT (SELECT count(*)::int FROM request_log) AS n, (SELECT coalesce(sum(requests), 0)::int FROM daily_rollups) AS rolled',
    );
    expect(counts[0]).toEqual({ n: 3000, rolled: 3000 });
  });
});
