import { z } from 'zod';

/** The one place the proxy reads its environment (STYLE.md: config). */

const MIB = 1024 * 1024;

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

const baseUrl = (def: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : v))
    .pipe(
      z
        .string()
        .refine((v) => /^https?:\/\/[^/]+(\/.*)?$/.test(v), 'must be an http(s) URL')
        .refine((v) => !/\/v1\/?$/.test(v), 'must not end in /v1 (give the base, Leeway keeps the path)')
        .transform((v) => v.replace(/\/+$/, '')),
    );

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const DEV_SECRET = 'leeway-dev-secret-change-me';

const schema = z.object({
  LEEWAY_PROXY_PORT: intFrom(8787, 0, 65535),
  LEEWAY_PROXY_HOST: z.string().trim().min(1).optional().transform((v) => v ?? '127.0.0.1'),
  LEEWAY_ANTHROPIC_BASE_URL: baseUrl('https://api.anthropic.com'),
  LEEWAY_OPENAI_BASE_URL: baseUrl('https://api.openai.com'),
  LEEWAY_UPSTREAM_CONNECT_TIMEOUT_MS: intFrom(10_000, 1, 600_000),
  LEEWAY_UPSTREAM_TIMEOUT_MS: intFrom(600_000, 1, 3_600_000),
  LEEWAY_UPSTREAM_CONNECTIONS: intFrom(128, 1, 10_000),
  LEEWAY_BODY_LIMIT_BYTES: intFrom(64 * MIB, 1024, 2048 * MIB),
  LEEWAY_COMPRESSION_MODE: z.enum(['off', 'lossless', 'balanced', 'aggressive']).optional().transform((v) => v ?? 'balanced'),
  LEEWAY_OPTIMIZE_BUDGET_MS: intFrom(100, 1, 60_000),
  LEEWAY_COMPRESSION_WORKERS: intFrom(1, 0, 64),
  LEEWAY_PREFIX_TTL_MS: intFrom(70 * 60_000, 60 * 60_000, 7 * 24 * 3_600_000),
  LEEWAY_CCR_TTL_MS: intFrom(70 * 60_000, 60 * 60_000, 30 * 24 * 3_600_000),
  LEEWAY_PREFIX_LOCAL_MAX_BYTES: intFrom(64 * MIB, MIB, 64 * 1024 * MIB),
  LEEWAY_PREFIX_MEMORY_MAX_BYTES: intFrom(256 * MIB, MIB, 64 * 1024 * MIB),
  LEEWAY_CCR_MEMORY_MAX_BYTES: intFrom(256 * MIB, MIB, 64 * 1024 * MIB),
  LEEWAY_REDIS_CLUSTER: boolFrom(false),
  LEEWAY_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must match [A-Za-z0-9_.:-]{1,64}')
    .optional()
    .transform((v) => v ?? 'lw'),
  LEEWAY_REDIS_TIMEOUT_MS: intFrom(250, 1, 60_000),
  REDIS_URL: optionalString.pipe(
    z.string().refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://').optional(),
  ),
  LEEWAY_SECRET_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LEEWAY_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
  LEEWAY_LOG_EXCHANGES: boolFrom(false),
  LEEWAY_CACHE_PLAN: boolFrom(true),
  LEEWAY_OPENAI_CACHE_KEY: boolFrom(true),
  LEEWAY_RETRIEVE_TOOL: boolFrom(true),
  LEEWAY_RETRIEVE_MAX_ROUNDS: intFrom(4, 1, 16),
  LEEWAY_GOVERNANCE: boolFrom(false),
  LEEWAY_RAW_PROVIDER_KEYS: z.enum(['allow', 'deny'], { message: 'must be allow or deny' }).optional().transform((v) => v ?? 'allow'),
  DATABASE_URL: optionalString,
  LEEWAY_ANTHROPIC_BETA_FLAGS: z
    .string()
    .regex(/^[A-Za-z0-9_.,\s-]*$/, 'must be a comma-separated list of beta flags')
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f.length > 0),
    ),
});

export type CompressionSetting = 'off' | 'lossless' | 'balanced' | 'aggressive';

/** The proxy's configuration: validated, typed, frozen. */
export interface ProxyConfig {
  readonly port: number;
  readonly host: string;
  readonly upstream: {
    readonly anthropicBaseUrl: string;
    readonly openaiBaseUrl: string;
    readonly connectTimeoutMs: number;
    /** Headers timeout and the longest silence between body chunks. */
    readonly timeoutMs: number;
    readonly connections: number;
  };
  readonly bodyLimitBytes: number;
  readonly compression: {
    readonly mode: CompressionSetting;
    /** Time budget per request for planning edits; compression past it is abandoned (fail-open). */
    readonly budgetMs: number;
    /** Worker threads compressing off the event loop (0: inline). */
    readonly workers: number;
  };
  readonly state: {
    readonly redisUrl: string | undefined;
    readonly redisCluster: boolean;
    readonly redisKeyPrefix: string;
    readonly redisTimeoutMs: number;
    readonly prefixTtlMs: number;
    readonly ccrTtlMs: number;
    /** Bytes of decisions cached in process in front of Redis. */
    readonly prefixLocalMaxBytes: number;
    /** Bound of the in-memory prefix state of the embedded stack (bytes). */
    readonly prefixMemoryMaxBytes: number;
    readonly ccrMemoryMaxBytes: number;
  };
  /** Derives per-tenant CCR key secrets. A development default applies when unset (`secretKeyIsDefault`). */
  readonly secretKey: string;
  readonly secretKeyIsDefault: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log one line per exchange (no prompt content) at info level. */
  readonly logExchanges: boolean;
  /** `anthropic-beta` flags Leeway adds to Anthropic requests (merged with the client's, never replacing them). */
  readonly anthropicBetaFlags: readonly string[];
  /** Prompt-cache planning: Anthropic breakpoints when the client set none, OpenAI `prompt_cache_key` when absent. */
  readonly cachePlan: { readonly anthropic: boolean; readonly openAiKey: boolean };
  readonly governance: GovernanceSettings;
  /** Reversible compression: add the sticky `leeway_retrieve` tool and answer its calls (up to `maxRounds` upstream requests). */
  readonly retrieve: { readonly enabled: boolean; readonly maxRounds: number };
}

