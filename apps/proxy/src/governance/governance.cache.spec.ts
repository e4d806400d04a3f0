import { createHash } from 'node:crypto';
import type { BudgetView, ModelPrice, PolicyRule } from '@leeway/contracts';
import { describe, expect, it } from 'vitest';
import { GovernanceCache } from './governance.cache';
import { GovernanceError } from './governance.errors';
import { Governance } from './governance.service';
import type { GovernanceSource, VirtualKeyRecord } from './governance.source';
import { presentedKey, VirtualKeyIdentityResolver } from './virtual-key.resolver';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

class CountingSource implements GovernanceSource {
  keys = new Map<string, VirtualKeyRecord>();
  policyRules: PolicyRule[] = [];
  calls = { key: 0, policies: 0 };
  findKey(hash: string): Promise<VirtualKeyRecord | null> {
    this.calls.key++;
    return Promise.resolve(this.keys.get(hash) ?? null);
  }
  findCredential = () => Promise.resolve(null);
  policies(): Promise<readonly PolicyRule[]> {
    this.calls.policies++;
    return Promise.resolve(this.policyRules);
  }
  budgets = (): Promise<readonly BudgetView[]> => Promise.resolve([]);
  prices = (): Promise<readonly ModelPrice[]> => Promise.resolve([]);
  spendMicros = () => Promise.resolve(0);
}

const rule = (over: Partial<PolicyRule>): PolicyRule => ({
  id: 'p',
  teamId: null,
  modelPattern: null,
  compression: 'balanced',
  shadow: false,
  retrieval: true,
  cachePlanner: true,
  excludedTools: [],
  priority: 0,
  enabled: true,
  version: 1,
  ...over,
});

describe('GovernanceCache and the virtual-key resolver', () => {
  it('reads the key from x-api-key or Authorization: Bearer', () => {
    expect(presentedKey({ 'x-api-key': 'lwk_a' })).toBe('lwk_a');
    expect(presentedKey({ authorization: 'Bearer lwk_b' })).toBe('lwk_b');
    expect(presentedKey({ authorization: 'Basic xyz' })).toBeUndefined();
  });

  it('caches keys, drops a revoked one on its change, remembers unknown keys briefly', async () => {
    let now = 1_000;
    const source = new CountingSource();
    source.keys.set(sha('lwk_good'), { id: 'k1', teamId: 't1', expiresAt: null });
    const cache = new GovernanceCache(source, { now: () => now, negativeKeyTtlMs: 100 });
    const resolver = new VirtualKeyIdentityResolver(cache, 'secret-0123456789abcdef', 'deny');
    expect(await resolver.resolve({ 'x-api-key': 'lwk_good' })).toMatchObject({ tenant: 't1', teamId: 't1', keyId: 'k1', credential: 'virtual-key' });
    await resolver.resolve({ authorization: 'Bearer lwk_good' });
    expect(source.calls.key).toBe(1);
    await expect(resolver.resolve({ 'x-api-key': 'lwk_nope' })).rejects.toBeInstanceOf(GovernanceError);
    await expect(resolver.resolve({ 'x-api-key': 'lwk_nope' })).rejects.toBeInstanceOf(GovernanceError);
    expect(source.calls.key).toBe(2);
    now += 101;
    await expect(resolver.resolve({ 'x-api-key': 'lwk_nope' })).rejects.toBeInstanceOf(GovernanceError);
    expect(source.calls.key).toBe(3);
    source.keys.delete(sha('lwk_good'));
    cache.apply({ kind: 'key', action: 'revoked', id: 'k1', teamId: 't1', keyHash: sha('lwk_good'), at: '' });
    await expect(resolver.resolve({ 'x-api-key': 'lwk_good' })).rejects.toMatchObject({ code: 'PRX_UNAUTHORIZED' });
    // deny mode: a raw provider key is refused
    await expect(resolver.resolve({ 'x-api-key': 'sk-ant-raw' })).rejects.toMatchObject({ code: 'PRX_UNAUTHORIZED' });
  });

  it('an expired key stops working at its expiry even while cached', async () => {
    let now = Date.parse('2026-12-04T00:00:00Z');
    const source = new CountingSource();
    source.keys.set(sha('lwk_exp'), { id: 'k', teamId: 't', expiresAt: new Date(now + 1000) });
    const cache = new GovernanceCache(source, { now: () => now });
    expect(await cache.key(sha('lwk_exp'))).not.toBeNull();
    now += 1000;
    expect(await cache.key(sha('lwk_exp'))).toBeNull();
  });

  it('policy resolution is memoised until a policy change, then re-read; org-wide changes reach every team', async () => {
    const source = new CountingSource();
    source.policyRules = [rule({ id: 'org', compression: 'lossless' }), rule({ id: 'team', teamId: 't1', modelPattern: 'gpt-*', compression: 'aggressive', excludedTools: ['x'] })];
    const g = new Governance({ source, secretKey: 'secret-0123456789abcdef', defaults: { compression: 'balanced', cachePlanner: true, retrieval: true } });
    const id = { tenant: 't1', teamId: 't1', credential: 'virtual-key' as const, keySecret: 's' };
    expect(await g.policyFor(id, 'gpt-4o')).toMatchObject({ policyId: 'team', compression: 'aggressive', excludedTools: ['x'] });
    expect(await g.policyFor(id, 'claude-sonnet-4-5')).toMatchObject({ policyId: 'org', compression: 'lossless' });
    expect(await g.policyFor(id, 'gpt-4o')).toMatchObject({ policyId: 'team' });
    expect(source.calls.policies).toBe(1);
    source.policyRules = [rule({ id: 'org', compression: 'off' })];
    g.apply({ kind: 'policy', action: 'updated', id: 'org', teamId: null, at: '' });
    expect(await g.policyFor(id, 'gpt-4o')).toMatchObject({ policyId: 'org', compression: 'off' });
    // no team: the proxy's defaults
    expect(await g.policyFor({ tenant: 'default', credential: 'provider-key', keySecret: 's' }, 'gpt-4o')).toMatchObject({ policyId: null, compression: 'balanced' });
    g.apply({ kind: 'resync' });
    await g.policyFor(id, 'gpt-4o');
    expect(source.calls.policies).toBe(3);
  });
});
