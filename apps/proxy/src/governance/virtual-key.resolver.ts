import { createHash } from 'node:crypto';
import type { CallerIdentity, IdentityResolver, RequestHeaders } from '../identity/identity.resolver';
import { HeaderIdentityResolver } from '../identity/identity.resolver';
import { GovernanceError } from './governance.errors';
import type { GovernanceCache } from './governance.cache';

export const VIRTUAL_KEY_PREFIX = 'lwk_';

/**
 * `allow`: a real provider key passes through untouched, attributed to the team of `x-leeway-key: lwk_…`
 * when given (else as before: the hashed `x-leeway-key` value, or the default tenant); `deny`: only
 * virtual keys are accepted (a provider key gets the provider's 401).
 */
export type RawProviderKeys = 'allow' | 'deny';

function first(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim();
}

/** The client's credential: `x-api-key` (Anthropic) or `Authorization: Bearer` (OpenAI, and Anthropic OAuth). */
export function presentedKey(headers: RequestHeaders): string | undefined {
  const apiKey = first(headers, 'x-api-key');
  if (apiKey) return apiKey;
  const auth = first(headers, 'authorization');
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return m?.[1];
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Virtual keys → team (hash lookup in the local cache, invalidated over pub/sub). */
export class VirtualKeyIdentityResolver implements IdentityResolver {
  private readonly fallback: HeaderIdentityResolver;

  constructor(
    private readonly cache: GovernanceCache,
    secretKey: string,
    private readonly rawProviderKeys: RawProviderKeys,
  ) {
    this.fallback = new HeaderIdentityResolver(secretKey);
  }

  async resolve(headers: RequestHeaders): Promise<CallerIdentity> {
    const key = presentedKey(headers);
    if (key?.startsWith(VIRTUAL_KEY_PREFIX)) {
      const found = await this.cache.key(sha256(key));
      if (!found) throw unauthorized();
      return { tenant: found.teamId, teamId: found.teamId, keyId: found.id, credential: 'virtual-key', keySecret: this.fallback.secretFor(found.teamId) };
    }
    if (this.rawProviderKeys === 'deny') throw unauthorized('Leeway accepts only virtual keys (lwk_…) here.');
    const attribution = first(headers, 'x-leeway-key');
    if (attribution?.startsWith(VIRTUAL_KEY_PREFIX)) {
      const found = await this.cache.key(sha256(attribution));
      if (!found) throw unauthorized();
      return { tenant: found.teamId, teamId: found.teamId, keyId: found.id, credential: 'provider-key', keySecret: this.fallback.secretFor(found.teamId) };
    }
    return this.fallback.resolve(headers);
  }
}

function unauthorized(message = 'Invalid, revoked or expired Leeway key.'): GovernanceError {
  return new GovernanceError('PRX_UNAUTHORIZED', message);
}
