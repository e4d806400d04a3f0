import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptCredential, hashSecret } from '@leeway/db';
import { ROUTES } from './http/routes';
import { createAdminHarness, TEST_SECRET_KEY, type AdminHarness } from './testing/admin-harness';
import { createFixtures, insertRollup, type AdminFixtures } from './testing/admin-fixtures';

const NOW = new Date('2026-12-03T20:00:00Z');

describe('admin API on PGlite', () => {
  let h: AdminHarness;
  let fx: AdminFixtures;

  beforeAll(async () => {
    h = await createAdminHarness({ now: () => NOW });
    fx = await createFixtures(h, 'main');
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('virtual keys', () => {
    it('shows the key once, stores only its hash, never lists it', async () => {
      const created = await h.request('POST', `/v1/teams/${fx.teamA}/keys`, { body: { name: 'ci', expiresAt: '2027-06-01T00:00:00Z' } });
      expect(created.status).toBe(201);
      const { id, key } = created.body;
      expect(key).toMatch(/^lwk_[A-Za-z0-9_-]{43}$/);
      expect(created.body.expiresAt).toBe('2027-06-01T00:00:00.000Z');

      const listed = await h.request('GET', `/v1/teams/${fx.teamA}/keys`);
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(key);
      const item = listed.body.items.find((k: { id: string }) => k.id === id);
      expect(item).toMatchObject({ id, name: 'ci', teamId: fx.teamA, revokedAt: null });
      expect(Object.keys(item)).not.toContain('key');
      expect(key.startsWith(item.prefix)).toBe(true);

      const { rows } = await h.database.sql.query<{ hash: string }>('SELECT hash FROM "api_keys" WHERE id = $1', [id]);
      expect(rows[0]?.hash).toBe(hashSecret(key));
      const audit = await h.request('GET', '/v1/audit?targetType=key');
      expect(audit.text).not.toContain(key);
    });

    it('revokes a key and publishes its hash', async () => {
      const { id, key } = await h.admin('POST', `/v1/teams/${fx.teamA}/keys`, { name: 'short' });
      const revoked = await h.request('DELETE', `/v1/teams/${fx.teamA}/keys/${id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const change = h.changes.find((c) => c.kind === 'key' && c.action === 'revoked' && c.id === id);
      expect(change).toMatchObject({ teamId: fx.teamA, keyHash: hashSecret(key) });
      // Another team's key id through my team's path is not found.
      const other = await h.admin('POST', `/v1/teams/${fx.teamB}/keys`, { name: 'b' });
      expect((await h.request('DELETE', `/v1/teams/${fx.teamA}/keys/${other.id}`)).status).toBe(404);
    });

    it('rejects an expiry in the past', async () => {
      const res = await h.request('POST', `/v1/teams/${fx.teamA}/keys`, { body: { name: 'x', expiresAt: '2020-01-01T00:00:00Z' } });
      expect(res.status).toBe(400);
      expect(res.body.details.issues[0].path).toBe('expiresAt');
    });
  });

  describe('provider credentials', () => {
    it('encrypts at rest and never returns the key', async () => {
      const secret = 'sk-ant-api03-very-secret-value-XYZW';
      const res = await h.request('PUT', `/v1/teams/${fx.teamA}/credentials/anthropic`, { body: { apiKey: secret } });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(secret);
      expect(res.body.keyHint).toBe('…XYZW');
      const { rows } = await h.database.sql.query<{ encrypted: Uint8Array }>(
        'SELECT encrypted FROM "provider_credentials" WHERE id = $1',
        [res.body.id],
      );
      const stored = Buffer.from(rows[0]!.encrypted);
      expect(stored.includes(Buffer.from(secret))).toBe(false);
      expect(decryptCredential(TEST_SECRET_KEY, 'anthropic', stored)).toBe(secret);
      expect(() => decryptCredential('another-secret-key-0123456789', 'anthropic', stored)).toThrow(/cannot be decrypted/);
      // Rotation replaces it in place.
      const rotated = await h.request('PUT', `/v1/teams/${fx.teamA}/credentials/anthropic`, { body: { apiKey: 'sk-ant-api03-rotated-ABCD' } });
      expect(rotated.body.id).toBe(res.body.id);
      expect(rotated.body.rotatedAt).not.toBeNull();
      const audit = await h.request('GET', '/v1/audit?targetType=credential');
      expect(audit.text).not.toContain(secret);
      expect(audit.text).not.toContain('sk-ant-api03-rotated-ABCD');
    });

    it('rejects an unknown provider', async () => {
      const res = await h.request('PUT', `/v1/teams/${fx.teamA}/credentials/gemini`, { body: { apiKey: 'abcdefghijkl' } });
      expect(res.status).toBe(400);
      expect(res.body.details.issues[0].in).toBe('params');
    });
  });

  describe('policies, budgets and explain', () => {
    it('explains which policy wins and which budgets apply', async () => {
      const team = await h.admin('POST', '/v1/teams', { name: 'Research' });
      const org = await h.admin('POST', '/v1/policies', { compression: 'balanced' });
      const opus = await h.admin('POST', '/v1/policies', { teamId: team.id, modelPattern: 'claude-opus-*', compression: 'lossless', shadow: true });
      await h.admin('POST', '/v1/policies', { teamId: fx.teamB, modelPattern: 'claude-opus-*', compression: 'off' });
      const budget = await h.admin('POST', '/v1/budgets', {
        teamId: team.id,
        modelPattern: 'claude-*',
        period: 'month',
        timezone: 'Europe/Paris',
        limitUsd: 2000,
        mode: 'hard',
        alertThresholds: [50, 80, 100],
        webhookUrl: 'https://hooks.example.com/leeway',
      });
      expect(budget).toMatchObject({ limitUsd: '2000.000000', mode: 'hard', period: 'month', timezone: 'Europe/Paris', alertThresholds: [50, 80, 100], onRedisLoss: 'open' });

      const opusExplain = await h.request('GET', `/v1/explain?team=${team.id}&model=claude-opus-4-1`);
      expect(opusExplain.status).toBe(200);
      expect(opusExplain.body.policy.selected.id).toBe(opus.id);
      expect(opusExplain.body.policy.effective).toMatchObject({ source: 'policy', compression: 'lossless', shadow: true });
      expect(opusExplain.body.policy.candidates.map((c: { id: string }) => c.id)).toEqual([opus.id, org.id]);
      expect(opusExplain.body.budgets).toHaveLength(1);
      expect(opusExplain.body.budgets[0].window).toEqual({ start: '2026-11-30T23:00:00.000Z', end: '2026-12-31T23:00:00.000Z' });

      const gpt = await h.request('GET', `/v1/explain?team=${team.id}&model=gpt-5`);
      expect(gpt.body.policy.selected.id).toBe(org.id);
      expect(gpt.body.budgets).toEqual([]);
    });

    it('updates bump the policy version and are audited with before/after', async () => {
      const p = await h.admin('POST', '/v1/policies', { teamId: fx.teamA, modelPattern: 'gpt-*', compression: 'balanced', excludedTools: ['Read'] });
      const updated = await h.request('PATCH', `/v1/policies/${p.id}`, { body: { compression: 'aggressive' } });
      expect(updated.body).toMatchObject({ compression: 'aggressive', version: 2, excludedTools: ['Read'] });
      const audit = await h.request('GET', `/v1/audit?targetType=policy&limit=50`);
      const entry = audit.body.items.find((e: { targetId: string; action: string }) => e.targetId === p.id && e.action === 'policy.updated');
      expect(entry).toMatchObject({ actorType: 'bootstrap', teamId: fx.teamA, before: { compression: 'balanced' }, after: { compression: 'aggressive' } });
      expect(h.changes.some((c) => c.kind === 'policy' && c.action === 'updated' && c.id === p.id)).toBe(true);
    });

    it('a team-admin cannot create or change org-wide policies', async () => {
      const token = fx.tokens.teamAdminA;
      expect((await h.request('POST', '/v1/policies', { token, body: { compression: 'off' } })).status).toBe(403);
      const org = await h.admin('POST', '/v1/policies', { modelPattern: 'o3*', compression: 'off' });
      expect((await h.request('PATCH', `/v1/policies/${org.id}`, { token, body: { compression: 'balanced' } })).status).toBe(403);
    });

    it('budget for a missing team is 404, duplicate team slug 409', async () => {
      const res = await h.request('POST', '/v1/budgets', {
        body: { teamId: '00000000-0000-4000-8000-000000000000', period: 'day', limitUsd: 1, mode: 'soft' },
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ADM_TEAM_NOT_FOUND');
      await h.admin('POST', '/v1/teams', { name: 'Dup', slug: 'dup' });
      const dup = await h.request('POST', '/v1/teams', { body: { name: 'Dup 2', slug: 'dup' } });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('ADM_CONFLICT');
    });
  });

  describe('tenant isolation for a team-admin', () => {
    it('sees no team, key, policy, budget, audit entry or report row of another team', async () => {
      const token = fx.tokens.teamAdminA;
      await h.admin('POST', `/v1/teams/${fx.teamB}/keys`, { name: 'b-key' });
      const bPolicy = await h.admin('POST', '/v1/policies', { teamId: fx.teamB, compression: 'aggressive' });
      await insertRollup(h, { day: '2026-12-02', teamId: fx.teamA, provider: 'anthropic', model: 'claude-sonnet-4-5', requests: 3, inputTokens: 100, outputTokens: 10, billedUsd: '0.001', savingsTotalUsd: '0.0005' });
      await insertRollup(h, { day: '2026-12-02', teamId: fx.teamB, provider: 'openai', model: 'gpt-5', requests: 7, inputTokens: 900, outputTokens: 90, billedUsd: '0.5', savingsTotalUsd: '0.1' });

      const teams = await h.request('GET', '/v1/teams', { token });
      expect(teams.body.items.map((t: { id: string }) => t.id)).toEqual([fx.teamA]);
      expect((await h.request('GET', `/v1/teams/${fx.teamB}`, { token })).status).toBe(403);
      expect((await h.request('GET', `/v1/teams/${fx.teamB}/keys`, { token })).status).toBe(403);

      const policies = await h.request('GET', '/v1/policies', { token });
      expect(policies.body.items.every((p: { teamId: string | null }) => p.teamId === null || p.teamId === fx.teamA)).toBe(true);
      expect((await h.request('GET', `/v1/policies?teamId=${fx.teamB}`, { token })).body.items.some((p: { teamId: string | null }) => p.teamId === fx.teamB)).toBe(false);
      expect((await h.request('PATCH', `/v1/policies/${bPolicy.id}`, { token, body: { compression: 'off' } })).status).toBe(404);
      expect((await h.request('GET', `/v1/explain?team=${fx.teamB}&model=gpt-5`, { token })).status).toBe(403);

      const audit = await h.request('GET', '/v1/audit?limit=500', { token });
      expect(audit.body.items.length).toBeGreaterThan(0);
      expect(audit.body.items.every((e: { teamId: string | null }) => e.teamId === fx.teamA)).toBe(true);

      const report = await h.request('GET', '/v1/reports/spend?from=2026-12-01&to=2026-12-31&groupBy=team,model', { token });
      expect(report.body.rows).toEqual([expect.objectContaining({ teamId: fx.teamA, model: 'claude-sonnet-4-5', requests: 3, billedUsd: '0.001000000000' })]);
      const csv = await h.request('GET', `/v1/reports/spend.csv?from=2026-12-01&to=2026-12-31&groupBy=team`, { token });
      expect(csv.text).not.toContain(fx.teamB);
      const spoofed = await h.request('GET', `/v1/reports/spend?from=2026-12-01&to=2026-12-31&teamId=${fx.teamB}`, { token });
      expect(spoofed.body.rows).toEqual([]);

      // Finance sees both teams.
      const all = await h.request('GET', '/v1/reports/spend?from=2026-12-01&to=2026-12-31&groupBy=team', { token: fx.tokens.finance });
      expect(all.body.rows.map((r: { teamId: string }) => r.teamId).sort()).toEqual([fx.teamA, fx.teamB].sort());
    });
  });

  describe('reports', () => {
    it('groups by day and renders CSV with exact money', async () => {
      const team = await h.admin('POST', '/v1/teams', { name: 'Finance view' });
      await insertRollup(h, { day: '2026-11-30', teamId: team.id, provider: 'anthropic', model: 'claude-haiku-4-5', requests: 2, inputTokens: 10, outputTokens: 5, billedUsd: '0.000000000001', savingsTotalUsd: '0' });
      await insertRollup(h, { day: '2026-12-01', teamId: team.id, provider: 'anthropic', model: 'claude-haiku-4-5', requests: 4, inputTokens: 20, outputTokens: 6, billedUsd: '1.25', savingsTotalUsd: '0.25' });
      const res = await h.request('GET', `/v1/reports/spend?from=2026-11-01&to=2026-12-31&groupBy=day&teamId=${team.id}`);
      expect(res.body.rows).toEqual([
        expect.objectContaining({ day: '2026-11-30', requests: 2, billedUsd: '0.000000000001' }),
        expect.objectContaining({ day: '2026-12-01', requests: 4, billedUsd: '1.250000000000', savingsTotalUsd: '0.250000000000', counterfactualUsd: '1.500000000000' }),
      ]);
      const csv = await h.request('GET', `/v1/reports/spend.csv?from=2026-11-01&to=2026-12-31&groupBy=day&teamId=${team.id}`);
      expect(csv.status).toBe(200);
      expect(String(csv.headers['content-type'])).toContain('text/csv');
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]!.split(',').slice(0, 3)).toEqual(['day', 'requests', 'errorRequests']);
      expect(lines).toHaveLength(3);
      expect(lines[2]).toContain('1.250000000000');
    });
  });

  describe('pricing', () => {
    it('adds an effective-dated price and lists the catalogue', async () => {
      const before = await h.request('GET', '/v1/pricing?provider=anthropic');
      expect(before.body.items.length).toBeGreaterThan(0);
      const created = await h.request('POST', '/v1/pricing', {
        body: { provider: 'anthropic', modelPattern: 'claude-test-*', effectiveFrom: '2027-01-01T00:00:00Z', inputPerMtok: '3', outputPerMtok: 15, cacheReadPerMtok: '0.3' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ inputPerMtok: '3.000000', outputPerMtok: '15.000000', cacheReadPerMtok: '0.300000', cacheWrite5mPerMtok: null });
      const again = await h.request('POST', '/v1/pricing', {
        body: { provider: 'anthropic', modelPattern: 'claude-test-*', effectiveFrom: '2027-01-01T00:00:00Z', inputPerMtok: '4', outputPerMtok: 15 },
      });
      expect(again.status).toBe(409);
    });
  });

  describe('validation and the error envelope', () => {
    it('rejects unknown fields with details', async () => {
      const res = await h.request('POST', '/v1/teams', { body: { name: 'x', owner: 'me' }, headers: { 'x-request-id': 'req-123' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'GEN_VALIDATION_FAILED', error: 'Bad Request', requestId: 'req-123' });
      expect(res.body.details.issues).toEqual([expect.objectContaining({ in: 'body', code: 'unrecognized_keys', keys: ['owner'] })]);
      expect(res.headers['x-request-id']).toBe('req-123');
    });

    it('rejects negative limits, invalid patterns and bad enums', async () => {
      const neg = await h.request('POST', '/v1/budgets', { body: { teamId: fx.teamA, period: 'month', limitUsd: -5, mode: 'hard' } });
      expect(neg.status).toBe(400);
      expect(neg.body.details.issues.map((i: { path: string }) => i.path)).toContain('limitUsd');
      const pattern = await h.request('POST', '/v1/policies', { body: { modelPattern: 'claude-(opus', compression: 'balanced' } });
      expect(pattern.status).toBe(400);
      expect(pattern.body.details.issues[0].path).toBe('modelPattern');
      const period = await h.request('POST', '/v1/budgets', { body: { teamId: fx.teamA, period: 'year', limitUsd: 5, mode: 'hard' } });
      expect(period.status).toBe(400);
      const limit = await h.request('GET', '/v1/audit?limit=-1');
      expect(limit.status).toBe(400);
      expect(limit.body.details.issues[0]).toMatchObject({ in: 'query', path: 'limit' });
      const badId = await h.request('PATCH', '/v1/policies/not-a-uuid', { body: { compression: 'off' } });
      expect(badId.status).toBe(400);
    });

    it('answers malformed JSON with 400 and huge payloads with 413, in the envelope', async () => {
      const malformed = await h.request('POST', '/v1/teams', { rawBody: '{"name":' });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, code: 'GEN_VALIDATION_FAILED', requestId: expect.any(String) });
      const huge = await h.request('POST', '/v1/teams', { body: { name: 'x'.repeat(200_000) } });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ statusCode: 413, code: 'ADM_PAYLOAD_TOO_LARGE', requestId: expect.any(String) });
      const missing = await h.request('POST', '/v1/teams');
      expect(missing.status).toBe(400);
    });

    it('404 is 404 in the envelope', async () => {
      const route = await h.request('GET', '/v1/nope');
      expect(route.status).toBe(404);
      expect(route.body).toMatchObject({ statusCode: 404, code: 'GEN_NOT_FOUND', requestId: expect.any(String) });
      const team = await h.request('GET', '/v1/teams/00000000-0000-4000-8000-000000000000');
      expect(team.status).toBe(404);
      expect(team.body.code).toBe('ADM_TEAM_NOT_FOUND');
    });
  });

  describe('OpenAPI and docs', () => {
    it('documents every route with its schemas', async () => {
      const res = await h.request('GET', '/openapi.json', { token: null });
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      for (const spec of ROUTES.values()) {
        expect(res.body.paths[spec.path]?.[spec.method.toLowerCase()]?.operationId, `${spec.method} ${spec.path}`).toBe(spec.id);
      }
      const budgetBody = res.body.paths['/v1/budgets'].post.requestBody.content['application/json'].schema;
      expect(budgetBody.required).toEqual(expect.arrayContaining(['teamId', 'period', 'limitUsd', 'mode']));
      expect(budgetBody.additionalProperties).toBe(false);
      const spendParams = res.body.paths['/v1/reports/spend'].get.parameters.map((p: { name: string }) => p.name);
      expect(spendParams).toEqual(expect.arrayContaining(['from', 'to', 'groupBy']));
    });

    it('serves a self-contained docs page', async () => {
      const res = await h.request('GET', '/docs', { token: null });
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/html');
      expect(res.text).toContain('/openapi.json');
      expect(res.text).not.toMatch(/<script[^>]+src=/);
    });
  });
});
