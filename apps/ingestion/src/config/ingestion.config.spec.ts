import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './ingestion.config';

describe('ingestion config', () => {
  it('has working defaults and returns a frozen object', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: null,
      redisUrl: null,
      dataDir: '.leeway',
      http: { host: '0.0.0.0', port: 8790 },
      stream: { prefix: 'leeway:events', partitions: 4, group: 'ingestion' },
      batch: { size: 500, maxWaitMs: 50, writers: 2 },
      requestLog: { retentionMonths: 13, monthsAhead: 3 },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.batch)).toBe(true);
  });

  it('collects every problem as KEY: problem lines without echoing values', () => {
    const error = (() => {
      try {
        loadConfig({ DATABASE_URL: 'mysql://secret@x/y', LEEWAY_INGESTION_BATCH_SIZE: '0', LEEWAY_EVENT_PARTITIONS: 'many' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LEEWAY_EVENT_PARTITIONS', 'LEEWAY_INGESTION_BATCH_SIZE']);
    expect((error as ConfigError).message).not.toContain('secret');
  });

  it('requires REDIS_URL in split mode', () => {
    expect(() => loadConfig({}, { requireRedis: true })).toThrow(/REDIS_URL: required/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }, { requireRedis: true }).redisUrl).toBe('redis://127.0.0.1:6379');
  });
});
