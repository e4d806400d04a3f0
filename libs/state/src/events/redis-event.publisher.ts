/**
 * Redis Streams publisher with a bounded in-memory spool.
 *
 * `publish` serialises the event and appends it to the spool; a drainer writes the spool to the
 * partitioned streams (one pipeline of XADDs per partition and round, so a Cluster never sees a
 * cross-slot pipeline) whenever the client is ready. While Redis is unavailable events accumulate in the
 * spool up to `spoolCapacity` (the oldest are dropped beyond it and counted); they are written when the
 * client reconnects, and `close()` flushes what it can before shutdown. A write whose outcome is unknown
 * (timeout) is re-sent: duplicates are harmless, the ledger is idempotent by request id.
 */
import type { RedisClient } from '../redis/redis-client';
import { EventStreamKeys } from './redis-stream-keys';
import { partitionIndex, SILENT_EVENT_LOGGER, type EventLogger, type EventPublisher, type PublisherStats } from './event-stream';

export interface RedisEventPublisherOptions {
  readonly client: RedisClient;
  readonly keys?: EventStreamKeys;
  /** Maximum events held while Redis is unavailable (default 50,000). */
  readonly spoolCapacity?: number;
  /** Events written per round (default 500). */
  readonly batchSize?: number;
  /** Delay between write attempts while Redis is down (default 1,000 ms). */
  readonly retryIntervalMs?: number;
  /** A write round not answered within this time is treated as failed and retried (default 5,000 ms). */
  readonly writeTimeoutMs?: number;
  /** Approximate cap per partition (`XADD MAXLEN ~`); undefined = no cap (never trims unread events). */
  readonly maxLenPerPartition?: number;
  readonly logger?: EventLogger;
  /** Called with the spool depth after each write round, each retry while Redis is down, and on drops (for a gauge). */
  readonly onDepth?: (depth: number) => void;
}

interface SpooledEvent {
  readonly partition: string;
  readonly pattern: string;
  readonly payload: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class RedisEventPublisher implements EventPublisher {
  private readonly client: RedisClient;
  private readonly keys: EventStreamKeys;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly retryIntervalMs: number;
  private readonly writeTimeoutMs: number;
  private readonly maxLen: number | undefined;
  private readonly logger: EventLogger;
  private readonly onDepth: ((depth: number) => void) | undefined;

  private spool: SpooledEvent[] = [];
  private inFlight = 0;
  private published = 0;
  private dropped = 0;
  private failedWrites = 0;
  private draining = false;
  private drainScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly onReady = (): void => this.scheduleDrain();

  constructor(options: RedisEventPublisherOptions) {
    this.client = options.client;
    this.keys = options.keys ?? new EventStreamKeys();
    this.capacity = options.spoolCapacity ?? 50_000;
    this.batchSize = options.batchSize ?? 500;
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
    this.maxLen = options.maxLenPerPartition;
    this.logger = options.logger ?? SILENT_EVENT_LOGGER;
    this.onDepth = options.onDepth;
    this.client.on('ready', this.onReady);
  }

  publish(pattern: string, key: string, payload: unknown): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      this.dropped++;
      this.logger.error({ err: error, pattern }, 'event not serialisable, dropped');
      return;
    }
    this.spool.push({ partition: this.keys.partition(partitionIndex(key, this.keys.partitions)), pattern, payload: text });
    if (this.spool.length > this.capacity) {
      const excess = this.spool.length - this.capacity;
      this.spool.splice(0, excess);
      this.dropped += excess;
      this.logger.error({ dropped: excess, capacity: this.capacity }, 'event spool full, oldest events dropped');
      this.onDepth?.(this.depth());
    }
    this.scheduleDrain();
  }

  stats(): PublisherStats {
    return { depth: this.depth(), published: this.published, dropped: this.dropped, failedWrites: this.failedWrites };
  }

  async flush(timeoutMs: number): Promise<PublisherStats> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth() > 0 && Date.now() < deadline) {
      if (!this.draining && this.client.status === 'ready') void this.drain();
      await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
    }
    return this.stats();
  }

  async close(timeoutMs = 5000): Promise<PublisherStats> {
    const stats = await this.flush(timeoutMs);
    this.closed = true;
    this.client.off('ready', this.onReady);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (stats.depth > 0) {
      this.logger.error({ lost: stats.depth }, 'event publisher closed with unsent events');
    }
    return stats;
  }

  private depth(): number {
    return this.spool.length + this.inFlight;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.draining) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      void this.drain();
    });
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, this.retryIntervalMs);
    this.retryTimer.unref();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.spool.length > 0) {
        if (this.client.status !== 'ready') {
          this.onDepth?.(this.depth());
          this.scheduleRetry();
          return;
        }
        const round = this.spool.splice(0, this.batchSize);
        this.inFlight = round.length;
        const failed = await this.write(round);
        this.inFlight = 0;
        this.published += round.length - failed.length;
        if (failed.length > 0) {
          this.failedWrites++;
          this.spool.unshift(...failed);
          this.onDepth?.(this.depth());
          this.scheduleRetry();
          return;
        }
        this.onDepth?.(this.depth());
      }
    } finally {
      this.inFlight = 0;
      this.draining = false;
    }
  }

  /** Write one round; returns the events that were not (or not certainly) written. */
  private async write(round: readonly SpooledEvent[]): Promise<SpooledEvent[]> {
    const byPartition = new Map<string, SpooledEvent[]>();
    for (const event of round) {
      const list = byPartition.get(event.partition);
      if (list) list.push(event);
      else byPartition.set(event.partition, [event]);
    }
    const failed: SpooledEvent[] = [];
    await Promise.all(
      [...byPartition.entries()].map(async ([partition, events]) => {
        const pipeline = this.client.pipeline();
        for (const event of events) {
          if (this.maxLen === undefined) pipeline.xadd(partition, '*', 'p', event.pattern, 'e', event.payload);
          else pipeline.xadd(partition, 'MAXLEN', '~', this.maxLen, '*', 'p', event.pattern, 'e', event.payload);
        }
        let timer: NodeJS.Timeout | undefined;
        try {
          const results = await Promise.race([
            pipeline.exec(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('event write timed out')), this.writeTimeoutMs);
            }),
          ]);
          if (!results) {
            failed.push(...events);
            return;
          }
          results.forEach(([error], i) => {
            const event = events[i];
            if (error && event) failed.push(event);
          });
        } catch (error) {
          this.logger.warn({ err: error, partition, events: events.length }, 'event write failed, spooled for retry');
          failed.push(...events);
        } finally {
          if (timer) clearTimeout(timer);
        }
      }),
    );
    return failed;
  }
}
