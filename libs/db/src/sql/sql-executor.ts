/**
 * The one SQL port of the library: a tiny query interface implemented over `pg` (PostgreSQL) and
 * PGlite, so the migration runner, the ledger writer and the maintenance job run unchanged on both.
 * Parameters use `$1…` placeholders; JS arrays bind to PostgreSQL arrays.
 */
import type pg from 'pg';
import type { PGlite, Transaction } from '@electric-sql/pglite';

export type DatabaseEngine = 'postgres' | 'pglite';

export interface SqlResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface SqlQueryable {
  readonly engine: DatabaseEngine;
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Run a parameterless multi-statement script (simple query protocol). */
  exec(script: string): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  /** Run `fn` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Run `fn` holding one connection for its whole duration (session-level state such as advisory
   * locks). PGlite has a single connection, so this is a plain call there.
   */
  withConnection<T>(fn: (conn: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

class PgClientQueryable implements SqlQueryable {
  readonly engine = 'postgres' as const;
  constructor(private readonly client: pg.PoolClient) {}

  async query<Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.client.query(text, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async exec(script: string): Promise<void> {
    await this.client.query(script);
  }
}

/** `pg` pool executor. The pool's `error` events are routed to `onError` (never an uncaught crash). */
export class PgSqlExecutor implements SqlExecutor {
  readonly engine = 'postgres' as const;

  constructor(readonly pool: pg.Pool) {}

  async query<Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.pool.query(text, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async exec(script: string): Promise<void> {
    await this.withConnection((conn) => conn.exec(script));
  }

  async withConnection<T>(fn: (conn: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(new PgClientQueryable(client));
    } catch (error) {
      // A connection whose state is unknown (failed mid-transaction, lost) is destroyed, not reused.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.exec('BEGIN');
      try {
        const result = await fn(conn);
        await conn.exec('COMMIT');
        return result;
      } catch (error) {
        await conn.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class PgliteQueryable implements SqlQueryable {
  readonly engine = 'pglite' as const;
  constructor(private readonly db: PGlite | Transaction) {}

  async query<Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const result = await this.db.query<Row>(text, params as unknown[]);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }
}

/** PGlite executor (embedded mode and unit tests). `ownsDatabase` closes PGlite on `close()`. */
export class PgliteSqlExecutor implements SqlExecutor {
  readonly engine = 'pglite' as const;
  private readonly direct: PgliteQueryable;

  constructor(
    readonly db: PGlite,
    private readonly ownsDatabase = true,
  ) {
    this.direct = new PgliteQueryable(db);
  }

  query<Row>(text: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    return this.direct.query<Row>(text, params);
  }

  exec(script: string): Promise<void> {
    return this.direct.exec(script);
  }

  withConnection<T>(fn: (conn: SqlQueryable) => Promise<T>): Promise<T> {
    return fn(this.direct);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new PgliteQueryable(tx)));
  }

  async close(): Promise<void> {
    if (this.ownsDatabase && !this.db.closed) await this.db.close();
  }
}
