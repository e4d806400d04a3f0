// @leeway/proxy — the data plane, composable: the split-mode entry (`main.ts`) and the embedded
// all-in-one start (`leeway start`) both build it with `createProxyApp`.
export { loadProxyConfig, ProxyConfigError, PROXY_ENV_KEYS, type ProxyConfig } from './config/proxy.config';
export { createProxyApp, type CreateProxyAppOptions, type ProxyApp } from './proxy.app';
export { runUntilSignal, type RunningService } from './run';
export {
  CompositeExchangeSink,
  LogExchangeSink,
  NoopExchangeSink,
  type ExchangeRecord,
  type ExchangeSink,
  type OptimizationOutcome,
  type ProviderName,
  type RouteName,
} from './exchange/exchange.sink';
export {
  DEFAULT_TENANT,
  HeaderIdentityResolver,
  type CallerIdentity,
  type IdentityResolver,
} from './identity/identity.resolver';
export { createProxyLogger, type ProxyLogger } from './observability/proxy.logger';
