/** Errors of the admin repositories (mapped to HTTP by the admin app's error catalogue). */
export type AdminDbErrorCode = 'ADM_CONFLICT' | 'ADM_TEAM_NOT_FOUND';

export class AdminDbError extends Error {
  constructor(
    readonly code: AdminDbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AdminDbError';
  }
}

function sqlState(error: unknown): string | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}

/** Run a write, turning unique / foreign-key violations into typed errors. */
export async function translateConstraint<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const state = sqlState(error);
    if (state === '23505') throw new AdminDbError('ADM_CONFLICT', `${what} already exists`, { cause: error });
    if (state === '23503') throw new AdminDbError('ADM_TEAM_NOT_FOUND', `${what}: referenced team does not exist`, { cause: error });
    throw error;
  }
}
