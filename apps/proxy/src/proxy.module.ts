import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { StateStores } from '@leeway/state';
import type { ProxyConfig } from './config/proxy.config';
import type { ExchangeSink } from './exchange/exchange.sink';
import type { IdentityResolver } from './identity/identity.resolver';
import { GOVERNANCE } from './governance/governance.service';
import type { Governance } from './governance/governance.service';
import type { ProxyLogger } from './observability/proxy.logger';
import { ProxyMetrics } from './observability/proxy.metrics';
import { CompressionPool } from './pipeline/compression.pool';
import { OptimizerService } from './pipeline/optimizer.service';
import { ProxyService } from './proxy.service';
import { HealthController } from './routes/health.controller';
import { PassthroughController, ProviderController } from './routes/provider.controller';
import { EXCHANGE_SINK, IDENTITY_RESOLVER, PROXY_CONFIG, PROXY_LOGGER, STATE_STORES } from './tokens';
import { UpstreamClient } from './upstream/upstream.client';

/** Everything the proxy module is composed from; the caller owns the stores' lifecycle. */
export interface ProxyModuleOptions {
  readonly config: ProxyConfig;
  readonly stores: Pick<StateStores, 'prefixState' | 'ccr'>;
  readonly identityResolver: IdentityResolver;
  readonly exchangeSink: ExchangeSink;
  readonly logger: ProxyLogger;
  readonly metrics: ProxyMetrics;
  /** Virtual keys, policies and budgets; null = ungoverned. */
  readonly governance?: Governance | null;
}

@Module({})
export class ProxyModule {
  static forRoot(options: ProxyModuleOptions): DynamicModule {
    return {
      module: ProxyModule,
      // Order matters: the catch-all pass-through controller is registered last.
      controllers: [HealthController, ProviderController, PassthroughController],
      providers: [
        { provide: PROXY_CONFIG, useValue: options.config },
        { provide: STATE_STORES, useValue: options.stores },
        { provide: IDENTITY_RESOLVER, useValue: options.identityResolver },
        { provide: GOVERNANCE, useValue: options.governance ?? null },
        { provide: EXCHANGE_SINK, useValue: options.exchangeSink },
        { provide: PROXY_LOGGER, useValue: options.logger },
        { provide: ProxyMetrics, useValue: options.metrics },
        {
          provide: UpstreamClient,
          useFactory: (config: ProxyConfig) => new UpstreamClient(config.upstream),
          inject: [PROXY_CONFIG],
        },
        {
          provide: CompressionPool,
          useFactory: (config: ProxyConfig, metrics: ProxyMetrics) =>
            new CompressionPool({
              workers: config.compression.workers,
              onError: (reason) => metrics.failOpen.inc({ reason }),
            }),
          inject: [PROXY_CONFIG, ProxyMetrics],
        },
        OptimizerService,
        ProxyService,
      ],
    };
  }
}
