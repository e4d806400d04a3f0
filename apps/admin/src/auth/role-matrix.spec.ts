/**
 * Every route × every role (admin, finance, team-admin of the target team, team-admin of another
 * team, no token). The table below is the contract; a route added to the route table without a row
 * here fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../http/routes';
import { createAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { createFixtures, type AdminFixtures } from '../testing/admin-fixtures';

type Caller = 'admin' | 'finance' | 'teamAdminA' | 'teamAdminB' | 'none';
const CALLERS: Caller[] = ['admin', 'finance', 'teamAdminA', 'teamAdminB', 'none'];

/** Expected status for [admin, finance, team-admin of A, team-admin of B]; no token is always 401. */
const MATRIX: Record<string, [number, number, number, number]> = {
  'teams.create': [201, 403, 403, 403],
  'teams.list': [200, 200, 200, 200],
  'teams.get': [200, 200, 200, 403],
  'teams.update': [200, 403, 403, 403],
  'teams.delete': [200, 403, 403, 403],
  'keys.create': [201, 403, 201, 403],
  'keys.list': [200, 403, 200, 403],
  'keys.revoke': [200, 403, 200, 403],
  'credentials.put': [200, 403, 403, 403],
  'credentials.list': [200, 403, 403, 403],
  'credentials.delete': [200, 403, 403, 403],
  'policies.create': [201, 403, 201, 403],
  'policies.list': [200, 403, 200, 200],
  'policies.update': [200, 403, 200, 404],
  'policies.delete': [200, 403, 200, 404],
  'budgets.create': [201, 403, 403, 403],
  'budgets.list': [200, 200, 403, 403],
  'budgets.update': [200, 403, 403, 403],
  'budgets.delete': [200, 403, 403, 403],
  'pricing.list': [200, 200, 403, 403],
  'pricing.create': [201, 403, 403, 403],
  'reports.spend': [200, 200, 200, 200],
  'reports.spendCsv': [200, 200, 200, 200],
  'explain.get': [200, 403, 200, 403],
  'audit.list': [200, 403, 200, 200],
  'users.create': [201, 403, 403, 403],
  'users.list': [200, 403, 403, 403],
  'tokens.create': [201, 403, 403, 403],
  'tokens.revoke': [200, 403, 403, 403],
};

interface Prepared {
  readonly url: string;
  readonly body?: unknown;
}

