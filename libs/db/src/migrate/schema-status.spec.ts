import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../connection/database';
import { readMigrations, runMigrations } from './migration-runner';
import { schemaStatus } from './schema-status';

const opened: Database[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function pglite(): Promise<Database> {
  const db = await openDatabase({ pgliteDir: null });
  opened.push(db);
  return db;
}

describe('schemaStatus', () => {
  it('is behind on an empty database and current once every shipped migration is applied', async () => {
    const db = await pglite();
    const names = (await readMigrations()).map((m) => m.name);
    expect(await schemaStatus(db.sql)).toEqual({ current: false, pending: names, failed: [] });
    await runMigrations(db.sql);
    expect(await schemaStatus(db.sql)).toEqual({ current: true, pending: [], failed: [] });
  });

  it('reports a migration the code ships but the database lacks, and one that failed half-way', async () => {
    const db = await pglite();
    await runMigrations(db.sql);
    const dir = await mkdtemp(join(tmpdir(), 'leeway-schema-'));
    dirs.push(dir);
    for (const m of await readMigrations()) {
      await mkdir(join(dir, m.name));
      await writeFile(join(dir, m.name, 'migration.sql'), m.sql);
    }
    await mkdir(join(dir, '29990101000000_future'));
    await writeFile(join(dir, '29990101000000_future', 'migration.sql'), 'SELECT 1;');
    expect(await schemaStatus(db.sql, dir)).toEqual({ current: false, pending: ['29990101000000_future'], failed: [] });

    await db.sql.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('00000000-0000-4000-8000-000000000001', 'x', '29990101000000_future', now())`,
    );
    expect(await schemaStatus(db.sql, dir)).toEqual({ current: false, pending: ['29990101000000_future'], failed: ['29990101000000_future'] });
  });
});
