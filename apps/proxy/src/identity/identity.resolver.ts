import { createHash, createHmac } from 'node:crypto';

/** Who is calling: the tenant every store query is scoped by (I6), and where the provider key comes from. */
export interface CallerIdentity {
  readonly tenant: string;
  /** `provider-key`: the client's own provider credential passes through untouched. */
  readonly credential: 'provider-key';
  /** Secret for this tenant's CCR marker keys (HMAC-derived; never leaves the process). */
  readonly keySecret: string;
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

  private secretFor(tenant: string): string {
    let secret = this.secrets.get(tenant);
    if (secret === undefined) {
      secret = createHmac('sha256', this.secretKey).update(`ccr:${tenant}`).digest('hex');
      if (this.secrets.size > 10_000) this.secrets.clear();
      this.secrets.set(tenant, secret);
    }
    return secret;
  }
}
