/**
 * Ledger writes. A batch of rows is one SQL statement: a multi-row insert into the partitioned request
 * log (the batch as one JSON parameter, expanded by `json_to_recordset`) with `ON CONFLICT DO NOTHING`
 * on the request key, chained to an upsert of the daily rollups computed
 * from exactly the rows that were inserted. One statement = one transaction: the rows and their rollups
 * commit together or not at all, and a redelivered event adds nothing to either.
 */
import { describeDbError, isDataError } from '../errors';
import type { SqlQueryable } from '../sql/sql-executor';
import type { LedgerRow } from './ledger-row';

/** [table column, SQL type, LedgerRow key]: the JSON batch is read with these column definitions. */
type Column = readonly [name: string, sqlType: string, key: keyof LedgerRow];

const COLUMNS: readonly Column[] = [
  ['request_id', 'text', 'requestId'],
  ['occurred_at', 'timestamptz', 'occurredAt'],
  ['completed_at', 'timestamptz', 'completedAt'],
  ['event_version', 'int2', 'eventVersion'],
  ['team_id', 'text', 'teamId'],
  ['key_id', 'text', 'keyId'],
  ['provider', 'text', 'provider'],
  ['model', 'text', 'model'],
  ['operation', 'text', 'operation'],
  ['stream', 'bool', 'stream'],
  ['status', '"RequestStatus"', 'status'],
  ['http_status', 'int2', 'httpStatus'],
  ['error_code', 'text', 'errorCode'],
  ['latency_ms', 'int4', 'latencyMs'],
  ['ttfb_ms', 'int4', 'ttfbMs'],
  ['input_tokens', 'int8', 'inputTokens'],
  ['output_tokens', 'int8', 'outputTokens'],
  ['cache_read_tokens', 'int8', 'cacheReadTokens'],
  ['cache_write_5m_tokens', 'int8', 'cacheWrite5mTokens'],
  ['cache_write_1h_tokens', 'int8', 'cacheWrite1hTokens'],
  ['reasoning_tokens', 'int8', 'reasoningTokens'],
  ['usage_estimated', 'bool', 'usageEstimated'],
  ['tokens_before', 'int8', 'tokensBefore'],
  ['tokens_after', 'int8', 'tokensAfter'],
  ['replayed_tokens_before', 'int8', 'replayedTokensBefore'],
  ['replayed_tokens_after', 'int8', 'replayedTokensAfter'],
  ['compression_kinds', 'text[]', 'compressionKinds'],
  ['retrieve_rounds', 'int2', 'retrieveRounds'],
  ['cache_breakpoints_added', 'int2', 'cacheBreakpointsAdded'],
  ['price_id', 'text', 'priceId'],
  ['billed_usd', 'numeric(28,12)', 'billedUsd'],
  ['billed_known_usd', 'numeric(28,12)', 'billedKnownUsd'],
  ['counterfactual_usd', 'numeric(28,12)', 'counterfactualUsd'],
  ['savings_compression_usd', 'numeric(28,12)', 'savingsCompressionUsd'],
  ['savings_cache_read_usd', 'numeric(28,12)', 'savingsCacheReadUsd'],
  ['cache_write_premium_usd', 'numeric(28,12)', 'cacheWritePremiumUsd'],
  ['savings_total_usd', 'numeric(28,12)', 'savingsTotalUsd'],
  ['cost_flags', 'text[]', 'costFlags'],
  ['session_id', 'text', 'sessionId'],
  ['traceparent', 'text', 'traceparent'],
];

const SUM_COLUMNS: readonly string[] = [
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'tokens_before',
  'tokens_after',
  'billed_usd',
  'billed_known_usd',
  'counterfactual_usd',
  'savings_compression_usd',
  'savings_cache_read_usd',
  'cache_write_premium_usd',
  'savings_total_usd',
];

const ROLLUP_COUNTERS: readonly [column: string, expression: string][] = [
  ['requests', 'count(*)'],
  ['complete_requests', `count(*) FILTER (WHERE "status" = 'complete')`],
  ['error_requests', `count(*) FILTER (WHERE "status" = 'error')`],
  ['partial_requests', `count(*) FILTER (WHERE "status" = 'partial')`],
  ['unpriced_requests', `count(*) FILTER (WHERE "billed_usd" IS NULL)`],
  ['estimated_requests', `count(*) FILTER (WHERE "usage_estimated")`],
  ['latency_ms_sum', `coalesce(sum("latency_ms"), 0)`],
  ...SUM_COLUMNS.map((c): [string, string] => [c, `coalesce(sum("${c}"), 0)`]),
];

/**
 * The batch travels as one JSON parameter (the rows serialised as they are) and is read server-side
 * with `json_to_recordset`: one parameter whatever the batch size, no per-value client-side encoding.
 */
