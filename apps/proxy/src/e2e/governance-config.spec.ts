// Governance composed from the proxy configuration (LEEWAY_GOVERNANCE) on the embedded stack's database
// and change bus, and budget counters rebuilt from the ledger (request_log) when they are missing.
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProxyConfig } from '../config/proxy.config';
import { DbGovernanceSource } from '../governance/governance.source';
import { GovernanceConfigError, openGovernance } from '../governance/open-governance';
import { FIXTURE_SECRET_KEY, openControlPlane } from '../governance/testing/governance-fixture';
import type { ControlPlane } from '../governance/testing/governance-fixture';
import { createProxyLogger } from '../observability/proxy.logger';
import { createProxyApp } from '../proxy.app';
import type { ProxyApp } from '../proxy.app';

const CRED = 'sk-ant-config-credential-0001';

describe('governance from configuration', { timeout: 60_000 }, () => {
  let control: ControlPlane;
  let upstream: FakeUpstream;
  let proxy: ProxyApp;
  let url: string;

  beforeAll(async () => {
    control = await openControlPlane();
    upstream = await startFakeUpstream({ tokenizer: 'approximate', apiKeys: [CRED] });
    const config = loadProxyConfig({
      LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
      LEEWAY_OPENAI_BASE_URL: upstream.url,
      LEEWAY_LOG_LEVEL: 'silent',
      LEEWAY_SECRET_KEY: FIXTURE_SECRET_KEY,
      LEEWAY_GOVERNANCE: 'true',
      LEEWAY_RAW_PROVIDER_KEYS: 'deny',
    });
    proxy = await createProxyApp({
      config,
      governanceSql: control.database.sql,
      governanceBus: control.bus,
      logger: createProxyLogger('silent'),
      defaultMetrics: false,
    });
    url = await proxy.listen(0);
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    await control?.close();
  });

  const call = (apiKey: string) =>
    fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('LEEWAY_RAW_PROVIDER_KEYS=deny: a raw provider key gets the 401 shape; a virtual key is swapped for the team credential', async () => {
    const raw = await call(CRED);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const team = await control.team('Config');
    await control.credential(team, 'anthropic', CRED);
    const { key } = await control.key(team);
    upstream.script({ text: 'ok' });
    expect((await call(key)).status).toBe(200);
    expect(upstream.requests.at(-1)!.headers['x-api-key']).toBe(CRED);
  });

  it('refuses to start without a real secret key or an admin database', async () => {
    const logger = createProxyLogger('silent');
    await expect(openGovernance({ config: loadProxyConfig({ LEEWAY_GOVERNANCE: 'true' }), logger, sql: control.database.sql })).rejects.toBeInstanceOf(GovernanceConfigError);
    await expect(openGovernance({ config: loadProxyConfig({ LEEWAY_GOVERNANCE: 'true', LEEWAY_SECRET_KEY: FIXTURE_SECRET_KEY }), logger })).rejects.toBeInstanceOf(GovernanceConfigError);
  });

  it('spend in the ledger (request_log) for a window, team and model pattern: what a missing counter is rebuilt from', async () => {
    const team = await control.team('Ledger');
    const insert = (id: string, at: string, model: string, usd: string | null, knownUsd: string | null) =>
      control.database.sql.query(
        `INSERT INTO "request_log" (request_id, occurred_at, completed_at, event_version, team_id, provider, model, operation, stream, status,
           latency_ms, usage_estimated, tokens_before, tokens_after, replayed_tokens_before, replayed_tokens_after, retrieve_rounds,
           cache_breakpoints_added, billed_usd, billed_known_usd)
         VALUES ($1, $2, $2, 1, $3, 'openai', $4, 'chat', false, 'complete', 10, false, 0, 0, 0, 0, 0, 0, $5, $6)`,
        [id, at, team, model, usd, knownUsd],
      );
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const inMonth = new Date(monthStart.getTime() + 3_600_000).toISOString();
    const before = new Date(monthStart.getTime() - 3_600_000).toISOString();
    await insert('r1', inMonth, 'gpt-4o', '1.250000000001', '1.25');
    await insert('r2', inMonth, 'GPT-4o-mini', null, '0.5'); // usage incomplete: the known part counts
    await insert('r3', inMonth, 'claude-sonnet-4-5', '2', '2');
    await insert('r4', before, 'gpt-4o', '7', '7');
    const source = new DbGovernanceSource(control.database.sql, FIXTURE_SECRET_KEY);
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(await source.spendMicros(team, 'gpt-*', monthStart, nextMonth)).toBe(1_750_001);
    expect(await source.spendMicros(team, null, monthStart, nextMonth)).toBe(3_750_001);
    expect(await source.spendMicros(team, null, null, null)).toBe(10_750_001);
    expect(await source.spendMicros('another-team', null, null, null)).toBe(0);
  });
});
