import { DbError } from '../errors';

export interface ParsedDatabaseUrl {
  /** The URL without Prisma-only parameters (`schema`), as `pg` expects it. */
  readonly connectionString: string;
  /** PostgreSQL schema the app lives in (`?schema=` — Prisma's convention), default `public`. */
  readonly schema: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Split a Prisma-style `postgresql://…?schema=x` URL into a `pg` connection string and the schema. */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new DbError('DB_BAD_CONFIG', 'DATABASE_URL is not a URL', { cause });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DbError('DB_BAD_CONFIG', `DATABASE_URL must be postgres:// or postgresql://, got ${parsed.protocol}`);
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new DbError('DB_BAD_CONFIG', 'DATABASE_URL schema is not a plain identifier');
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}
