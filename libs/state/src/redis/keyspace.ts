import { assertKeyPart, assertTenant } from '../tenant';

/**
 * Redis key layout. Every key of a tenant carries the hash tag `{tenant}`, so the keys one script or
 * pipeline touches live in one Cluster slot (no cross-slot commands, no KEYS).
 *
 *   <prefix>:{<tenant>}:ps:<policyVersion>:<contentHash>   prefix-state decision (JSON)
 *   <prefix>:{<tenant>}:ccr:<markerKey>                    CCR original (exact text)
 */
export class RedisKeyspace {
  constructor(readonly prefix: string = 'lw') {
    assertKeyPart(prefix, 'key prefix');
  }

  decision(tenant: string, policyVersion: string, hash: string): string {
    assertTenant(tenant);
    assertKeyPart(policyVersion, 'policy version');
    assertKeyPart(hash, 'content hash');
    return `${this.prefix}:{${tenant}}:ps:${policyVersion}:${hash}`;
  }

  original(tenant: string, key: string): string {
    assertTenant(tenant);
    assertKeyPart(key, 'CCR key');
    return `${this.prefix}:{${tenant}}:ccr:${key.toLowerCase()}`;
  }
}
