import type { LedgerRow, LedgerWriteResult } from '@leeway/db';
import { SILENT_EVENT_LOGGER } from '@leeway/state';
import { describe, expect, it } from 'vitest';
import { BatcherClosedError, LedgerBatcher } from './ledger-batcher';

const row = (id: string): LedgerRow => ({ requestId: id }) as LedgerRow;

function recordingWriter(fail: (call: number) => Error | null = () => null) {
  const batches: string[][] = [];
  let calls = 0;
  const write = (rows: readonly LedgerRow[]): Promise<LedgerWriteResult> => {
    const error = fail(calls++);
    if (error) return Promise.reject(error);
    batches.push(rows.map((r) => r.requestId));
    return Promise.resolve({ inserted: rows.length, rollups: 1, rejected: [] });
  };
  return { batches, write, calls: () => calls };
}

describe('LedgerBatcher', () => {
  it('cuts a batch when it reaches the size bound', async () => {
    const w = recordingWriter();
    const batcher = new LedgerBatcher({ write: w.write, maxSize: 3, maxWaitMs: 60_000, logger: SILENT_EVENT_LOGGER });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => batcher.submit(row(id))));
    expect(outcomes).toEqual([{ kind: 'stored' }, { kind: 'stored' }, { kind: 'stored' }]);
    expect(w.batches).toEqual([['a', 'b', 'c']]);
  });

  it('cuts a partial batch after the time bound', async () => {
    const w = recordingWriter();
    const batcher = new LedgerBatcher({ write: w.write, maxSize: 100, maxWaitMs: 20, logger: SILENT_EVENT_LOGGER });
    const started = Date.now();
    await Promise.all([batcher.submit(row('a')), batcher.submit(row('b'))]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(w.batches).toEqual([['a', 'b']]);
  });

  it('retries transient failures while callers wait, then reports health again', async () => {
    const w = recordingWriter((call) => (call < 3 ? new Error('connection refused') : null));
    const batcher = new LedgerBatcher({ write: w.write, maxSize: 1, maxWaitMs: 1, retryInitialMs: 5, logger: SILENT_EVENT_LOGGER });
    const pending = batcher.submit(row('a'));
    await new Promise((r) => setTimeout(r, 8));
    expect(batcher.isHealthy()).toBe(false);
    expect(await pending).toEqual({ kind: 'stored' });
    expect(w.calls()).toBe(4);
    expect(batcher.isHealthy()).toBe(true);
  });

  it('passes per-row rejections through', async () => {
    const batcher = new LedgerBatcher({
      write: (rows) => Promise.resolve({ inserted: rows.length - 1, rollups: 1, rejected: [{ row: rows[1]!, reason: 'db_rejected:22003: x' }] }),
      maxSize: 2,
      maxWaitMs: 1000,
      logger: SILENT_EVENT_LOGGER,
    });
    const outcomes = await Promise.all([batcher.submit(row('a')), batcher.submit(row('b'))]);
    expect(outcomes).toEqual([{ kind: 'stored' }, { kind: 'rejected', reason: 'db_rejected:22003: x' }]);
  });

  it('close() flushes pending rows; afterwards submissions are refused', async () => {
    const w = recordingWriter();
    const batcher = new LedgerBatcher({ write: w.write, maxSize: 100, maxWaitMs: 60_000, logger: SILENT_EVENT_LOGGER });
    const pending = batcher.submit(row('a'));
    await batcher.close(1000);
    expect(await pending).toEqual({ kind: 'stored' });
    await expect(batcher.submit(row('b'))).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('close() gives up on an unreachable database after its deadline and rejects the waiting callers', async () => {
    const w = recordingWriter(() => new Error('connection refused'));
    const batcher = new LedgerBatcher({ write: w.write, maxSize: 1, maxWaitMs: 1, retryInitialMs: 5, retryMaxMs: 10, logger: SILENT_EVENT_LOGGER });
    const pending = batcher.submit(row('a'));
    await new Promise((r) => setTimeout(r, 20));
    await batcher.close(50);
    await expect(pending).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
