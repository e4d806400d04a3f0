import { describe, expect, it } from 'vitest';
import { AdminConfigError, loadAdminConfig } from './admin.config';

describe('loadAdminConfig', () => {
  it('applies defaults', () => {
    const c = loadAdminConfig({});
    expect(c.port).toBe(8788);
    expect(c.adminToken).toBeNull();
    expect(c.secretKeyIsDefault).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem without echoing secrets', () => {
    try {
      loadAdminConfig({ LEEWAY_ADMIN_PORT: '99999', LEEWAY_ADMIN_TOKEN: 'short-secret', DATABASE_URL: 'mysql://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AdminConfigError);
      const e = error as AdminConfigError;
      expect(e.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LEEWAY_ADMIN_PORT', 'LEEWAY_ADMIN_TOKEN']);
      expect(e.message).not.toContain('short-secret');
    }
  });

  it('requires LEEWAY_SECRET_KEY in production', () => {
    expect(() => loadAdminConfig({ NODE_ENV: 'production' })).toThrow(/LEEWAY_SECRET_KEY: required/);
  });
});
