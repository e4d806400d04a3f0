/**
 * Groups ledger rows into batches bounded by size and time and writes each batch with one statement.
 *
 * `submit(row)` resolves once the row's batch committed (`stored`, or `rejected` with a reason when the
 * database refused that row on its merits). Transient failures (database down, deadlock) are retried
 * with backoff while the batch's callers keep waiting — so the stream entries stay unacknowledged but
 * are not redelivered in a loop. On `close()` pending rows are flushed; if the database still cannot be
 * reached before the deadline, the waiting calls reject and their entries stay pending for redelivery.
 */
import type { LedgerRow, LedgerWriteResult } from '@leeway/db';
import type { EventLogger } from '@leeway/state';

export type SubmitOutcome = { readonly kind: 'stored' } | { readonly kind: 'rejected'; readonly reason: string };

export class BatcherClosedError extends Error {
  readonly code = 'ING_SHUTTING_DOWN';
  constructor(message = 'ledger batcher is shutting down') {
    super(message);
    this.name = 'BatcherClosedError';
  }
}

export interface LedgerBatcherOptions {
  /** Writes one batch (one statement); throws on transient failures. */
  readonly write: (rows: readonly LedgerRow[]) => Promise<LedgerWriteResult>;
  readonly maxSize: number;
  readonly maxWaitMs: number;
  /** Batches written concurrently (default 2). */
  readonly writers?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly logger: EventLogger;
  /** Observes every committed batch (metrics). */
  readonly onBatch?: (info: { rows: number; inserted: number; rejected: number; ms: number }) => void;
}

interface Pending {
  readonly row: LedgerRow;
  readonly resolve: (outcome: SubmitOutcome) => void;
  readonly reject: (error: Error) => void;
}

export class LedgerBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private active = 0;
  private readonly queue: Pending[][] = [];
  private closing = false;
  private abortRetries = false;
  private idleWaiters: (() => void)[] = [];
  private consecutiveFailures = 0;
  private lastSuccessAt = 0;
  private readonly writers: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: LedgerBatcherOptions) {
    this.writers = options.writers ?? 2;
    this.retryInitialMs = options.retryInitialMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
  }

  /** True unless the last write attempt failed (for readiness). */
  isHealthy(): boolean {
    return this.consecutiveFailures === 0;
  }

  stats(): { pending: number; writing: number; consecutiveFailures: number; lastSuccessAt: number } {
    return {
      pending: this.pending.length + this.queue.reduce((n, b) => n + b.length, 0),
      writing: this.active,
      consecutiveFailures: this.consecutiveFailures,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  submit(row: LedgerRow): Promise<SubmitOutcome> {
    if (this.closing) return Promise.reject(new BatcherClosedError());
    return new Promise<SubmitOutcome>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.options.maxWaitMs);
    });
  }

  /**
   * Stop accepting rows, write what is pending, and wait for the writes in flight. After `timeoutMs`
   * retries stop and the remaining callers are rejected (their events will be redelivered).
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.cut();
    if (this.active === 0 && this.queue.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.abortRetries = true;
          resolve();
        }, timeoutMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
    for (const batch of this.queue.splice(0)) for (const p of batch) p.reject(new BatcherClosedError());
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    // Split into batches of at most maxSize, queue them, start writers.
    while (this.pending.length > 0) this.queue.push(this.pending.splice(0, this.options.maxSize));
    this.pump();
  }

  private pump(): void {
    while (this.active < this.writers && this.queue.length > 0) {
      const batch = this.queue.shift();
      if (!batch) break;
      this.active++;
      void this.writeBatch(batch).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let delay = this.retryInitialMs;
    for (;;) {
      const started = Date.now();
      try {
        const result = await this.options.write(batch.map((p) => p.row));
        this.consecutiveFailures = 0;
        this.lastSuccessAt = Date.now();
        const rejected = new Map(result.rejected.map((r) => [r.row, r.reason]));
        for (const p of batch) {
          const reason = rejected.get(p.row);
          p.resolve(reason === undefined ? { kind: 'stored' } : { kind: 'rejected', reason });
        }
        this.options.onBatch?.({ rows: batch.length, inserted: result.inserted, rejected: result.rejected.length, ms: Date.now() - started });
        return;
      } catch (error) {
        this.consecutiveFailures++;
        if (this.abortRetries) {
          const closed = new BatcherClosedError('ledger write failed during shutdown');
          for (const p of batch) p.reject(closed);
          return;
        }
        if (this.consecutiveFailures === 1 || this.consecutiveFailures % 20 === 0) {
          this.options.logger.warn(
            { err: error, rows: batch.length, attempt: this.consecutiveFailures, retryInMs: delay },
            'ledger write failed; retrying',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.retryMaxMs);
      }
    }
  }
}
