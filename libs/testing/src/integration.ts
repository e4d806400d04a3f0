/**
 * Integration tests against real PostgreSQL / Redis: `integrationEnv('REDIS_URL')` tells a suite whether to
 * run. A missing variable skips locally but throws when `CI` is set — a CI run must never pass by skipping.
 *
 *   const redis = integrationEnv('REDIS_URL');
 *   describe.runIf(redis.run)('prefix state on Redis', () => { ... new Redis(redis.url) ... });
 */
export type IntegrationVariable = 'DATABASE_URL' | 'REDIS_URL';

export interface IntegrationEnv {
  /** The URL ('' when missing). */
  readonly url: string;
  /** Whether the suite should run. */
  readonly run: boolean;
}

export class IntegrationEnvMissingError extends Error {
  readonly code = 'TST_INTEGRATION_ENV_MISSING';
  override readonly name = 'IntegrationEnvMissingError';
  constructor(readonly variable: IntegrationVariable) {
    super(`${variable} is not set but CI is: integration tests must run in CI (set ${variable})`);
  }
}

export function integrationEnv(
  name: IntegrationVariable,
  env: Readonly<Record<string, string | undefined>> = process.env,
): IntegrationEnv {
  const url = env[name]?.trim() ?? '';
  if (url.length > 0) return { url, run: true };
  const ci = env['CI']?.trim() ?? '';
  if (ci.length > 0 && ci !== 'false' && ci !== '0') throw new IntegrationEnvMissingError(name);
  return { url: '', run: false };
}
