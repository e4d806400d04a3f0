import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../connection/database';
import { runMigrations } from '../migrate/migration-runner';
import { ledgerRow } from '../testing/ledger-row.fixture';
import { LedgerWriter } from './ledger.repository';
import { listRequestLogPartitions, maintainRequestLog } from './request-log-maintenance';

describe('ledger writer on PGlite', { timeout: 120_000 }, () => {
  let db: Database;
  let writer: LedgerWriter;

  beforeAll(async () => {
    db = await openDatabase({});
    await runMigrations(db.sql);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.sql.exec('TRUNCATE request_log; TRUNCATE daily_rollups;');
    writer = new LedgerWriter(db.sql);
  });

  const count = async (sql: string): Promise<number> => Number((await db.sql.query<{ n: number }>(sql)).rows[0]!.n);

  it('writes one row per request id and ignores redeliveries, inside and across batches', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ledgerRow({ requestId: `r${i}` }));
    const first = await writer.write([...rows, ...rows.slice(0, 10)]);
    expect(first).toMatchObject({ inserted: 50, rejected: [] });
    const again = await writer.write(rows.slice(0, 25));
    expect(again.inserted).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM request_log')).toBe(50);
  });

  it('adds to the daily rollups only what was actually inserted', async () => {
    await writer.write([ledgerRow({ requestId: 'a' }), ledgerRow({ requestId: 'b', status: 'partial', outputTokens: null, billedUsd: null })]);
    await writer.write([ledgerRow({ requestId: 'a' }), ledgerRow({ requestId: 'c', model: 'other' })]);
    const { rows } = await db.sql.query<Record<string, unknown>>(
      `SELECT model, requests::int, partial_requests::int, unpriced_requests::int, output_tokens::int, billed_usd::text, input_tokens::int
         FROM daily_rollups ORDER BY model`,
    );
    expect(rows).toEqual([
      {
        model: 'claude-sonnet-4-5',
        requests: 2,
        partial_requests: 1,
        unpriced_requests: 1,
        output_tokens: 10,
        billed_usd: '0.000450000000',
        input_tokens: 200,
      },
      { model: 'other', requests: 1, partial_requests: 0, unpriced_requests: 0, output_tokens: 10, billed_usd: '0.000450000000', input_tokens: 100 },
    ]);
  });

  it('keeps unknown usage and money as NULL, never 0', async () => {
    await writer.write([ledgerRow({ requestId: 'u', outputTokens: null, billedUsd: null, counterfactualUsd: null, costFlags: ['usage_incomplete'] })]);
    const { rows } = await db.sql.query(`SELECT output_tokens, billed_usd, cost_flags FROM request_log WHERE request_id = 'u'`);
    expect(rows).toEqual([{ output_tokens: null, billed_usd: null, cost_flags: ['usage_incomplete'] }]);
  });

  it('creates the partition of any month on demand (late or early events)', async () => {
    await writer.write([ledgerRow({ requestId: 'old', occurredAt: '2024-02-29T23:59:59.999Z' })]);
    expect(await listRequestLogPartitions(db.sql)).toContain('request_log_2024_02');
    expect(await count(`SELECT count(*)::int AS n FROM request_log_2024_02`)).toBe(1);
  });

  it('isolates a row the database refuses and still writes the rest of the batch', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => ledgerRow({ requestId: `ok${i}` }));
    const poison = ledgerRow({ requestId: 'poison', httpStatus: 70_000 }); // smallint overflow: SQLSTATE 22003
    const result = await writer.write([...rows.slice(0, 4), poison, ...rows.slice(4)]);
    expect(result.inserted).toBe(9);
    expect(result.rejected.map((r) => r.row.requestId)).toEqual(['poison']);
    expect(result.rejected[0]!.reason).toMatch(/^db_rejected:22003/);
    expect(await count(`SELECT requests::int AS n FROM daily_rollups`)).toBe(9);
  });

  it('re-creates a partition dropped by retention when an old event arrives afterwards', async () => {
    await writer.write([ledgerRow({ requestId: 'x', occurredAt: '2025-01-15T00:00:00.000Z' })]);
    const maintained = await maintainRequestLog(db.sql, { retentionMonths: 1, now: new Date('2026-12-10T00:00:00Z') });
    expect(maintained.dropped).toContain('request_log_2025_01');
    const result = await writer.write([ledgerRow({ requestId: 'late', occurredAt: '2025-01-20T00:00:00.000Z' })]);
    expect(result.inserted).toBe(1);
  });
});

describe('request-log maintenance on PGlite', { timeout: 120_000 }, () => {
  it('creates partitions ahead and drops whole months beyond retention, idempotently', async () => {
    const db = await openDatabase({});
    try {
      await runMigrations(db.sql);
      const now = new Date('2027-03-15T12:00:00Z');
      const before = await listRequestLogPartitions(db.sql);
      const first = await maintainRequestLog(db.sql, { monthsAhead: 2, retentionMonths: 0, now });
      const wanted = ['request_log_2027_02', 'request_log_2027_03', 'request_log_2027_04', 'request_log_2027_05'];
      expect(first.created).toEqual(wanted.filter((p) => !before.includes(p)));
      expect(await listRequestLogPartitions(db.sql)).toEqual(expect.arrayContaining(wanted));
      expect((await maintainRequestLog(db.sql, { monthsAhead: 2, now })).created).toEqual([]);
      const later = await maintainRequestLog(db.sql, { monthsAhead: 2, retentionMonths: 2, now: new Date('2027-05-02T00:00:00Z') });
      const left = await listRequestLogPartitions(db.sql);
      expect(later.dropped.every((p) => p < 'request_log_2027_03')).toBe(true);
      expect(left).toEqual(expect.arrayContaining(['request_log_2027_03', 'request_log_2027_04', 'request_log_2027_05', 'request_log_2027_07']));
      expect(left.every((p) => p >= 'request_log_2027_03')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