export interface GovernanceSettings {
  /** Virtual keys, policies and budgets from the admin database (`LEEWAY_GOVERNANCE`). */
  readonly enabled: boolean;
  /** `allow`: real provider keys pass through (attributed by `x-leeway-key`); `deny`: virtual keys only. */
  readonly rawProviderKeys: 'allow' | 'deny';
  /** The admin database (split mode; the embedded stack passes its own). */
  readonly databaseUrl: string | undefined;
}

/** A configuration the proxy refuses to boot with; `problems` are `KEY: problem` lines. */
export class ProxyConfigError extends Error {
  readonly code = 'PRX_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid proxy configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ProxyConfigError';
  }
}

/**
 * Parse the environment. Collects every problem and throws one `ProxyConfigError` listing them as
 * `KEY: problem` (values are never echoed: some are secrets).
 */
export function loadProxyConfig(env: Readonly<Record<string, string | undefined>> = process.env): ProxyConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ProxyConfigError(problems);
  }
  const e = result.data;
  const problems: string[] = [];
  if (e.LEEWAY_CCR_TTL_MS < e.LEEWAY_PREFIX_TTL_MS) {
    problems.push('LEEWAY_CCR_TTL_MS: must be ≥ LEEWAY_PREFIX_TTL_MS (originals must outlive the decisions naming them)');
  }
  if (e.LEEWAY_REDIS_CLUSTER && !e.REDIS_URL) problems.push('LEEWAY_REDIS_CLUSTER: needs REDIS_URL');
  if (problems.length > 0) throw new ProxyConfigError(problems);
  const config: ProxyConfig = {
    port: e.LEEWAY_PROXY_PORT,
    host: e.LEEWAY_PROXY_HOST,
    upstream: Object.freeze({
      anthropicBaseUrl: e.LEEWAY_ANTHROPIC_BASE_URL,
      openaiBaseUrl: e.LEEWAY_OPENAI_BASE_URL,
      connectTimeoutMs: e.LEEWAY_UPSTREAM_CONNECT_TIMEOUT_MS,
      timeoutMs: e.LEEWAY_UPSTREAM_TIMEOUT_MS,
      connections: e.LEEWAY_UPSTREAM_CONNECTIONS,
    }),
    bodyLimitBytes: e.LEEWAY_BODY_LIMIT_BYTES,
    compression: Object.freeze({
      mode: e.LEEWAY_COMPRESSION_MODE,
      budgetMs: e.LEEWAY_OPTIMIZE_BUDGET_MS,
      workers: e.LEEWAY_COMPRESSION_WORKERS,
    }),
    state: Object.freeze({
      redisUrl: e.REDIS_URL,
      redisCluster: e.LEEWAY_REDIS_CLUSTER,
      redisKeyPrefix: e.LEEWAY_REDIS_KEY_PREFIX,
      redisTimeoutMs: e.LEEWAY_REDIS_TIMEOUT_MS,
      prefixTtlMs: e.LEEWAY_PREFIX_TTL_MS,
      ccrTtlMs: e.LEEWAY_CCR_TTL_MS,
      prefixLocalMaxBytes: e.LEEWAY_PREFIX_LOCAL_MAX_BYTES,
      prefixMemoryMaxBytes: e.LEEWAY_PREFIX_MEMORY_MAX_BYTES,
      ccrMemoryMaxBytes: e.LEEWAY_CCR_MEMORY_MAX_BYTES,
    }),
    secretKey: e.LEEWAY_SECRET_KEY ?? DEV_SECRET,
    secretKeyIsDefault: e.LEEWAY_SECRET_KEY === undefined,
    logLevel: e.LEEWAY_LOG_LEVEL,
    logExchanges: e.LEEWAY_LOG_EXCHANGES,
    anthropicBetaFlags: Object.freeze(e.LEEWAY_ANTHROPIC_BETA_FLAGS),
    cachePlan: Object.freeze({ anthropic: e.LEEWAY_CACHE_PLAN, openAiKey: e.LEEWAY_OPENAI_CACHE_KEY }),
    governance: Object.freeze({ enabled: e.LEEWAY_GOVERNANCE, rawProviderKeys: e.LEEWAY_RAW_PROVIDER_KEYS, databaseUrl: e.DATABASE_URL }),
    retrieve: Object.freeze({ enabled: e.LEEWAY_RETRIEVE_TOOL, maxRounds: e.LEEWAY_RETRIEVE_MAX_ROUNDS }),
  };
  return Object.freeze(config);
}

/** The environment variables the proxy reads (the `.env.example` test checks they are all listed). */
export const PROXY_ENV_KEYS: readonly string[] = Object.keys(schema.shape);
