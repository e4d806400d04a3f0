/**
 * A custom `@nestjs/microservices` transport strategy that consumes an `EventSource` (Redis Streams
 * or the in-process bus) and dispatches each entry to the `@EventPattern` handler of its pattern.
 *
 * Per partition, one loop: read a batch → dispatch every entry concurrently → XACK the ones whose
 * handler succeeded (the handler resolves only after its row committed) → next batch. Outcomes:
 *   - handler resolves                → acknowledged;
 *   - handler returns `deadLetter()`  → moved to the dead-letter stream with the reason, acknowledged;
 *   - handler throws                  → left pending: retried later through claimStale (here or on another replica);
 *   - unparsable entry / no handler / delivered more than `maxDeliveries` times → dead-lettered.
 * Entries left pending by a crashed consumer are claimed after `claimIdleMs`. `close()` stops reading,
 * waits (bounded) for the batches in flight to finish and be acknowledged, then closes the source.
 */
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { isDeadLetterOutcome } from './event-errors';
import { SILENT_EVENT_LOGGER, type EventDelivery, type EventLogger, type EventSource } from './event-stream';

export const EVENT_STREAM_TRANSPORT = Symbol.for('leeway.transport.event-stream');

/** Handler context: `getPartition()`, `getEntryId()`, `getDeliveries()`. */
export class EventStreamContext extends BaseRpcContext<[partition: string, id: string, deliveries: number]> {
  getPartition(): string {
    return this.args[0];
  }

  getEntryId(): string {
    return this.args[1];
  }

  getDeliveries(): number {
    return this.args[2];
  }
}

export interface EventStreamServerOptions {
  readonly source: EventSource;
  /** Entries read per round and partition (default 500). */
  readonly batchSize?: number;
  /** Pause after an empty read (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** Entries pending longer than this are claimed from their consumer (default 60,000 ms). */
  readonly claimIdleMs?: number;
  /** How often each partition looks for stale pending entries (default 5,000 ms). */
  readonly claimIntervalMs?: number;
  /** An entry delivered more often than this is dead-lettered (default 16). */
  readonly maxDeliveries?: number;
  /** Bound on the graceful drain in `close()` (default 15,000 ms). */
  readonly drainTimeoutMs?: number;
  /** How often acknowledged history is trimmed (default 30,000 ms; 0 = never). */
  readonly trimIntervalMs?: number;
  /** Pause after a failed read or a batch with transient failures (default 1,000 ms). */
  readonly backoffMs?: number;
  readonly logger?: EventLogger;
}

export interface EventStreamServerStats {
  readonly acked: number;
  readonly deadLettered: number;
  readonly retried: number;
  readonly claimed: number;
  readonly inFlight: number;
}

type Outcome = { kind: 'ack' } | { kind: 'dead-letter'; reason: string } | { kind: 'retry'; error: unknown };

export class EventStreamServer extends Server implements CustomTransportStrategy {
  override readonly transportId = EVENT_STREAM_TRANSPORT;
  private readonly source: EventSource;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly claimIdleMs: number;
  private readonly claimIntervalMs: number;
  private readonly maxDeliveries: number;
  private readonly drainTimeoutMs: number;
  private readonly trimIntervalMs: number;
  private readonly backoffMs: number;
  private readonly log: EventLogger;

  private running = false;
  private loops: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private counters = { acked: 0, deadLettered: 0, retried: 0, claimed: 0, inFlight: 0 };
  private lastReadOk = false;
  /** Pattern → handler, resolved once (Nest's per-call route normalisation is comparatively costly). */
  private readonly handlerCache = new Map<string, ReturnType<Server['getHandlerByPattern']>>();

  constructor(options: EventStreamServerOptions) {
    super();
    this.source = options.source;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.claimIdleMs = options.claimIdleMs ?? 60_000;
    this.claimIntervalMs = options.claimIntervalMs ?? 5_000;
    this.maxDeliveries = options.maxDeliveries ?? 16;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 15_000;
    this.trimIntervalMs = options.trimIntervalMs ?? 30_000;
    this.backoffMs = options.backoffMs ?? 1000;
    this.log = options.logger ?? SILENT_EVENT_LOGGER;
  }

  /** Counters since start (for metrics and tests). */
  stats(): EventStreamServerStats {
    return { ...this.counters };
  }

  /** True while the loops run and the last read reached the source. */
  isHealthy(): boolean {
    return this.running && this.lastReadOk;
  }

  listen(callback: (error?: unknown) => void): void {
    this.source
      .start()
      .then(() => {
        this.running = true;
        this.lastReadOk = true;
        this.loops = this.source.partitions().map((partition) => this.runPartition(partition));
        this._status$.next('connected');
        callback();
      })
      .catch((error: unknown) => callback(error));
  }

