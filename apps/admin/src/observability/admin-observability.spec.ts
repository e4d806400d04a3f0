import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminHarness, type AdminHarness } from '../testing/admin-harness';

describe('admin /metrics', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await createAdminHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts requests by route template (never the raw URL), method and status, without auth on /metrics', async () => {
    expect((await h.request('GET', '/v1/teams')).status).toBe(200);
    expect((await h.request('GET', '/v1/teams', { token: null })).status).toBe(401);
    expect((await h.request('GET', '/v1/teams/9f1c0b9e-0000-4000-8000-000000000000')).status).toBeGreaterThanOrEqual(400);
    expect((await h.request('GET', '/readyz', { token: null })).status).toBe(200);
    const res = await h.request('GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/leeway_admin_requests_total\{route="\/v1\/teams",method="get",status="2xx"\} 1/);
    expect(res.text).toMatch(/leeway_admin_requests_total\{route="\/v1\/teams",method="get",status="4xx"\} 1/);
    expect(res.text).toMatch(/leeway_admin_requests_total\{route="\/v1\/teams\/:id",method="get",status="4xx"\} 1/);
    expect(res.text).not.toContain('9f1c0b9e');
    expect(res.text).toContain('leeway_admin_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('leeway_dependency_up{dependency="postgres"} 1');
  });

  it('/readyz fails while the database schema is older than the code, and recovers once it is migrated', async () => {
    const { rows } = await h.database.sql.query<{ name: string }>(
      'SELECT migration_name AS name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1',
    );
    const newest = rows[0]!.name;
    await h.database.sql.query('UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = $1', [newest]);
    try {
      const res = await h.request('GET', '/readyz', { token: null });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'GEN_UNAVAILABLE' });
    } finally {
      await h.database.sql.query('UPDATE "_prisma_migrations" SET finished_at = now() WHERE migration_name = $1', [newest]);
    }
    expect((await h.request('GET', '/readyz', { token: null })).status).toBe(200);
  });
});
