/** Injection tokens of the proxy's Nest module (TS sources emit no decorator metadata: inject explicitly). */
export const PROXY_CONFIG = Symbol('PROXY_CONFIG');
export const STATE_STORES = Symbol('STATE_STORES');
export const IDENTITY_RESOLVER = Symbol('IDENTITY_RESOLVER');
export const EXCHANGE_SINK = Symbol('EXCHANGE_SINK');
export const PROXY_LOGGER = Symbol('PROXY_LOGGER');
