import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../connection/database';
import { DbError } from '../errors';
import { DEFAULT_MIGRATIONS_DIR, readMigrations, runMigrations } from './migration-runner';

interface PrismaMigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const opened: Database[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function pglite(dir?: string): Promise<Database> {
  const db = await openDatabase({ pgliteDir: dir ?? null });
  opened.push(db);
  return db;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leeway-mig-'));
  dirs.push(dir);
  return dir;
}

describe('migration runner on PGlite', () => {
  it('applies the repository migrations once and records them exactly as Prisma does', async () => {
    const db = await pglite();
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);

    const first = await runMigrations(db.sql);
    expect(first.applied).toEqual(files.map((f) => f.name));
    const second = await runMigrations(db.sql);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(files.map((f) => f.name));

    const { rows } = await db.sql.query<PrismaMigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY started_at');
    expect(rows).toHaveLength(files.length);
    for (const [i, row] of rows.entries()) {
      const file = files[i]!;
      const bytes = await readFile(join(DEFAULT_MIGRATIONS_DIR, file.name, 'migration.sql'));
      expect(row.migration_name).toBe(file.name);
      expect(row.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('keeps the schema across a restart of a persisted PGlite directory', async () => {
    const dir = await tempDir();
    const db = await pglite(dir);
    await runMigrations(db.sql);
    await db.sql.query(`INSERT INTO teams (id, slug, name, updated_at) VALUES ('t1', 'one', 'One', now())`);
    await db.close();
    opened.splice(opened.indexOf(db), 1);

    const again = await pglite(dir);
    expect((await runMigrations(again.sql)).applied).toEqual([]);
    expect((await again.sql.query<{ slug: string }>('SELECT slug FROM teams')).rows).toEqual([{ slug: 'one' }]);
  });

  it('rolls a failing migration back completely, records it as rolled back, and retries it once fixed', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '001_ok'));
    await writeFile(join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE a (id int);');
    await mkdir(join(dir, '002_bad'));
    await writeFile(join(dir, '002_bad', 'migration.sql'), 'CREATE TABLE b (id int);\nSELECT * FROM does_not_exist;');
    const db = await pglite();

    const failure = await runMigrations(db.sql, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DbError);
    expect((failure as DbError).code).toBe('DB_MIGRATION_FAILED');
    expect((await db.sql.query(`SELECT to_regclass('b') AS b`)).rows[0]).toEqual({ b: null });
    const { rows } = await db.sql.query<PrismaMigrationRow>(
      `SELECT * FROM "_prisma_migrations" WHERE migration_name = '002_bad'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.finished_at).toBeNull();
    expect(rows[0]!.rolled_back_at).toBeInstanceOf(Date);
    expect(rows[0]!.logs).toContain('does_not_exist');

    await writeFile(join(dir, '002_bad', 'migration.sql'), 'CREATE TABLE b (id int);');
    const retry = await runMigrations(db.sql, { migrationsDir: dir });
    expect(retry.applied).toEqual(['002_bad']);
    expect(retry.alreadyApplied).toEqual(['001_ok']);
  });

  it('refuses to continue past an unresolved failed migration (as prisma migrate deploy does)', async () => {
    const db = await pglite();
    await runMigrations(db.sql);
    await db.sql.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('00000000-0000-0000-0000-000000000000', 'x', 'zz_failed', now(), 0)`,
    );
    await expect(runMigrations(db.sql)).rejects.toMatchObject({ code: 'DB_MIGRATION_PREVIOUSLY_FAILED' });
  });

  it('reports an applied migration whose file changed without re-applying it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '001_a'));
    await writeFile(join(dir, '001_a', 'migration.sql'), 'CREATE TABLE a (id int);');
    const db = await pglite();
    await runMigrations(db.sql, { migrationsDir: dir });
    await writeFile(join(dir, '001_a', 'migration.sql'), 'CREATE TABLE a (id int); -- edited');
    const result = await runMigrations(db.sql, { migrationsDir: dir });
    expect(result).toEqual({ applied: [], alreadyApplied: ['001_a'], checksumMismatches: ['001_a'] });
  });
});
