/**
 * Composition root of the ingestion service, used by `main.ts` (split mode: Redis Streams → PostgreSQL,
 * health endpoints) and by the embedded `npm start` (in-process bus → PGlite, no HTTP listener).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplicationContext } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  LedgerWriter,
  openDatabase,
  pgliteDirFor,
  runMigrations,
  seedModelPrices,
  type Database,
} from '@leeway/db';
import {
  EventStreamKeys,
  EventStreamServer,
  RedisStreamSource,
  closeRedisClient,
  createRedisClient,
  waitForRedis,
  type EventSource,
  type RedisClient,
} from '@leeway/state';
import type { IngestionConfig } from './config/ingestion.config';
import type { IngestionHealth } from './health/ingestion-health';
import { createIngestionLogger, nestLoggerFor, type IngestionLogger } from './ingestion.logger';
import { IngestionModule } from './ingestion.module';
import { LedgerBatcher } from './ledger/ledger-batcher';
import { LedgerService } from './ledger/ledger.service';
import { PartitionMaintenanceService } from './maintenance/partition-maintenance.service';
import { PriceCatalogService } from './pricing/price-catalog.service';

export interface IngestionDeps {
  /** Where events come from. Default: Redis Streams at `config.redisUrl`. Embedded: the in-process bus source. */
  readonly source?: EventSource;
  /** An open database to use (embedded mode shares one PGlite). Default: opened from the config and closed on `close()`. */
  readonly database?: Database;
  readonly logger?: IngestionLogger;
}

export interface IngestionHandle {
  /** Base URL of the health / metrics listener, or null without one. */
  readonly url: string | null;
  readonly server: EventStreamServer;
  readonly database: Database;
  /** Reload the price catalogue now (after an admin change; it also refreshes periodically). */
  refreshPrices(): Promise<void>;
  /** Stop reading, drain (bounded by the config's drain timeout), close everything this call opened. */
  close(): Promise<void>;
}

export class IngestionStartError extends Error {
  readonly code = 'ING_NOT_READY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestionStartError';
  }
}

function createMetrics(server: EventStreamServer, batcher: LedgerBatcher, prices: PriceCatalogService) {
  const registry = new Registry();
  const rows = new Counter({ name: 'leeway_ingestion_rows_inserted_total', help: 'Ledger rows inserted', registers: [registry] });
  const duplicates = new Counter({
    name: 'leeway_ingestion_rows_duplicate_total',
    help: 'Events whose ledger row already existed (redeliveries)',
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'leeway_ingestion_batch_write_seconds',
    help: 'Time to write one batch (rows + rollups, one statement)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'leeway_ingestion_events',
    help: 'Events handled since start, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const s = server.stats();
      this.set({ outcome: 'acked' }, s.acked);
      this.set({ outcome: 'dead_lettered' }, s.deadLettered);
      this.set({ outcome: 'retried' }, s.retried);
      this.set({ outcome: 'claimed' }, s.claimed);
    },
  });
  new Gauge({
    name: 'leeway_ingestion_pending_rows',
    help: 'Rows waiting for or in a batch write',
    registers: [registry],
    collect() {
      this.set(batcher.stats().pending);
    },
  });
  new Gauge({
    name: 'leeway_ingestion_price_rows',
    help: 'Price catalogue rows loaded',
    registers: [registry],
    collect() {
      this.set(prices.size);
    },
  });
  return {
    registry,
    onBatch: (info: { rows: number; inserted: number; rejected: number; ms: number }) => {
      rows.inc(info.inserted);
      duplicates.inc(Math.max(0, info.rows - info.inserted - info.rejected));
      batchSeconds.observe(info.ms / 1000);
    },
  };
}