  async close(): Promise<void> {
    if (!this.running) {
      await this.source.close();
      return;
    }
    this.running = false;
    for (const wake of this.wake.splice(0)) wake();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(this.loops).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.drainTimeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    if (timedOut) {
      this.log.warn({ inFlight: this.counters.inFlight }, 'event stream drain timed out; unacknowledged entries will be redelivered');
    }
    await this.source.close();
    this._status$.next('disconnected');
  }

  on(): never {
    throw new Error('EventStreamServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.source as T;
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = this.wake.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.push(done);
    });
  }

  private async runPartition(partition: string): Promise<void> {
    let nextClaim = Date.now();
    let nextTrim = this.trimIntervalMs > 0 ? Date.now() + this.trimIntervalMs : Number.POSITIVE_INFINITY;
    while (this.running) {
      try {
        let batch = await this.source.read(partition, this.batchSize);
        this.lastReadOk = true;
        if (batch.length === 0 && Date.now() >= nextClaim) {
          nextClaim = Date.now() + this.claimIntervalMs;
          batch = await this.source.claimStale(partition, this.claimIdleMs, this.batchSize);
          this.counters.claimed += batch.length;
        }
        if (batch.length === 0) {
          if (Date.now() >= nextTrim) {
            nextTrim = Date.now() + this.trimIntervalMs;
            await this.source.trim(partition);
          }
          await this.sleep(this.pollIntervalMs);
          continue;
        }
        const retried = await this.process(partition, batch);
        if (retried > 0) await this.sleep(this.backoffMs);
      } catch (error) {
        this.lastReadOk = false;
        this.log.warn({ err: error, partition }, 'event stream read failed; backing off');
        await this.sleep(this.backoffMs);
      }
    }
  }

  /** Dispatch a batch, then acknowledge / dead-letter. Returns how many entries stay pending for retry. */
  private async process(partition: string, batch: readonly EventDelivery[]): Promise<number> {
    this.counters.inFlight += batch.length;
    try {
      const outcomes = await Promise.all(batch.map((delivery) => this.dispatch(delivery)));
      const ackIds: string[] = [];
      let retried = 0;
      let firstError: unknown;
      for (let i = 0; i < batch.length; i++) {
        const delivery = batch[i];
        const outcome = outcomes[i];
        if (!delivery || !outcome) continue;
        if (outcome.kind === 'ack') {
          ackIds.push(delivery.id);
        } else if (outcome.kind === 'dead-letter') {
          await this.source.deadLetter(delivery, outcome.reason);
          this.counters.deadLettered++;
          this.log.warn({ partition, id: delivery.id, reason: outcome.reason }, 'event dead-lettered');
        } else {
          retried++;
          firstError ??= outcome.error;
        }
      }
      if (ackIds.length > 0) {
        await this.source.ack(partition, ackIds);
        this.counters.acked += ackIds.length;
      }
      if (retried > 0) {
        this.counters.retried += retried;
        this.log.warn({ err: firstError, partition, retried }, 'event handler failed; entries left pending for retry');
      }
      return retried;
    } finally {
      this.counters.inFlight -= batch.length;
    }
  }

  private async dispatch(delivery: EventDelivery): Promise<Outcome> {
    if (delivery.payload === null) return { kind: 'ack' }; // deleted from the stream meanwhile: nothing left to do
    if (delivery.deliveries > this.maxDeliveries) {
      return { kind: 'dead-letter', reason: `max_deliveries_exceeded:${delivery.deliveries}` };
    }
    if (delivery.pattern === null) return { kind: 'dead-letter', reason: 'missing_pattern' };
    let handler = this.handlerCache.get(delivery.pattern);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(delivery.pattern);
      if (this.handlerCache.size < 1000) this.handlerCache.set(delivery.pattern, handler);
    }
    if (!handler) return { kind: 'dead-letter', reason: `no_handler:${delivery.pattern.slice(0, 64)}` };
    let data: unknown;
    try {
      data = JSON.parse(delivery.payload);
    } catch {
      return { kind: 'dead-letter', reason: 'malformed_json' };
    }
    try {
      const context = new EventStreamContext([delivery.partition, delivery.id, delivery.deliveries]);
      // The handler's value as is when it is a plain value or promise; only an Observable goes through rxjs
      // (Nest's transformToObservable + lastValueFrom allocate several objects per event: GC at 10k events/s).
      let result: unknown = await handler(data, context);
      if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
      if (isDeadLetterOutcome(result)) return { kind: 'dead-letter', reason: result.reason };
      return { kind: 'ack' };
    } catch (error) {
      return { kind: 'retry', error };
    }
  }
}
