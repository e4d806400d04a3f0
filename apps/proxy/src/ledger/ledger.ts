/**
 * Opens the proxy's ledger output: a `LedgerExchangeSink` over the given publisher (the embedded
 * stack's in-process bus), or over a Redis Streams publisher of its own when `REDIS_URL` is set.
 * Without either there is nobody to consume events, so the ledger stays off (and says so).
 */
import {
  EventStreamKeys,
  RedisEventPublisher,
  closeRedisClient,
  createRedisClient,
  type EventPublisher,
} from '@leeway/state';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { LedgerConfig } from '../config/ledger.config';
import { LedgerExchangeSink, type LedgerSinkLogger, type LedgerSinkStats } from './ledger.sink';

export interface OpenLedgerOptions {
  readonly config: LedgerConfig;
  /** A publisher owned by the caller (embedded stack). Takes precedence over `redisUrl`. */
  readonly publisher?: EventPublisher;
  readonly redisUrl?: string | null;
  readonly redisCluster?: boolean;
  readonly logger: LedgerSinkLogger & { info(fields: object, message: string): void };
  /** Where to expose the ledger gauges (the proxy's metrics registry). */
  readonly registry?: Registry;
}

/** Gauges read from the sink at scrape time: events by outcome, and the spool waiting for Redis. */
export function registerLedgerMetrics(registry: Registry, sink: LedgerExchangeSink): void {
  new Gauge({
    name: 'leeway_proxy_ledger_events',
    help: 'Savings events since start by outcome (published to the stream, dropped on overflow, skipped: not billable, failed: not mappable)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const s = sink.stats();
      this.set({ outcome: 'published' }, s.published);
      this.set({ outcome: 'dropped' }, s.dropped + s.publisher.dropped);
      this.set({ outcome: 'skipped' }, s.skipped);
      this.set({ outcome: 'failed' }, s.failed);
    },
  });
  new Gauge({
    name: 'leeway_proxy_ledger_spool_depth',
    help: 'Savings events queued in the proxy and not yet written to the event stream',
    registers: [registry],
    collect() {
      const s = sink.stats();
      this.set(s.queued + s.publisher.depth);
    },
  });
}

export interface LedgerHandle {
  readonly sink: LedgerExchangeSink;
  /** `redis-streams` or `caller` (the publisher passed in). */
  readonly transport: 'redis-streams' | 'caller';
  /** Flush queued events (bounded) and release what this call opened. */
  close(timeoutMs?: number): Promise<LedgerSinkStats>;
}

export function openLedger(options: OpenLedgerOptions): LedgerHandle | null {
  const handle = openLedgerSink(options);
  if (handle && options.registry) registerLedgerMetrics(options.registry, handle.sink);
  return handle;
}

function openLedgerSink(options: OpenLedgerOptions): LedgerHandle | null {
  const { config, logger } = options;
  if (!config.enabled) {
    logger.info({}, 'ledger disabled (LEEWAY_LEDGER=false): no savings events');
    return null;
  }
  if (options.publisher) {
    const sink = new LedgerExchangeSink({ publisher: options.publisher, logger, capacity: config.queueCapacity });
    return {
      sink,
      transport: 'caller',
      // The caller owns the publisher: hand over what is queued, do not close it.
      close: (timeoutMs = 5000) => sink.flush(timeoutMs),
    };
  }
  if (!options.redisUrl) {
    logger.info({}, 'ledger off: no REDIS_URL and no in-process bus (run `npm start` for the embedded stack)');
    return null;
  }
  const client = createRedisClient({
    url: options.redisUrl,
    cluster: options.redisCluster ?? false,
    commandTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    connectionName: 'leeway-proxy-events',
    // Reconnects on its own; the publisher spools meanwhile and logs failed writes.
    onError: () => undefined,
  });
  const publisher = new RedisEventPublisher({
    client,
    keys: new EventStreamKeys(config.streamPrefix, config.partitions),
    spoolCapacity: config.spoolCapacity,
    logger,
  });
  const sink = new LedgerExchangeSink({ publisher, logger, capacity: config.queueCapacity });
  return {
    sink,
    transport: 'redis-streams',
    close: async (timeoutMs = 5000) => {
      const stats = await sink.close(timeoutMs);
      await closeRedisClient(client).catch(() => undefined);
      if (stats.publisher.depth > 0 || stats.dropped > 0) {
        logger.warn({ ...stats.publisher, queueDropped: stats.dropped }, 'ledger closed with undelivered savings events');
      }
      return stats;
    },
  };
}