export async function startIngestion(config: IngestionConfig, deps: IngestionDeps = {}): Promise<IngestionHandle> {
  const logger = deps.logger ?? createIngestionLogger(config.logLevel);
  const owned: (() => Promise<void>)[] = [];
  const closeOwned = async (): Promise<void> => {
    for (const close of owned.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const database =
      deps.database ??
      (await openDatabase({
        databaseUrl: config.databaseUrl,
        pgliteDir: pgliteDirFor(config.dataDir),
        poolMax: config.dbPoolMax,
        applicationName: 'leeway-ingestion',
        onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
      }));
    if (!deps.database) owned.push(() => database.close());
    if (config.migrate) {
      const migrations = await runMigrations(database.sql);
      if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'migrations applied');
      await seedModelPrices(database.sql);
    }

    const prices = new PriceCatalogService({ sql: database.sql, refreshMs: config.priceRefreshMs, logger });
    await prices.start();
    owned.push(() => Promise.resolve(prices.stop()));
    const maintenance = new PartitionMaintenanceService({
      sql: database.sql,
      monthsAhead: config.requestLog.monthsAhead,
      retentionMonths: config.requestLog.retentionMonths,
      logger,
    });
    await maintenance.start();
    owned.push(() => Promise.resolve(maintenance.stop()));

    let source = deps.source;
    let redis: RedisClient | null = null;
    if (!source) {
      if (!config.redisUrl) throw new IngestionStartError('no event source: set REDIS_URL or pass the in-process bus');
      const client = createRedisClient({
        url: config.redisUrl,
        cluster: config.redisCluster,
        commandTimeoutMs: 10_000,
        connectTimeoutMs: 5_000,
        connectionName: `leeway-ingestion:${config.stream.consumer}`,
        onError: (error) => logger.warn({ err: error }, 'redis connection error'),
      });
      redis = client;
      owned.push(() => closeRedisClient(client));
      await waitForRedis(client, 30_000);
      source = new RedisStreamSource({
        client,
        keys: new EventStreamKeys(config.stream.prefix, config.stream.partitions),
        group: config.stream.group,
        consumer: config.stream.consumer,
      });
    }

    const writer = new LedgerWriter(database.sql);
    const metricsHook: { onBatch?: (info: { rows: number; inserted: number; rejected: number; ms: number }) => void } = {};
    const batcher = new LedgerBatcher({
      write: (rows) => writer.write(rows),
      maxSize: config.batch.size,
      maxWaitMs: config.batch.maxWaitMs,
      writers: config.batch.writers,
      logger,
      onBatch: (info) => metricsHook.onBatch?.(info),
    });
    const ledger = new LedgerService(prices, batcher);
    const server = new EventStreamServer({
      source,
      batchSize: config.batch.size,
      claimIdleMs: config.stream.claimIdleMs,
      maxDeliveries: config.stream.maxDeliveries,
      drainTimeoutMs: config.drainTimeoutMs,
      logger,
    });
    const metrics = createMetrics(server, batcher, prices);
    metricsHook.onBatch = metrics.onBatch;

    let closing = false;
    const health: IngestionHealth = {
      isLive: () => !closing,
      readiness: () => {
        const checks = {
          stream: server.isHealthy(),
          database: batcher.isHealthy(),
          redis: redis === null || redis.status === 'ready',
          prices: prices.size > 0,
        };
        return {
          ready: !closing && Object.values(checks).every(Boolean),
          checks,
          stats: { ...server.stats(), ...batcher.stats(), source: source.kind },
        };
      },
    };

    const module = IngestionModule.register({ ledger, health, metrics: metrics.registry, http: config.http !== null });
    let app: INestApplicationContext;
    let url: string | null = null;
    if (config.http) {
      const http = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
        logger: nestLoggerFor(logger),
        abortOnError: false,
      });
      http.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
      await http.startAllMicroservices();
      await http.listen(config.http.port, config.http.host);
      const address = http.getHttpServer().address();
      const port = typeof address === 'object' && address ? address.port : config.http.port;
      url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
      app = http;
    } else {
      const micro = await NestFactory.createMicroservice(module, {
        strategy: server,
        logger: nestLoggerFor(logger),
        abortOnError: false,
      });
      await micro.listen();
      app = micro;
    }
    logger.info({ source: source.kind, engine: database.engine, url, consumer: config.stream.consumer }, 'ingestion started');

    let closed: Promise<void> | null = null;
    return {
      url,
      server,
      database,
      refreshPrices: () => prices.refresh(),
      close: () => {
        closed ??= (async () => {
          closing = true;
          const started = Date.now();
          await server.close(); // stop reading; wait for batches in flight to commit and be acknowledged
          await batcher.close(Math.max(0, config.drainTimeoutMs - (Date.now() - started)));
          await app.close().catch((error: unknown) => logger.warn({ err: error }, 'nest shutdown failed'));
          await closeOwned();
          logger.info({ ms: Date.now() - started, ...server.stats() }, 'ingestion stopped');
        })();
        return closed;
      },
    };
  } catch (error) {
    await closeOwned();
    throw error;
  }
}