export const INSERT_LEDGER_BATCH_SQL = `WITH "inserted" AS (
  INSERT INTO "request_log" (${COLUMNS.map(([name]) => `"${name}"`).join(', ')})
  SELECT ${COLUMNS.map(([, , key]) => `"${key}"`).join(', ')}
    FROM json_to_recordset($1::json) AS t(${COLUMNS.map(([, type, key]) => `"${key}" ${type}`).join(', ')})
  ON CONFLICT ("request_id", "occurred_at") DO NOTHING
  RETURNING "occurred_at", "team_id", "provider", "model", "status", "usage_estimated", "latency_ms", ${SUM_COLUMNS.map((c) => `"${c}"`).join(', ')}
), "rolled" AS (
  INSERT INTO "daily_rollups" ("day", "team_id", "provider", "model", ${ROLLUP_COUNTERS.map(([c]) => `"${c}"`).join(', ')}, "updated_at")
  SELECT ("occurred_at" AT TIME ZONE 'UTC')::date, "team_id", "provider", "model", ${ROLLUP_COUNTERS.map(([, e]) => e).join(', ')}, now()
  FROM "inserted"
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ("day", "team_id", "provider", "model") DO UPDATE SET
    ${ROLLUP_COUNTERS.map(([c]) => `"${c}" = "daily_rollups"."${c}" + EXCLUDED."${c}"`).join(',\n    ')},
    "updated_at" = EXCLUDED."updated_at"
  RETURNING 1
)
SELECT (SELECT count(*) FROM "inserted")::int AS "inserted", (SELECT count(*) FROM "rolled")::int AS "rollups"`;

export interface LedgerInsertResult {
  /** Rows newly written (duplicates of rows already in the ledger are not counted). */
  readonly inserted: number;
  /** Rollup rows created or updated. */
  readonly rollups: number;
}

/** Rows sorted by key and deduplicated: concurrent batches take row locks in one order (no deadlocks). */
function prepare(rows: readonly LedgerRow[]): LedgerRow[] {
  const byKey = new Map<string, LedgerRow>();
  for (const row of rows) byKey.set(`${row.requestId}\u0000${row.occurredAt}`, row);
  return [...byKey.values()].sort((a, b) =>
    a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : a.occurredAt.localeCompare(b.occurredAt),
  );
}

/** Write a batch in one statement. Throws the database error as is (the caller classifies it). */
export async function insertLedgerBatch(q: SqlQueryable, rows: readonly LedgerRow[]): Promise<LedgerInsertResult> {
  const prepared = prepare(rows);
  if (prepared.length === 0) return { inserted: 0, rollups: 0 };
  const { rows: result } = await q.query<{ inserted: number; rollups: number }>(INSERT_LEDGER_BATCH_SQL, [
    JSON.stringify(prepared),
  ]);
  const first = result[0];
  return { inserted: Number(first?.inserted ?? 0), rollups: Number(first?.rollups ?? 0) };
}

/** UTC month start (`2026-12-01T00:00:00.000Z`) of an ISO instant. */
function monthOf(iso: string): string {
  return `${iso.slice(0, 7)}-01T00:00:00.000Z`;
}

export interface RejectedLedgerRow {
  readonly row: LedgerRow;
  readonly reason: string;
}

export interface LedgerWriteResult extends LedgerInsertResult {
  /** Rows the database refused on their own merits (data/constraint errors): dead-letter them. */
  readonly rejected: readonly RejectedLedgerRow[];
}

/**
 * The ledger writer: makes sure the monthly partitions exist (cached), writes a batch in one
 * statement, and — only when the database rejects the batch for its data — bisects it to isolate the
 * offending rows so the rest is still written. Transient failures (connection lost, deadlock, …) are
 * thrown unchanged: the caller retries the whole batch, which is harmless because inserts are idempotent.
 */
export class LedgerWriter {
  private readonly ensuredMonths = new Set<string>();

  constructor(private readonly q: SqlQueryable) {}

  async write(rows: readonly LedgerRow[]): Promise<LedgerWriteResult> {
    if (rows.length === 0) return { inserted: 0, rollups: 0, rejected: [] };
    await this.ensurePartitions(rows);
    try {
      return { ...(await insertLedgerBatch(this.q, rows)), rejected: [] };
    } catch (error) {
      if (!isDataError(error)) throw error;
      // A dropped partition (retention) or an out-of-range month: re-check partitions once, then isolate.
      this.ensuredMonths.clear();
      await this.ensurePartitions(rows);
      return this.bisect(rows);
    }
  }

  private async bisect(rows: readonly LedgerRow[]): Promise<LedgerWriteResult> {
    try {
      return { ...(await insertLedgerBatch(this.q, rows)), rejected: [] };
    } catch (error) {
      if (!isDataError(error)) throw error;
      const only = rows.length === 1 ? rows[0] : undefined;
      if (only) return { inserted: 0, rollups: 0, rejected: [{ row: only, reason: `db_rejected:${describeDbError(error)}` }] };
      const middle = Math.ceil(rows.length / 2);
      const left = await this.bisect(rows.slice(0, middle));
      const right = await this.bisect(rows.slice(middle));
      return {
        inserted: left.inserted + right.inserted,
        rollups: left.rollups + right.rollups,
        rejected: [...left.rejected, ...right.rejected],
      };
    }
  }

  private async ensurePartitions(rows: readonly LedgerRow[]): Promise<void> {
    const months = new Set(rows.map((r) => monthOf(r.occurredAt)));
    for (const month of months) {
      if (this.ensuredMonths.has(month)) continue;
      await this.q.query('SELECT "leeway_ensure_request_log_partition"($1::timestamptz)', [month]);
      this.ensuredMonths.add(month);
    }
  }
}
