import type { SqlQueryable } from '../sql/sql-executor';

export interface RequestLogMaintenanceOptions {
  /** Months of partitions created ahead of the current one (default 3). */
  readonly monthsAhead?: number;
  /** Full months of request-log rows kept; older partitions are dropped. 0 = keep forever (default). */
  readonly retentionMonths?: number;
  /** Reference instant (default: the database's now()). */
  readonly now?: Date;
}

export interface RequestLogMaintenanceResult {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * Keep request-log partitions ahead of time and apply retention (daily rollups are kept). Idempotent and
 * safe to run from several replicas at once.
 */
export async function maintainRequestLog(
  q: SqlQueryable,
  options: RequestLogMaintenanceOptions = {},
): Promise<RequestLogMaintenanceResult> {
  const { rows } = await q.query<{ action: string; partition_name: string }>(
    'SELECT * FROM "leeway_maintain_request_log"($1::int, $2::int, coalesce($3::timestamptz, now()))',
    [options.monthsAhead ?? 3, options.retentionMonths ?? 0, options.now?.toISOString() ?? null],
  );
  return {
    created: rows.filter((r) => r.action === 'created').map((r) => r.partition_name),
    dropped: rows.filter((r) => r.action === 'dropped').map((r) => r.partition_name),
  };
}

/** Names of the existing request-log partitions, oldest first. */
export async function listRequestLogPartitions(q: SqlQueryable): Promise<string[]> {
  const { rows } = await q.query<{ relname: string }>(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'request_log'::regclass ORDER BY c.relname`,
  );
  return rows.map((r) => r.relname);
}
