/**
 * In-process event bus for the embedded stack: the publisher and the consumer source of one process,
 * with the same semantics as the Redis Streams pair — entries stay pending until acknowledged, stale
 * pending entries can be claimed again, poison entries go to a dead-letter list with their reason.
 * Bounded: beyond `capacity` unread entries the oldest unread are dropped and counted.
 */
import type { EventDelivery, EventPublisher, EventSource, PublisherStats } from './event-stream';

export const MEMORY_PARTITION = 'memory';

interface MemoryEntry {
  readonly id: string;
  readonly pattern: string;
  readonly payload: string;
  deliveredAt: number | null;
  deliveries: number;
}

export interface MemoryDeadLetter {
  readonly id: string;
  readonly pattern: string | null;
  readonly payload: string | null;
  readonly reason: string;
  readonly at: Date;
}

export interface MemoryEventBusOptions {
  /** Maximum entries held (unread + pending); default 100,000. */
  readonly capacity?: number;
  /** Dead letters kept (oldest dropped first); default 10,000. */
  readonly deadLetterCapacity?: number;
  /** Clock (ms), for tests. */
  readonly now?: () => number;
}

/**
 * The bus itself holds the entries; `publisher` and `source` are its two sides (the proxy gets the
 * first, ingestion's transport the second). Closing one side does not close the other.
 */
export class MemoryEventBus {
  readonly publisher: EventPublisher = {
    publish: (pattern, key, payload) => this.publish(pattern, key, payload),
    stats: () => this.stats(),
    flush: () => Promise.resolve(this.stats()),
    close: () => {
      this.closed = true;
      return Promise.resolve(this.stats());
    },
  };

  readonly source: EventSource = {
    kind: 'memory',
    partitions: () => [MEMORY_PARTITION],
    start: () => Promise.resolve(),
    read: (_partition, count) => Promise.resolve(this.read(count)),
    claimStale: (_partition, minIdleMs, count) => Promise.resolve(this.claimStale(minIdleMs, count)),
    ack: (_partition, ids) => Promise.resolve(this.ack(ids)),
    deadLetter: (delivery, reason) => Promise.resolve(this.deadLetter(delivery, reason)),
    trim: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };

  private readonly entries = new Map<string, MemoryEntry>();
  private unread: string[] = [];
  private readonly deadLetters: MemoryDeadLetter[] = [];
  private readonly capacity: number;
  private readonly deadLetterCapacity: number;
  private readonly now: () => number;
  private sequence = 0;
  private published = 0;
  private dropped = 0;
  private closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
    this.deadLetterCapacity = options.deadLetterCapacity ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  private publish(pattern: string, _key: string, payload: unknown): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch {
      this.dropped++;
      return;
    }
    const id = `${++this.sequence}`;
    this.entries.set(id, { id, pattern, payload: text, deliveredAt: null, deliveries: 0 });
    this.unread.push(id);
    this.published++;
    while (this.entries.size > this.capacity && this.unread.length > 0) {
      const oldest = this.unread.shift();
      if (oldest !== undefined) this.entries.delete(oldest);
      this.dropped++;
    }
  }

  private stats(): PublisherStats {
    return { depth: 0, published: this.published, dropped: this.dropped, failedWrites: 0 };
  }

  private read(count: number): EventDelivery[] {
    const ids = this.unread.splice(0, count);
    return ids.flatMap((id) => this.deliver(id));
  }

  private claimStale(minIdleMs: number, count: number): EventDelivery[] {
    const now = this.now();
    const stale: EventDelivery[] = [];
    for (const entry of this.entries.values()) {
      if (stale.length >= count) break;
      if (entry.deliveredAt !== null && now - entry.deliveredAt >= minIdleMs) stale.push(...this.deliver(entry.id));
    }
    return stale;
  }

  private deliver(id: string): EventDelivery[] {
    const entry = this.entries.get(id);
    if (!entry) return [];
    entry.deliveredAt = this.now();
    entry.deliveries++;
    return [
      { id, partition: MEMORY_PARTITION, pattern: entry.pattern, payload: entry.payload, deliveries: entry.deliveries },
    ];
  }

  private ack(ids: readonly string[]): void {
    for (const id of ids) this.entries.delete(id);
  }

  private deadLetter(delivery: EventDelivery, reason: string): void {
    this.deadLetters.push({
      id: delivery.id,
      pattern: delivery.pattern,
      payload: delivery.payload,
      reason,
      at: new Date(this.now()),
    });
    if (this.deadLetters.length > this.deadLetterCapacity) this.deadLetters.shift();
    this.entries.delete(delivery.id);
  }

  /** Entries held (unread + delivered, not yet acknowledged). */
  pendingCount(): number {
    return this.entries.size;
  }

  listDeadLetters(): readonly MemoryDeadLetter[] {
    return [...this.deadLetters];
  }
}
