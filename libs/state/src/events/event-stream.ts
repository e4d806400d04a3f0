/**
 * Ports of the event stream that carries savings events from the proxies to ingestion.
 *
 *   proxy ──publish──► EventPublisher ──► (Redis Streams | in-process bus) ──► EventSource ──► EventStreamServer ──► @EventPattern handler
 *
 * Delivery is at-least-once: an entry is acknowledged only after its handler succeeded (the ledger row
 * committed), so consumers must be idempotent (the ledger insert is, by request id).
 */

/** Minimal structured logger (pino-compatible: object first, static message second). */
export interface EventLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT_EVENT_LOGGER: EventLogger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

export interface PublisherStats {
  /** Events accepted but not yet written to the stream (the spool, in-flight included). */
  readonly depth: number;
  /** Events written to the stream since start. */
  readonly published: number;
  /** Events dropped because the spool was full (or published after close). */
  readonly dropped: number;
  /** Failed write attempts (each failed attempt re-spools its events). */
  readonly failedWrites: number;
}

/** Producer side. `publish` never throws and never waits for I/O: the event is spooled and sent soon. */
export interface EventPublisher {
  /** `key` picks the partition (the request id for savings events). `payload` is JSON-serialised. */
  publish(pattern: string, key: string, payload: unknown): void;
  stats(): PublisherStats;
  /** Try to write everything spooled; resolves (never rejects) with the stats when done or timed out. */
  flush(timeoutMs: number): Promise<PublisherStats>;
  /** Flush, then stop. Events published afterwards are dropped and counted. */
  close(timeoutMs?: number): Promise<PublisherStats>;
}

/** One stream entry handed to the consumer. */
export interface EventDelivery {
  /** Entry id (Redis stream id, or a sequence for the in-process bus). */
  readonly id: string;
  /** Partition (stream key) the entry lives in. */
  readonly partition: string;
  /** Nest pattern (`savings.v1`), or null for an entry without one (deleted / foreign). */
  readonly pattern: string | null;
  /** Raw JSON text, or null when the entry was deleted from the stream meanwhile. */
  readonly payload: string | null;
  /** How many times the entry has been delivered (1 = first time). */
  readonly deliveries: number;
}

/** Consumer side of one consumer (one process) in the consumer group. */
export interface EventSource {
  /** `redis-streams` or `memory`. */
  readonly kind: string;
  /** The partitions this source reads (one read loop each). */
  partitions(): readonly string[];
  /** Create the consumer group(s) if missing. */
  start(): Promise<void>;
  /**
   * Next entries for this consumer. The first reads of a partition return entries this consumer had
   * been given but not acknowledged (e.g. before a crash), then new entries.
   */
  read(partition: string, count: number): Promise<EventDelivery[]>;
  /** Take over entries pending on any consumer for at least `minIdleMs` (crashed or stuck consumers). */
  claimStale(partition: string, minIdleMs: number, count: number): Promise<EventDelivery[]>;
  ack(partition: string, ids: readonly string[]): Promise<void>;
  /** Move an entry to the dead-letter stream with a reason, then acknowledge it. */
  deadLetter(delivery: EventDelivery, reason: string): Promise<void>;
  /** Drop acknowledged history (Redis: XTRIM MINID below the oldest entry still needed). */
  trim(partition: string): Promise<void>;
  close(): Promise<void>;
}

/** FNV-1a over UTF-16 code units: a stable, fast partition hash (same key → same partition everywhere). */
export function partitionIndex(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
