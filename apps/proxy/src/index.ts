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
export { LEDGER_ENV_KEYS, loadLedgerConfig, type LedgerConfig } from './config/ledger.config';
export { LedgerExchangeSink, type LedgerSinkOptions, type LedgerSinkStats } from './ledger/ledger.sink';
export { toSavingsEvent } from './ledger/savings-event.mapper';
