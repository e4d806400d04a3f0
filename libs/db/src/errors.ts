/** Error codes of the database library. */
export type DbErrorCode =
  | 'DB_BAD_CONFIG'
  | 'DB_UNAVAILABLE'
  | 'DB_MIGRATION_FAILED'
  | 'DB_MIGRATION_PREVIOUSLY_FAILED'
  | 'DB_MIGRATIONS_NOT_FOUND';

export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DbError';
  }
}

function sqlState(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * Whether a failure is caused by the data itself (retrying the same rows cannot succeed): SQLSTATE
 * class 22 (data exception) and 23 (integrity constraint). Everything else — lost connections,
 * shutdowns, deadlocks, missing tables during a deploy — is treated as transient and retried.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== null && (state.startsWith('22') || state.startsWith('23'));
}

/** A short, log-safe description of a database failure (SQLSTATE + message, no parameters). */
export function describeDbError(error: unknown): string {
  const state = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  return `${state ?? 'ERR'}: ${message}`.slice(0, 300);
}
