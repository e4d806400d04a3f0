import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { openStateStores } from '@leeway/state';
import type { StateStores } from '@leeway/state';
import type { ProxyConfig } from './config/proxy.config';
import { CompositeExchangeSink, LogExchangeSink } from './exchange/exchange.sink';
import type { ExchangeSink } from './exchange/exchange.sink';
import { HeaderIdentityResolver } from './identity/identity.resolver';
import type { IdentityResolver } from './identity/identity.resolver';
import { createProxyLogger } from './observability/proxy.logger';
import type { ProxyLogger } from './observability/proxy.logger';
import { ProxyMetrics } from './observability/proxy.metrics';
import { ObservingExchangeSink } from './observability/observing-exchange.sink';
import { startProxyTelemetry } from './observability/proxy.telemetry';
import { loadMetricsConfig } from './config/telemetry.config';
import type { TelemetryHandle } from '@leeway/telemetry';
import { CompressionPool } from './pipeline/compression.pool';
import type { EventPublisher } from '@leeway/state';
import type { LedgerConfig } from './config/ledger.config';
import { openLedger } from './ledger/ledger';
import type { LedgerHandle } from './ledger/ledger';
import { ProxyModule } from './proxy.module';
import type { Governance } from './governance/governance.service';
import { openGovernance } from './governance/open-governance';
import type { ChangeBus } from './governance/change-feed';
import type { SqlQueryable } from '@leeway/db';

export interface CreateProxyAppOptions {
  readonly config: ProxyConfig;
  /** Shared stores (the embedded stack passes its own); opened from `config.state` when absent. */
  readonly stores?: StateStores;
  readonly exchangeSink?: ExchangeSink;
  readonly identityResolver?: IdentityResolver;
  /** Virtual keys, policies and budgets (owned by the caller); absent = provider keys pass through ungoverned. */
  readonly governance?: Governance;
  /**
   * With `LEEWAY_GOVERNANCE=true` and no `governance`: the admin database and change bus of the embedded
   * stack (split mode opens `DATABASE_URL` and listens on Redis pub/sub instead).
   */
  readonly governanceSql?: SqlQueryable;
  readonly governanceBus?: ChangeBus;
  readonly logger?: ProxyLogger;
  /** Process-level default metrics (GC, event loop); off when several apps share a process. */
  readonly defaultMetrics?: boolean;
  /**
   * Savings events to the ledger (`loadLedgerConfig()`); absent = no ledger. Events go to `eventPublisher`
   * when given (the embedded stack's in-process bus), else to Redis Streams at `config.state.redisUrl`.
   * They are emitted in addition to `exchangeSink`.
   */
  readonly ledger?: LedgerConfig;
  readonly eventPublisher?: EventPublisher;
  /** OpenTelemetry handle; started from `OTEL_EXPORTER_OTLP_ENDPOINT` (no-op when unset) and owned when absent. */
  readonly telemetry?: TelemetryHandle;
}

/** A composed, not yet listening proxy. `listen()` binds it; `close()` drains and releases everything it opened. */
export interface ProxyApp {
  readonly app: NestFastifyApplication;
  readonly config: ProxyConfig;
  readonly stores: StateStores;
  readonly logger: ProxyLogger;
  readonly metrics: ProxyMetrics;
  /** Listen on `port` (default `config.port`; 0 picks a free one) and return the base URL. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Compose the proxy (Nest on Fastify). Request bodies are never parsed by Fastify: a catch-all content
 * type parser hands the raw stream on, so the pipeline reads the exact bytes (I1) and pass-through
 * bodies stream to the upstream without buffering.
 */
export async function createProxyApp(options: CreateProxyAppOptions): Promise<ProxyApp> {
  const { config } = options;
  const logger = options.logger ?? createProxyLogger(config.logLevel);
  const metrics = new ProxyMetrics({ defaultMetrics: options.defaultMetrics ?? true, maxTeams: loadMetricsConfig().maxTeams });
  const ownStores = options.stores === undefined;
  const stores =
    options.stores ??
    (await openStateStores({
      redisUrl: config.state.redisUrl,
      redisCluster: config.state.redisCluster,
      keyPrefix: config.state.redisKeyPrefix,
      prefixTtlMs: config.state.prefixTtlMs,
      ccrTtlMs: config.state.ccrTtlMs,
      prefixLocalMaxBytes: config.state.prefixLocalMaxBytes,
      memoryPrefixMaxBytes: config.state.prefixMemoryMaxBytes,
      memoryCcrMaxBytes: config.state.ccrMemoryMaxBytes,
      operationTimeoutMs: config.state.redisTimeoutMs,
      onError: (error) => {
        metrics.stateErrors.inc({ code: (error as { code?: string }).code ?? 'redis' });
        logger.warn({ code: (error as { code?: string }).code, message: error.message }, 'state store error');
      },
    }));
  const telemetry = options.telemetry ?? startProxyTelemetry();
  const ledger: LedgerHandle | null = options.ledger
    ? openLedger({
        config: options.ledger,
        logger,
        registry: metrics.registry,
        redisUrl: config.state.redisUrl ?? null,
        redisCluster: config.state.redisCluster,
        ...(options.eventPublisher ? { publisher: options.eventPublisher } : {}),
      })
    : null;
  const baseSink =
    options.exchangeSink ?? new CompositeExchangeSink([new LogExchangeSink(logger, config.logExchanges ? 'info' : 'debug')]);
  const exchangeSink = new ObservingExchangeSink(
    ledger ? new CompositeExchangeSink([baseSink, ledger.sink]) : baseSink,
    metrics,
    telemetry.tracer,
  );
  const ownGovernance =
    options.governance === undefined && config.governance.enabled
      ? await openGovernance({
          config,
          logger,
          ...(options.governanceSql ? { sql: options.governanceSql } : {}),
          ...(options.governanceBus ? { bus: options.governanceBus } : {}),
          onBudgetUtilisation: (team, ratio) => metrics.telemetry.setBudgetUtilisation(team, ratio),
        })
      : null;
  const governance = options.governance ?? ownGovernance?.governance ?? null;
  const identityResolver = options.identityResolver ?? governance?.identities ?? new HeaderIdentityResolver(config.secretKey);

  const adapter = new FastifyAdapter({
    logger: false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Streams may last minutes; no Fastify-level request timeout (upstream timeouts apply).
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 72_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ProxyModule.forRoot({ config, stores, identityResolver, exchangeSink, logger, metrics, governance }),
    adapter,
    { bodyParser: false, logger: false, abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await app.init();
  // Compression workers load the engine and tokenizers (a few seconds on a cold, busy machine); serving
  // before they are up would send every early request as is (fail-open) and record it as "keep".
  const workersUp = await app.get(CompressionPool).whenReady(20_000);
  if (!workersUp) logger.warn('compression workers not ready after 20 s: early requests are forwarded as is');

  let closed = false;
  return {
    app,
    config,
    stores,
    logger,
    metrics,
    async listen(port = config.port): Promise<string> {
      await app.listen(port, config.host);
      const address = fastify.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${bound}`;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await app.close();
      // after the last response: every exchange has been recorded; hand the events over (bounded)
      await ledger?.close(5000);
      if (ownStores) await stores.close();
      await ownGovernance?.close();
      if (options.telemetry === undefined) await telemetry.shutdown();
    },
  };
}
