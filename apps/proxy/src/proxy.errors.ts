import type { LeewayErrorCode } from '@leeway/wire';

/** A failure the proxy answers itself, in the provider's error shape (status from the wire code map). */
export class ProxyError extends Error {
  constructor(
    readonly code: LeewayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProxyError';
  }
}
