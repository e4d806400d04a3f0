// The migration job's entry point (scripts/migrate-with-retry.sh, run by the Helm hook and the compose
// `migrate` service): retries with backoff, prints every failure, exits non-zero when all attempts fail.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function runJob(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['scripts/migrate-with-retry.sh'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('migration job', () => {
  it('retries an unreachable PostgreSQL, reports each failure and exits non-zero', () => {
    const result = runJob({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
      MIGRATE_ATTEMPTS: '2',
      MIGRATE_BACKOFF_SECONDS: '0',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('migrate: attempt 1/2');
    expect(result.stdout).toContain('migrate: attempt 2/2');
    expect(result.stderr.match(/db:migrate failed/g)).toHaveLength(2);
    expect(result.stderr).toContain('migrate: failed after 2 attempts');
  }, 60_000);

  it('applies the migrations and exits 0 (embedded PGlite database)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leeway-migrate-'));
    try {
      const result = runJob({ LEEWAY_DATA_DIR: dir, MIGRATE_ATTEMPTS: '1' });
      expect(result.stderr).not.toContain('failed');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/\d+ applied/);
      expect(result.stdout).toContain('migrate: done');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
