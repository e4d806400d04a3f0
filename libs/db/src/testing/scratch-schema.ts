/**
 * Test support: a fresh PostgreSQL schema per test file (`?schema=` in the URL selects it for `pg`
 * and Prisma alike), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseDatabaseUrl } from '../connection/database-url';

export interface ScratchSchema {
  readonly schema: string;
  /** `DATABASE_URL` pointing at the schema. */
  readonly url: string;
  drop(): Promise<void>;
}

export async function createScratchSchema(databaseUrl: string, label: string): Promise<ScratchSchema> {
  const { connectionString } = parseDatabaseUrl(databaseUrl);
  const schema = `t_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  return {
    schema,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
