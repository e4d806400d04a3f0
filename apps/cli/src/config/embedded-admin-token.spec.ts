import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedAdminToken } from './embedded-admin-token';

describe('embeddedAdminToken', () => {
  it('creates an owner-only token in the data dir once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leeway-token-'));
    const first = embeddedAdminToken({ LEEWAY_DATA_DIR: dir });
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^lwa_[A-Za-z0-9_-]{32}$/);
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    const again = embeddedAdminToken({ LEEWAY_DATA_DIR: dir });
    expect(again).toEqual({ token: first.token, path: join(dir, 'admin-token'), created: false });
  });

  it('lets LEEWAY_ADMIN_TOKEN win and replaces an unusable stored token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leeway-token-'));
    expect(embeddedAdminToken({ LEEWAY_DATA_DIR: dir, LEEWAY_ADMIN_TOKEN: 'given-token-0123456789' })).toEqual({
      token: 'given-token-0123456789',
      path: null,
      created: false,
    });
    writeFileSync(join(dir, 'admin-token'), 'short\n');
    const made = embeddedAdminToken({ LEEWAY_DATA_DIR: dir });
    expect(made.created).toBe(true);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(made.token);
  });
});
