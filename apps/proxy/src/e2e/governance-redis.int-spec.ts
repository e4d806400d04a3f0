// Governance across proxy processes sharing one Redis: admin changes over pub/sub (`leeway:admin:changes`)
// reach every proxy within a second, and hard budgets hold across replicas (one Lua script per step).
import { randomBytes } from 'node:crypto';
import { closeRedisClient, createRedisClient, RedisBudgetLedger, waitForRedis } from '@leeway/state';
import type { RedisClient } from '@leeway/state';
import { integrationEnv, startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHANGES_CHANNEL, RedisChangeFeed } from '../governance/change-feed';
import { openControlPlane } from '../governance/testing/governance-fixture';
import type { ControlPlane } from '../governance/testing/governance-fixture';
import { startGovernedProxy } from '../governance/testing/governed-proxy';
import type { GovernedProxy } from '../governance/testing/governed-proxy';

const redisEnv = integrationEnv('REDIS_URL');
const CRED = 'sk-ant-team-credential-redis';
const MODEL = 'claude-sonnet-4-5';

describe.runIf(redisEnv.run)('governance across proxies sharing Redis', { timeout: 60_000 }, () => {
  let publisher: RedisClient;
  let control: ControlPlane;
  let upstream: FakeUpstream;
  const proxies: GovernedProxy[] = [];
  const prefix = `lwgov${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    publisher = createRedisClient({ url: redisEnv.url, commandTimeoutMs: 2000 });
    await waitForRedis(publisher, 5000);
    // The admin's RedisChangePublisher contract: JSON `AdminChange` on `leeway:admin:changes`.
    control = await openControlPlane({ publish: async (change) => void (await publisher.publish(ADMIN_CHANGES_CHANNEL, JSON.stringify(change))) });
    upstream = await startFakeUpstream({ tokenizer: 'approximate', apiKeys: [CRED] });
    for (let i = 0; i < 2; i++) {
      const ledgerClient = createRedisClient({ url: redisEnv.url, commandTimeoutMs: 2000 });
      await waitForRedis(ledgerClient, 5000);
      const changes = new RedisChangeFeed({ url: redisEnv.url });
      await changes.subscribed;
      const gp = await startGovernedProxy(control, { upstream, changes, ledger: new RedisBudgetLedger({ client: ledgerClient, keyPrefix: prefix, operationTimeoutMs: 2000 }) });
      proxies.push({
        ...gp,
        close: async () => {
          await gp.close();
          await closeRedisClient(ledgerClient);
        },
      });
    }
  }, 60_000);
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await upstream?.close();
    await control?.close();
    if (publisher) await closeRedisClient(publisher);
  });

  const call = (gp: GovernedProxy, key: string, maxTokens = 16) =>
    fetch(`${gp.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: maxTokens, messages: [{ role: 'user', content: 'Hi' }] }),
    });

  it('a revoked key is refused by every proxy within a second', async () => {
    const team = await control.team('Ops');
    await control.credential(team, 'anthropic', CRED);
    const issued = await control.key(team);
    for (const gp of proxies) {
      upstream.script({ text: 'ok' });
      expect((await call(gp, issued.key)).status).toBe(200); // cached as valid on both
    }
    const t0 = Date.now();
    await control.revokeKey(team, issued.id);
    for (const gp of proxies) {
      await expect.poll(async () => (await call(gp, issued.key)).status, { timeout: 1000, interval: 20 }).toBe(401);
    }
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a policy change is visible on every proxy within a second', async () => {
    const team = await control.team('Data');
    const identity = { tenant: team, teamId: team, credential: 'virtual-key' as const, keySecret: 'x' };
    const p = await control.policy({ teamId: team, compression: 'lossless' });
    for (const gp of proxies) expect((await gp.governance.policyFor(identity, MODEL)).compression).toBe('lossless');
    const t0 = Date.now();
    await control.updatePolicy(p.id, { compression: 'aggressive' });
    for (const gp of proxies) {
      await expect.poll(async () => (await gp.governance.policyFor(identity, MODEL)).compression, { timeout: 1000, interval: 10 }).toBe('aggressive');
    }
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a hard budget holds across proxies: concurrent requests never reserve past the limit', async () => {
    const team = await control.team('Finance');
    await control.credential(team, 'anthropic', CRED);
    const key = (await control.key(team)).key;
    // Each request reserves ~3 000 µ$ (200 output tokens at $15/Mtok + the body): $0.02 admits 6.
    await control.budget({ teamId: team, period: 'month', limitUsd: '0.02', mode: 'hard' });
    upstream.script(...Array.from({ length: 40 }, () => ({ text: 'ok', outputTokens: 200 })));
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => call(proxies[i % 2]!, key, 200).then((r) => r.status)));
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(6);
  });
});
