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
import { CompressionPool } from './pipeline/compression.pool';
import { ProxyModule } from './proxy.module';

export interface CreateProxyAppOptions {
  readonly config: ProxyConfig;
  /** Shared stores (the embedded stack passes its own); opened from `config.state` when absent. */
  readonly stores?: StateStores;
  readonly exchangeSink?: ExchangeSink;
  readonly identityResolver?: IdentityResolver;
  readonly logger?: ProxyLogger;
  /** Process-level default metrics (GC, event loop); off when several apps share a process. */
  readonly defaultMetrics?: boolean;
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
  const metrics = new ProxyMetrics({ defaultMetrics: options.defaultMetrics ?? true });
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
  const exchangeSink =
    options.exchangeSink ??
    new CompositeExchangeSink([new LogExchangeSink(logger, config.logExchanges ? 'info' : 'debug')]);
  const identityResolver = options.identityResolver ?? new HeaderIdentityResolver(config.secretKey);

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
    ProxyModule.forRoot({ config, stores, identityResolver, exchangeSink, logger, metrics }),
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
      if (ownStores) await stores.close();
    },
  };
}
