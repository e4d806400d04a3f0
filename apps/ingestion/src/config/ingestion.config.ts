import { hostname } from 'node:os';
import { z } from 'zod';

/** The one place ingestion reads its environment (STYLE.md: config). */

const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
    .optional()
    .transform((v) => v ?? def);

const boolFrom = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? def : v === 'true' || v === '1' || v === 'yes'));

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const schema = z.object({
  DATABASE_URL: optionalString.pipe(
    z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://').optional(),
  ),
  LEEWAY_DATA_DIR: optionalString.transform((v) => v ?? '.leeway'),
  REDIS_URL: optionalString.pipe(
    z.string().refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://').optional(),
  ),
  LEEWAY_REDIS_CLUSTER: boolFrom(false),
  LEEWAY_INGESTION_PORT: intFrom(8790, 0, 65535),
  LEEWAY_INGESTION_HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
  LEEWAY_EVENT_STREAM_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must match [A-Za-z0-9_:.-]{1,64}')
    .optional()
    .transform((v) => v ?? 'leeway:events'),
  LEEWAY_EVENT_PARTITIONS: intFrom(4, 1, 1024),
  LEEWAY_INGESTION_GROUP: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must match [A-Za-z0-9_.-]{1,64}')
    .optional()
    .transform((v) => v ?? 'ingestion'),
  LEEWAY_INGESTION_CONSUMER: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, 'must match [A-Za-z0-9_.:-]{1,128}')
    .optional(),
  LEEWAY_INGESTION_BATCH_SIZE: intFrom(500, 1, 5000),
  LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: intFrom(50, 1, 60_000),
  LEEWAY_INGESTION_WRITERS: intFrom(2, 1, 64),
  LEEWAY_INGESTION_CLAIM_IDLE_MS: intFrom(60_000, 100, 86_400_000),
  LEEWAY_INGESTION_MAX_DELIVERIES: intFrom(16, 1, 1000),
  LEEWAY_INGESTION_DRAIN_TIMEOUT_MS: intFrom(15_000, 0, 600_000),
  LEEWAY_INGESTION_MIGRATE: boolFrom(true),
  LEEWAY_DB_POOL_MAX: intFrom(4, 1, 200),
  LEEWAY_PRICE_REFRESH_MS: intFrom(60_000, 1000, 86_400_000),
  LEEWAY_REQUEST_LOG_RETENTION_MONTHS: intFrom(13, 0, 1200),
  LEEWAY_REQUEST_LOG_MONTHS_AHEAD: intFrom(3, 1, 24),
  LEEWAY_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
});

export interface IngestionConfig {
  /** PostgreSQL URL; null = PGlite in `pgliteDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** Redis URL; null = the caller supplies an event source (embedded in-process bus). */
  readonly redisUrl: string | null;
  readonly redisCluster: boolean;
  /** Health / readiness / metrics HTTP listener; port 0 picks a free port. */
  readonly http: { readonly host: string; readonly port: number } | null;
  readonly stream: {
    readonly prefix: string;
    readonly partitions: number;
    readonly group: string;
    readonly consumer: string;
    readonly claimIdleMs: number;
    readonly maxDeliveries: number;
  };
  readonly batch: { readonly size: number; readonly maxWaitMs: number; readonly writers: number };
  readonly drainTimeoutMs: number;
  readonly migrate: boolean;
  readonly dbPoolMax: number;
  readonly priceRefreshMs: number;
  readonly requestLog: { readonly retentionMonths: number; readonly monthsAhead: number };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  readonly code = 'GEN_VALIDATION_FAILED';
  constructor(readonly problems: readonly string[]) {
    super(`invalid ingestion configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Split mode: REDIS_URL is required (embedded mode passes an in-process bus instead). */
  readonly requireRedis?: boolean;
  /** Serve health endpoints (default true). */
  readonly http?: boolean;
}

/** Validate the environment; collects every problem (`KEY: problem`, never echoing values). */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadConfigOptions = {},
): IngestionConfig {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
  }
  if (parsed.success && options.requireRedis && !parsed.data.REDIS_URL) {
    problems.push('REDIS_URL: required to run ingestion on its own (split mode)');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const config: IngestionConfig = {
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.LEEWAY_DATA_DIR,
    redisUrl: e.REDIS_URL ?? null,
    redisCluster: e.LEEWAY_REDIS_CLUSTER,
    http: options.http === false ? null : { host: e.LEEWAY_INGESTION_HOST, port: e.LEEWAY_INGESTION_PORT },
    stream: {
      prefix: e.LEEWAY_EVENT_STREAM_PREFIX,
      partitions: e.LEEWAY_EVENT_PARTITIONS,
      group: e.LEEWAY_INGESTION_GROUP,
      consumer: e.LEEWAY_INGESTION_CONSUMER ?? hostname(),
      claimIdleMs: e.LEEWAY_INGESTION_CLAIM_IDLE_MS,
      maxDeliveries: e.LEEWAY_INGESTION_MAX_DELIVERIES,
    },
    batch: {
      size: e.LEEWAY_INGESTION_BATCH_SIZE,
      maxWaitMs: e.LEEWAY_INGESTION_BATCH_MAX_WAIT_MS,
      writers: e.LEEWAY_INGESTION_WRITERS,
    },
    drainTimeoutMs: e.LEEWAY_INGESTION_DRAIN_TIMEOUT_MS,
    migrate: e.LEEWAY_INGESTION_MIGRATE,
    dbPoolMax: e.LEEWAY_DB_POOL_MAX,
    priceRefreshMs: e.LEEWAY_PRICE_REFRESH_MS,
    requestLog: {
      retentionMonths: e.LEEWAY_REQUEST_LOG_RETENTION_MONTHS,
      monthsAhead: e.LEEWAY_REQUEST_LOG_MONTHS_AHEAD,
    },
    logLevel: e.LEEWAY_LOG_LEVEL,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
