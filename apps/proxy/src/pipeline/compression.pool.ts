import { Worker } from 'node:worker_threads';
import type { CompressionResult } from '@leeway/compression';
import type { CompressionReply, CompressionTask } from './compression.worker';
import { runCompressionTask } from './compression.worker';

export interface CompressionPoolOptions {
  /** Worker threads (0: compress inline on the event loop). */
  readonly workers: number;
  /** A worker busy this long past its deadline is replaced (it may be stuck). */
  readonly hardTimeoutMs?: number;
  readonly onError?: (reason: string) => void;
}

type Job = Omit<CompressionTask, 'id'>;

/** What became of one task. */
export type CompressionOutcome =
  | { readonly status: 'done'; readonly result: CompressionResult }
  | { readonly status: 'timeout' }
  | { readonly status: 'failed' };

interface Pending {
  readonly task: CompressionTask;
  readonly deadline: number;
  readonly resolve: (outcome: CompressionOutcome) => void;
  timer: NodeJS.Timeout | null;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy: Pending | null;
  hardTimer: NodeJS.Timeout | null;
}

const BOOT = new URL('./compression-worker.boot.mjs', import.meta.url);
const TIMEOUT: CompressionOutcome = { status: 'timeout' };
const FAILED: CompressionOutcome = { status: 'failed' };

/**
 * Runs compression off the event loop with a hard time limit per task. `compress` resolves with the result,
 * or with `timeout` when the deadline passed (queued or running), or `failed` — the caller then forwards the
 * original (I5). A late result is dropped: a decision is only ever what was sent. With 0 workers it compresses
 * inline (no preemption: only the start is gated by the deadline).
 */
export class CompressionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: CompressionPoolOptions) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Whether every worker has started (always true inline). */
  get ready(): boolean {
    return this.slots.every((s) => s.ready);
  }

  /** Resolves true once every worker has started, false after `timeoutMs`. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (!this.ready) {
      if (this.closed || performance.now() > until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  compress(job: Job, timeoutMs: number): Promise<CompressionOutcome> {
    if (this.slots.length === 0) {
      if (timeoutMs <= 0) return Promise.resolve(TIMEOUT);
      try {
        return Promise.resolve({ status: 'done', result: runCompressionTask({ ...job, id: 0 }) });
      } catch {
        this.options.onError?.('compressor-error');
        return Promise.resolve(FAILED);
      }
    }
    if (this.closed) return Promise.resolve(FAILED);
    if (timeoutMs <= 0) return Promise.resolve(TIMEOUT);
    return new Promise((resolve) => {
      const pending: Pending = {
        task: { ...job, id: this.nextId++ },
        deadline: performance.now() + timeoutMs,
        resolve,
        timer: null,
        settled: false,
      };
      pending.timer = setTimeout(() => this.settle(pending, TIMEOUT), timeoutMs);
      this.queue.push(pending);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) this.settle(pending, FAILED);
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        if (slot.busy) this.settle(slot.busy, FAILED);
        if (slot.hardTimer) clearTimeout(slot.hardTimer);
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT);
    worker.unref();
    const slot: Slot = { worker, ready: false, busy: null, hardTimer: null };
    worker.on('message', (message: CompressionReply | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        this.dispatch();
        return;
      }
      const pending = slot.busy;
      slot.busy = null;
      if (slot.hardTimer) clearTimeout(slot.hardTimer);
      slot.hardTimer = null;
      if (pending && pending.task.id === message.id) {
        if (!message.ok) this.options.onError?.('compressor-error');
        this.settle(pending, message.ok ? { status: 'done', result: message.result } : FAILED);
      }
      this.dispatch();
    });
    worker.on('error', () => this.replace(slot, 'worker-error'));
    worker.on('exit', () => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, 'worker-exit');
    });
    return slot;
  }

  private replace(slot: Slot, reason: string): void {
    this.options.onError?.(reason);
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    if (slot.busy) this.settle(slot.busy, FAILED);
    if (slot.hardTimer) clearTimeout(slot.hardTimer);
    this.slots.splice(index, 1);
    void slot.worker.terminate();
    if (!this.closed) this.slots.push(this.spawn());
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.busy) continue;
      let pending = this.queue.shift();
      while (pending && pending.settled) pending = this.queue.shift();
      if (!pending) return;
      slot.busy = pending;
      const overrun = Math.max(0, pending.deadline - performance.now()) + (this.options.hardTimeoutMs ?? 10_000);
      slot.hardTimer = setTimeout(() => this.replace(slot, 'worker-stuck'), overrun);
      slot.hardTimer.unref();
      slot.worker.postMessage(pending.task);
    }
  }

  private settle(pending: Pending, outcome: CompressionOutcome): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}
