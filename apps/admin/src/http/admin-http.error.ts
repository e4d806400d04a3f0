import type { z } from 'zod';
import type { AdminErrorCode } from '@leeway/contracts';

/** An error that becomes the one envelope at the HTTP boundary. */
export class AdminHttpError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AdminHttpError';
  }
}

export function notFound(what: string): AdminHttpError {
  return new AdminHttpError('ADM_NOT_FOUND', `${what} not found`);
}

/** Validate a body / query with zod: 400 with every issue (path, message, code) on failure. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  throw new AdminHttpError('GEN_VALIDATION_FAILED', `invalid request ${where}`, {
    issues: parsed.error.issues.map((i) => ({
      in: where,
      path: i.path.map(String).join('.'),
      code: i.code,
      message: i.message,
      ...('keys' in i && Array.isArray(i.keys) ? { keys: i.keys } : {}),
    })),
  });
}
