import { describe, expect, it } from 'vitest';
import { integrationEnv, IntegrationEnvMissingError } from './integration';

describe('integrationEnv', () => {
  it('runs when the variable is set', () => {
    expect(integrationEnv('REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({ url: 'redis://127.0.0.1:6379', run: true });
    expect(integrationEnv('DATABASE_URL', { DATABASE_URL: 'postgres://x', CI: 'true' }).run).toBe(true);
  });

  it('skips locally when missing', () => {
    expect(integrationEnv('REDIS_URL', {})).toEqual({ url: '', run: false });
    expect(integrationEnv('REDIS_URL', { REDIS_URL: '  ', CI: 'false' })).toEqual({ url: '', run: false });
  });

  it('fails loudly in CI when missing', () => {
    expect(() => integrationEnv('DATABASE_URL', { CI: 'true' })).toThrow(IntegrationEnvMissingError);
    expect(() => integrationEnv('REDIS_URL', { CI: '1' })).toThrow(/REDIS_URL is not set/);
  });
});
