import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT, HeaderIdentityResolver } from './identity.resolver';

describe('HeaderIdentityResolver', () => {
  const resolver = new HeaderIdentityResolver('server-secret-0123456789');

  it('uses the default tenant without x-leeway-key, a hash of it otherwise (never the raw value)', async () => {
    expect((await resolver.resolve({})).tenant).toBe(DEFAULT_TENANT);
    const a = await resolver.resolve({ 'x-leeway-key': 'team-alpha-key' });
    expect(a.tenant).toMatch(/^k_[0-9a-f]{32}$/);
    expect(a.tenant).not.toContain('alpha');
    expect((await resolver.resolve({ 'x-leeway-key': 'team-alpha-key' })).tenant).toBe(a.tenant);
    expect((await resolver.resolve({ 'x-leeway-key': 'team-beta-key' })).tenant).not.toBe(a.tenant);
  });

  it('derives a distinct CCR key secret per tenant and per server secret', async () => {
    const a = await resolver.resolve({ 'x-leeway-key': 'a' });
    const b = await resolver.resolve({ 'x-leeway-key': 'b' });
    expect(a.keySecret).not.toBe(b.keySecret);
    const other = await new HeaderIdentityResolver('another-secret-0123456').resolve({ 'x-leeway-key': 'a' });
    expect(other.keySecret).not.toBe(a.keySecret);
    expect(a.credential).toBe('provider-key');
  });
});
