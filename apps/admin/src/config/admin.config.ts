import { z } from 'zod';

/** The one place the admin app reads its environment (STYLE.md: config). */

export class AdminConfigError extends Error {
  readonly code = 'ADM_BAD_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`invalid admin configuration:\n${problems.join('\n')}`);
    this.name = 'AdminConfigError';
  }
}

export interface AdminConfig {
  readonly host: string;
  readonly port: number;
  /** Bootstrap admin bearer token; null = only user tokens authenticate. */
  readonly adminToken: string | null;
  /** Encrypts stored provider credentials (AES-256-GCM, HKDF-derived key). */
  readonly secretKey: string;
  readonly secretKeyIsDefault: boolean;
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly redisUrl: string | null;
  readonly redisCluster: boolean;
  readonly bodyLimitBytes: number;
  readonly logLevel: string;
  /** Apply migrations at start (default true). */
  readonly migrate: boolean;
}

/** Development fallback for LEEWAY_SECRET_KEY (refused when NODE_ENV=production). */
export const DEV_SECRET_KEY = 'leeway-development-secret-key-do-not-use';

const schema = z.object({
  LEEWAY_ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  LEEWAY_ADMIN_PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, 'must be ≤ 65535'))
    .default(8788),
  LEEWAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LEEWAY_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  LEEWAY_DATA_DIR: z.string().min(1).default('.leeway'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  LEEWAY_REDIS_CLUSTER: z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).optional(),
  LEEWAY_ADMIN_BODY_LIMIT_BYTES: z
    .string()
    .regex(/^\d+$/, 'must be a byte count')
    .transform(Number)
    .pipe(z.number().int().min(1024, 'must be ≥ 1024').max(10_485_760, 'must be ≤ 10485760'))
    .default(65_536),
  LEEWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEEWAY_ADMIN_MIGRATE: z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).optional(),
  NODE_ENV: z.string().optional(),
});

/** Parse the environment; throws `AdminConfigError` listing every `KEY: problem` (never the values). */
export function loadAdminConfig(env: Readonly<Record<string, string | undefined>> = process.env): AdminConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const parsed = schema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (parsed.success && parsed.data.NODE_ENV === 'production' && !parsed.data.LEEWAY_SECRET_KEY) {
    problems.push('LEEWAY_SECRET_KEY: required in production');
  }
  if (!parsed.success || problems.length > 0) throw new AdminConfigError(problems);
  const d = parsed.data;
  const truthy = (v: string | undefined, def: boolean) => (v === undefined ? def : v === 'true' || v === '1');
  return Object.freeze({
    host: d.LEEWAY_ADMIN_HOST,
    port: d.LEEWAY_ADMIN_PORT,
    adminToken: d.LEEWAY_ADMIN_TOKEN ?? null,
    secretKey: d.LEEWAY_SECRET_KEY ?? DEV_SECRET_KEY,
    secretKeyIsDefault: d.LEEWAY_SECRET_KEY === undefined,
    databaseUrl: d.DATABASE_URL ?? null,
    dataDir: d.LEEWAY_DATA_DIR,
    redisUrl: d.REDIS_URL ?? null,
    redisCluster: truthy(d.LEEWAY_REDIS_CLUSTER, false),
    bodyLimitBytes: d.LEEWAY_ADMIN_BODY_LIMIT_BYTES,
    logLevel: d.LEEWAY_LOG_LEVEL,
    migrate: truthy(d.LEEWAY_ADMIN_MIGRATE, true),
  });
}
