import type { LeewayErrorCode } from '@leeway/wire';
import { ProxyError } from '../proxy.errors';

/** A governance refusal (unknown key, exhausted budget), answered in the provider's shape with extra headers. */
export class GovernanceError extends ProxyError {
  constructor(
    code: LeewayErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
    this.name = 'GovernanceError';
  }
}

/** Extra response headers a Leeway error carries (`retry-after` on a budget refusal). */
export function errorHeaders(error: unknown): Readonly<Record<string, string>> {
  return error instanceof GovernanceError ? error.headers : {};
}
