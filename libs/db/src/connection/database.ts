/**
 * Opening the database: PostgreSQL through a `pg` pool when a URL is given, PGlite (PostgreSQL in WASM,
 * persisted in a directory, or in memory) otherwise. Both expose the same `SqlExecutor` and a Prisma
 * client built on the matching driver adapter, over the same schema and migrations.
 */
import { mkdir } from 'node:fs/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client';
import { PgliteSqlExecutor, PgSqlExecutor, type DatabaseEngine, type SqlExecutor } from '../sql/sql-executor';
import { parseDatabaseUrl } from './database-url';

export interface DatabaseOptions {
  /** `postgresql://…[?schema=name]`: use PostgreSQL. Without it, PGlite is used. */
  readonly databaseUrl?: string | null;
  /** PGlite data directory (created if missing); null/undefined = in-memory PGlite. */
  readonly pgliteDir?: string | null;
  /** An already open PGlite instance to share (embedded mode: one instance per process). */
  readonly pglite?: PGlite;
  /** `pg` pool size (default 10). Keep it small per replica: PgBouncer-friendly. */
  readonly poolMax?: number;
  readonly applicationName?: string;
  /** Errors of idle pooled connections (server restart, network): reported, never thrown. */
  readonly onPoolError?: (error: Error) => void;
  /** Connection timeout for new `pg` connections (ms, default 5000). */
  readonly connectTimeoutMs?: number;
}

export interface Database {
  readonly engine: DatabaseEngine;
  /** PostgreSQL schema holding Leeway's tables (`public` unless the URL says otherwise). */
  readonly schema: string;
  readonly sql: SqlExecutor;
  /** Prisma client over the same connections (created on first use). */
  readonly prisma: PrismaClient;
  close(): Promise<void>;
}

class OpenDatabase implements Database {
  private client: PrismaClient | null = null;
  private closed = false;

  constructor(
    readonly engine: DatabaseEngine,
    readonly schema: string,
    readonly sql: SqlExecutor,
    private readonly createClient: () => PrismaClient,
  ) {}

  get prisma(): PrismaClient {
    this.client ??= this.createClient();
    return this.client;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client) await this.client.$disconnect().catch(() => undefined);
    await this.sql.close();
  }
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { connectionString, schema } = parseDatabaseUrl(options.databaseUrl);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'leeway',
      ...(schema === 'public' ? {} : { options: `-c search_path="${schema}"` }),
    });
    pool.on('error', (error) => options.onPoolError?.(error));
    const sql = new PgSqlExecutor(pool);
    return new OpenDatabase('postgres', schema, sql, () => new PrismaClient({ adapter: new PrismaPg(pool, { schema }) }));
  }
  let db = options.pglite;
  const owns = db === undefined;
  if (!db) {
    if (options.pgliteDir) await mkdir(options.pgliteDir, { recursive: true });
    db = options.pgliteDir ? new PGlite(options.pgliteDir) : new PGlite();
  }
  await db.waitReady;
  const pglite = db;
  const sql = new PgliteSqlExecutor(pglite, owns);
  return new OpenDatabase('pglite', 'public', sql, () => new PrismaClient({ adapter: new PrismaPGlite(pglite) }));
}
