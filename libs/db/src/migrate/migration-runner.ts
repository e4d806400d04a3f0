/**
 * The project's migration runner: applies `prisma/migrations/<name>/migration.sql` in name order and
 * records each in `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, columns,
 * SHA-256 checksum of the file, advisory lock key), so either tool can take over from the other.
 *
 * Works offline and on PostgreSQL and PGlite. Idempotent: applied migrations are skipped. Safe to run
 * concurrently: a session advisory lock serialises runners (and `prisma migrate deploy`). Each
 * migration runs in one transaction together with its `_prisma_migrations` row; a failure rolls it
 * back and is recorded with its log and `rolled_back_at`, so a fixed migration can simply run again.
 * (Migrations must therefore be transactional: no `CREATE INDEX CONCURRENTLY`.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbError } from '../errors';
import type { SqlExecutor, SqlQueryable } from '../sql/sql-executor';

/** The advisory lock key Prisma's schema engine takes around migrations. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** `prisma/migrations` of this repository. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  /** Hex SHA-256 of the file bytes (Prisma's checksum). */
  readonly checksum: string;
}

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
  /** Applied migrations whose file changed since (reported, not re-applied — as Prisma does). */
  readonly checksumMismatches: readonly string[];
}

export interface MigrationOptions {
  readonly migrationsDir?: string;
  /** Called once per applied migration (for logs). */
  readonly onApplied?: (name: string, durationMs: number) => void;
}

/** The `_prisma_migrations` table exactly as Prisma's schema engine creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Read the migration folders (sorted by name; folders without `migration.sql` are ignored). */
export async function readMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw new DbError('DB_MIGRATIONS_NOT_FOUND', `cannot read migrations directory ${dir}`, { cause });
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name, 'migration.sql'));
    } catch {
      continue;
    }
    files.push({ name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}

async function withMigrateLock<T>(conn: SqlQueryable, fn: () => Promise<T>): Promise<T> {
  await conn.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  try {
    return await fn();
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Apply every pending migration. Throws `DbError` (`DB_MIGRATION_FAILED`, …) and leaves no partial migration. */
export async function runMigrations(sql: SqlExecutor, options: MigrationOptions = {}): Promise<MigrationResult> {
  const files = await readMigrations(options.migrationsDir);
  return sql.withConnection((conn) =>
    withMigrateLock(conn, async () => {
      await conn.exec(CREATE_MIGRATIONS_TABLE);
      const { rows } = await conn.query<MigrationRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new DbError(
          'DB_MIGRATION_PREVIOUSLY_FAILED',
          `migration ${failed.migration_name} failed earlier and was not resolved (see _prisma_migrations.logs)`,
        );
      }
      const done = new Map(
        rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]),
      );
      const applied: string[] = [];
      const alreadyApplied: string[] = [];
      const checksumMismatches: string[] = [];
      for (const file of files) {
        const recorded = done.get(file.name);
        if (recorded !== undefined) {
          alreadyApplied.push(file.name);
          if (recorded !== file.checksum) checksumMismatches.push(file.name);
          continue;
        }
        const id = randomUUID();
        const started = Date.now();
        try {
          // The bookkeeping row commits with the migration itself: a crash or a lost connection leaves
          // neither, so the next run simply applies the migration again.
          await conn.exec('BEGIN');
          await conn.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
             VALUES ($1, $2, $3, clock_timestamp(), 0)`,
            [id, file.checksum, file.name],
          );
          await conn.exec(file.sql);
          await conn.query(
            'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
            [id],
          );
          await conn.exec('COMMIT');
        } catch (error) {
          await conn.exec('ROLLBACK').catch(() => undefined);
          // Recorded as Prisma records a resolved, rolled-back attempt: visible, and not blocking a retry.
          await conn
            .query(
              `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
               VALUES ($1, $2, $3, $4, now(), now(), 0)`,
              [id, file.checksum, file.name, message(error)],
            )
            .catch(() => undefined);
          throw new DbError('DB_MIGRATION_FAILED', `migration ${file.name} failed: ${message(error)}`, { cause: error });
        }
        applied.push(file.name);
        options.onApplied?.(file.name, Date.now() - started);
      }
      return { applied, alreadyApplied, checksumMismatches };
    }),
  );
}
