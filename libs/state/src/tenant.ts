import { StateError } from './errors';

const TENANT_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Tenant ids become part of store keys (inside Redis hash tags), so they are restricted to a safe
 * alphabet. Throws `STA_BAD_TENANT` otherwise — a programming error, not a runtime condition.
 */
export function assertTenant(tenant: string): void {
  if (!TENANT_RE.test(tenant)) throw new StateError('STA_BAD_TENANT', 'tenant id must match [A-Za-z0-9_.:-]{1,128}');
}

/** Policy versions and content hashes follow the same rule. */
export function assertKeyPart(part: string, what: string): void {
  if (!TENANT_RE.test(part)) throw new StateError('STA_BAD_VALUE', `${what} must match [A-Za-z0-9_.:-]{1,128}`);
}
