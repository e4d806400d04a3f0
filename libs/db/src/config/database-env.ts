/**
 * Database settings from the environment, shared by every entry point that opens the database on its
 * own (`npm run db:migrate`; apps have their own config schema and pass `DatabaseOptions`).
 */
import { join } from 'node:path';
import { z } from 'zod';

/** Default data directory of the embedded stack (git-ignored). */
export const DEFAULT_DATA_DIR = '.leeway';

/** Where PGlite keeps its files inside `LEEWAY_DATA_DIR`. */
export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LEEWAY_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
});

export interface DatabaseEnv {
  readonly databaseUrl: string | null;
  readonly pgliteDir: string;
}

/** Parse the variables; throws one error listing every `KEY: problem`. */
export function loadDatabaseEnv(env: Readonly<Record<string, string | undefined>>): DatabaseEnv {
  const parsed = envSchema.safeParse({
    DATABASE_URL: env['DATABASE_URL'] || undefined,
    LEEWAY_DATA_DIR: env['LEEWAY_DATA_DIR'] || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid database configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({
    databaseUrl: parsed.data.DATABASE_URL ?? null,
    pgliteDir: pgliteDirFor(parsed.data.LEEWAY_DATA_DIR),
  });
}
