/**
 * The ledger's end of the proxy: every finished exchange becomes one savings event on the event stream
 * (Redis Streams in split mode, the in-process bus in the embedded stack), consumed by ingestion.
 *
 * Off the request path: `record` only appends to a bounded queue (O(1), never throws, never waits);
 * mapping, validation-free serialisation and the publisher's own spooling happen in a `setImmediate`
 * turn. When the queue is full the exchange is dropped, counted and logged (rate-limited) — the request
 * itself is never slowed or failed by the ledger.
 */
import type { EventPublisher, PublisherStats } from '@leeway/state';
import { publishSavingsEvent } from '@leeway/state';
import type { ExchangeRecord, ExchangeSink } from '../exchange/exchange.sink';
import { toSavingsEvent } from './savings-event.mapper';

export interface LedgerSinkLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface LedgerSinkOptions {
  readonly publisher: EventPublisher;
  readonly logger: LedgerSinkLogger;
  /** Exchanges waiting to be mapped and handed to the publisher (default 10,000). */
  readonly capacity?: number;
  /** Minimum interval between two overflow warnings (default 10 s). */
  readonly warnIntervalMs?: number;
  /** Clock for the warning rate limit (tests). */
  readonly now?: () => number;
}

export interface LedgerSinkStats {
  /** Exchanges queued, not yet handed to the publisher. */
  readonly queued: number;
  /** Events handed to the publisher. */
  readonly published: number;
  /** Exchanges dropped because the queue was full or the sink was closed. */
  readonly dropped: number;
  /** Exchanges not ledgered by design (token counting, pass-through routes). */
  readonly skipped: number;
  /** Exchanges that could not be mapped (logged). */
  readonly failed: number;
  readonly publisher: PublisherStats;
}

export class LedgerExchangeSink implements ExchangeSink {
  private readonly publisher: EventPublisher;
  private readonly logger: LedgerSinkLogger;
  private readonly capacity: number;
  private readonly warnIntervalMs: number;
  private readonly now: () => number;
  private queue: ExchangeRecord[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private published = 0;
  private dropped = 0;
  private droppedSinceWarn = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private skipped = 0;
  private failed = 0;
  private closed = false;

  constructor(options: LedgerSinkOptions) {
    this.publisher = options.publisher;
    this.logger = options.logger;
    this.capacity = Math.max(1, options.capacity ?? 10_000);
    this.warnIntervalMs = options.warnIntervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  record(exchange: ExchangeRecord): void {
    if (this.closed || this.queue.length >= this.capacity) {
      this.drop(exchange.requestId);
      return;
    }
    this.queue.push(exchange);
    this.scheduled ??= setImmediate(() => this.drain());
  }

  stats(): LedgerSinkStats {
    return {
      queued: this.queue.length,
      published: this.published,
      dropped: this.dropped,
      skipped: this.skipped,
      failed: this.failed,
      publisher: this.publisher.stats(),
    };
  }

  /** Hand everything queued to the publisher, then let it write what it can within `timeoutMs`. */
  async flush(timeoutMs = 5000): Promise<LedgerSinkStats> {
    this.drain();
    await this.publisher.flush(timeoutMs);
    return this.stats();
  }

  /** Flush, then close the publisher; later exchanges are dropped and counted. */
  async close(timeoutMs = 5000): Promise<LedgerSinkStats> {
    this.drain();
    this.closed = true;
    await this.publisher.close(timeoutMs);
    return this.stats();
  }

  private drain(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    const batch = this.queue;
    this.queue = [];
    for (const exchange of batch) {
      try {
        const mapped = toSavingsEvent(exchange);
        if (!mapped.ok) {
          if (mapped.reason === 'not_billable') this.skipped++;
          else {
            this.failed++;
            this.logger.warn({ requestId: exchange.requestId.slice(0, 128), reason: mapped.reason }, 'exchange not ledgered');
          }
          continue;
        }
        publishSavingsEvent(this.publisher, mapped.event);
        this.published++;
      } catch (error) {
        this.failed++;
        this.logger.error(
          { requestId: exchange.requestId.slice(0, 128), err: error instanceof Error ? error.message : String(error) },
          'savings event could not be published',
        );
      }
    }
  }

  private drop(requestId: string): void {
    this.dropped++;
    this.droppedSinceWarn++;
    const now = this.now();
    if (now - this.lastWarnAt < this.warnIntervalMs) return;
    this.lastWarnAt = now;
    this.logger.warn(
      { requestId: requestId.slice(0, 128), dropped: this.droppedSinceWarn, droppedTotal: this.dropped, closed: this.closed },
      'ledger queue full: savings events dropped',
    );
    this.droppedSinceWarn = 0;
  }
}