describe('role matrix', () => {
  let h: AdminHarness;
  let fx: AdminFixtures;
  let seq = 0;

  beforeAll(async () => {
    h = await createAdminHarness();
    fx = await createFixtures(h, 'matrix');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A fresh target in team A for each request, so a success never affects the next case. */
  const prepare: Record<string, (caller: Caller) => Promise<Prepared>> = {
    'teams.create': async () => ({ url: '/v1/teams', body: { name: `created ${++seq}` } }),
    'teams.list': async () => ({ url: '/v1/teams' }),
    'teams.get': async () => ({ url: `/v1/teams/${fx.teamA}` }),
    'teams.update': async () => ({ url: `/v1/teams/${fx.teamA}`, body: { name: 'Team A renamed' } }),
    'teams.delete': async (caller) => {
      if (caller !== 'admin') return { url: `/v1/teams/${fx.teamA}` };
      const t = await h.admin('POST', '/v1/teams', { name: `doomed ${++seq}` });
      return { url: `/v1/teams/${t.id}` };
    },
    'keys.create': async () => ({ url: `/v1/teams/${fx.teamA}/keys`, body: { name: 'ci' } }),
    'keys.list': async () => ({ url: `/v1/teams/${fx.teamA}/keys` }),
    'keys.revoke': async () => {
      const k = await h.admin('POST', `/v1/teams/${fx.teamA}/keys`, { name: 'to revoke' });
      return { url: `/v1/teams/${fx.teamA}/keys/${k.id}` };
    },
    'credentials.put': async () => ({ url: `/v1/teams/${fx.teamA}/credentials/anthropic`, body: { apiKey: 'sk-ant-test-0123456789' } }),
    'credentials.list': async () => ({ url: `/v1/teams/${fx.teamA}/credentials` }),
    'credentials.delete': async () => {
      await h.admin('PUT', `/v1/teams/${fx.teamA}/credentials/openai`, { apiKey: 'sk-openai-test-0123456789' });
      return { url: `/v1/teams/${fx.teamA}/credentials/openai` };
    },
    'policies.create': async () => ({ url: '/v1/policies', body: { teamId: fx.teamA, modelPattern: `m${++seq}-*`, compression: 'lossless' } }),
    'policies.list': async () => ({ url: '/v1/policies' }),
    'policies.update': async () => {
      const p = await h.admin('POST', '/v1/policies', { teamId: fx.teamA, compression: 'balanced' });
      return { url: `/v1/policies/${p.id}`, body: { compression: 'aggressive' } };
    },
    'policies.delete': async () => {
      const p = await h.admin('POST', '/v1/policies', { teamId: fx.teamA, compression: 'balanced' });
      return { url: `/v1/policies/${p.id}` };
    },
    'budgets.create': async () => ({ url: '/v1/budgets', body: { teamId: fx.teamA, period: 'month', limitUsd: 100, mode: 'hard' } }),
    'budgets.list': async () => ({ url: '/v1/budgets' }),
    'budgets.update': async () => {
      const b = await h.admin('POST', '/v1/budgets', { teamId: fx.teamA, period: 'day', limitUsd: '5', mode: 'soft' });
      return { url: `/v1/budgets/${b.id}`, body: { limitUsd: '7.5' } };
    },
    'budgets.delete': async () => {
      const b = await h.admin('POST', '/v1/budgets', { teamId: fx.teamA, period: 'day', limitUsd: '5', mode: 'soft' });
      return { url: `/v1/budgets/${b.id}` };
    },
    'pricing.list': async () => ({ url: '/v1/pricing' }),
    'pricing.create': async () => ({
      url: '/v1/pricing',
      body: { provider: 'anthropic', modelPattern: 'claude-matrix-*', effectiveFrom: new Date(Date.UTC(2030, 0, 1, 0, 0, ++seq)).toISOString(), inputPerMtok: 1, outputPerMtok: '5' },
    }),
    'reports.spend': async () => ({ url: '/v1/reports/spend?from=2026-12-01&to=2026-12-31&groupBy=team,model' }),
    'reports.spendCsv': async () => ({ url: '/v1/reports/spend.csv?from=2026-12-01&to=2026-12-31' }),
    'explain.get': async () => ({ url: `/v1/explain?team=${fx.teamA}&model=claude-sonnet-4-5` }),
    'audit.list': async () => ({ url: '/v1/audit' }),
    'users.create': async () => ({ url: '/v1/users', body: { email: `u${++seq}@example.com`, role: 'finance' } }),
    'users.list': async () => ({ url: '/v1/users' }),
    'tokens.create': async () => {
      const u = await h.admin('POST', '/v1/users', { email: `t${++seq}@example.com`, role: 'finance' });
      return { url: `/v1/users/${u.id}/tokens`, body: { name: 'x' } };
    },
    'tokens.revoke': async () => {
      const u = await h.admin('POST', '/v1/users', { email: `r${++seq}@example.com`, role: 'finance' });
      const t = await h.admin('POST', `/v1/users/${u.id}/tokens`, { name: 'x' });
      return { url: `/v1/tokens/${t.id}` };
    },
  };

  it('covers every declared non-public route', () => {
    const declared = [...ROUTES.values()].filter((r) => r.roles !== 'public').map((r) => r.id).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(declared);
    expect(Object.keys(prepare).sort()).toEqual(declared);
  });

  const cases = Object.keys(MATRIX).flatMap((id) => CALLERS.map((caller) => [id, caller] as const));

  it.each(cases)('%s as %s', async (id, caller) => {
    const spec = ROUTES.get(id)!;
    const { url, body } = await prepare[id]!(caller);
    const token = caller === 'admin' ? undefined : caller === 'none' ? null : fx.tokens[caller];
    const res = await h.request(spec.method, url, { token, ...(body !== undefined ? { body } : {}) });
    const expected = caller === 'none' ? 401 : MATRIX[id]![CALLERS.indexOf(caller)]!;
    expect(res.status, `${spec.method} ${url} as ${caller}: ${res.text}`).toBe(expected);
    if (expected >= 400) {
      expect(res.body).toMatchObject({ statusCode: expected, requestId: expect.any(String) });
      expect(res.body.code).toBe(expected === 401 ? 'GEN_UNAUTHENTICATED' : expected === 403 ? 'GEN_FORBIDDEN' : 'ADM_NOT_FOUND');
    }
  });

  it('public routes need no token', async () => {
    for (const spec of [...ROUTES.values()].filter((r) => r.roles === 'public')) {
      const res = await h.request(spec.method, spec.path, { token: null });
      expect(res.status, spec.path).toBe(200);
    }
  });

  it('rejects a revoked user token and a garbage token', async () => {
    const u = await h.admin('POST', '/v1/users', { email: 'revoked@example.com', role: 'finance' });
    const t = await h.admin('POST', `/v1/users/${u.id}/tokens`, { name: 'short-lived' });
    expect((await h.request('GET', '/v1/pricing', { token: t.token })).status).toBe(200);
    await h.admin('DELETE', `/v1/tokens/${t.id}`);
    expect((await h.request('GET', '/v1/pricing', { token: t.token })).status).toBe(401);
    expect((await h.request('GET', '/v1/pricing', { token: 'lwa_nope' })).status).toBe(401);
    expect((await h.request('GET', '/v1/pricing', { headers: { authorization: 'Basic abc' }, token: null })).status).toBe(401);
  });
});
