import { createHash, createHmac } from 'node:crypto';

/** Who is calling: the tenant every store query is scoped by (I6), and where the provider key comes from. */
export interface CallerIdentity {
  readonly tenant: string;
  /**
   * `provider-key`: the client's own provider credential passes through untouched; `virtual-key`: the
   * client sent a Leeway key (`lwk_…`) and the team's stored provider credential is swapped in.
   */
  readonly credential: 'provider-key' | 'virtual-key';
  /** Secret for this tenant's CCR marker keys (HMAC-derived; never leaves the process). */
  readonly keySecret: string;
  /** The admin team the request is attributed to (governed requests; the tenant is the team id). */
  readonly teamId?: string;
  /** The virtual key used (credential `virtual-key`) or naming the team (`x-leeway-key: lwk_…`). */
  readonly keyId?: string;
  /**
   * The policy governing this request (team × model), set once the model is known. The optimizer reads
   * its compression mode; absent → the proxy's configured defaults.
   */
  readonly policy?: ResolvedPolicy;
}

/** The settings of the policy that governs one request (see `apps/proxy/src/governance`). */
export interface ResolvedPolicy {
  /** The admin policy chosen, or null when none matched (the proxy's defaults). */
  readonly policyId: string | null;
  readonly version: number;
  readonly compression: 'off' | 'lossless' | 'balanced' | 'aggressive';
  /** Measure compression but forward the original bytes. */
  readonly shadow: boolean;
  readonly retrieval: boolean;
  readonly cachePlanner: boolean;
  /** Tool names whose outputs are never compressed. */
  readonly excludedTools: readonly string[];
}

/** What the optimizer (and the cache planner / retrieve wiring) reads: the resolved policy of a request. */
export interface PolicyProvider {
  policyFor(identity: CallerIdentity, model: string | null): Promise<ResolvedPolicy>;
}

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The auth seam. Today: the provider key passes through and the tenant is `default`, or the hashed
 * value of `x-leeway-key`. The admin issue replaces this with virtual keys (`lwk_…` → team + stored
 * provider credential) behind the same interface.
 */
export interface IdentityResolver {
  resolve(headers: RequestHeaders): Promise<CallerIdentity>;
}

export const DEFAULT_TENANT = 'default';

export class HeaderIdentityResolver implements IdentityResolver {
  private readonly secrets = new Map<string, string>();

  constructor(private readonly secretKey: string) {}

  resolve(headers: RequestHeaders): Promise<CallerIdentity> {
    const raw = headers['x-leeway-key'];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    const tenant = value ? `k_${createHash('sha256').update(value).digest('hex').slice(0, 32)}` : DEFAULT_TENANT;
    return Promise.resolve({ tenant, credential: 'provider-key', keySecret: this.secretFor(tenant) });
  }

  secretFor(tenant: string): string {
    let secret = this.secrets.get(tenant);
    if (secret === undefined) {
      secret = createHmac('sha256', this.secretKey).update(`ccr:${tenant}`).digest('hex');
      if (this.secrets.size > 10_000) this.secrets.clear();
      this.secrets.set(tenant, secret);
    }
    return secret;
  }
}
