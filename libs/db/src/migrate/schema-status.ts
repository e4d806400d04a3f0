// Readiness: is the database schema as new as this code? An app whose migrations have not all been applied
// (the migration Job has not run yet, or failed) must not take traffic: its queries would hit missing columns.
import type { SqlQueryable } from '../sql/sql-executor';
import { DEFAULT_MIGRATIONS_DIR, readMigrations } from './migration-runner';

export interface SchemaStatus {
  /** Every migration this code ships is applied (finished, not rolled back). */
  readonly current: boolean;
  /** Migrations of this code not applied yet, in order. */
  readonly pending: readonly string[];
  /** Migrations recorded as started but not finished (a failed `migrate deploy` / runner attempt). */
  readonly failed: readonly string[];
}

interface AppliedRow {
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

const expectedByDir = new Map<string, Promise<readonly string[]>>();

/** Compare the migrations shipped in `migrationsDir` with `_prisma_migrations`. */
export async function schemaStatus(sql: SqlQueryable, migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<SchemaStatus> {
  let expected = expectedByDir.get(migrationsDir);
  if (expected === undefined) {
    // The files do not change while the process runs; a failed read is retried on the next call.
    expected = readMigrations(migrationsDir).then((files) => files.map((f) => f.name));
    expectedByDir.set(migrationsDir, expected);
    expected.catch(() => expectedByDir.delete(migrationsDir));
  }
  const names = await expected;
  const { rows: tables } = await sql.query<{ present: boolean }>(
    "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present",
  );
  const rows = tables[0]?.present
    ? (await sql.query<AppliedRow>('SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"')).rows
    : [];
  const applied = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
  const pending = names.filter((n) => !applied.has(n));
  const failed = [...new Set(rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name))].sort();
  return { current: pending.length === 0 && failed.length === 0, pending, failed };
}
