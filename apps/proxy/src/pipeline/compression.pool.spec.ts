import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionPool } from './compression.pool';

const big = JSON.stringify(
  Array.from({ length: 400 }, (_, i) => ({ id: i, name: `user-${i}`, email: `u${i}@example.com`, status: i % 9 ? 'ok' : 'error' })),
  null,
  2,
);
const job = (text: string) => ({ text, mode: 'balanced' as const, query: 'errors', keySecret: 'secret', model: 'gpt-4o' });

describe('CompressionPool (worker threads)', () => {
  let pool: CompressionPool;
  const errors: string[] = [];
  beforeAll(() => {
    pool = new CompressionPool({ workers: 1, onError: (r) => errors.push(r) });
  });
  afterAll(() => pool.close());

  it('compresses off the event loop, with the same result as inline', async () => {
    const outcome = await pool.compress(job(big), 30_000);
    expect(outcome.status).toBe('done');
    const inline = await new CompressionPool({ workers: 0 }).compress(job(big), 30_000);
    expect(outcome).toEqual(inline);
    expect(pool.ready).toBe(true);
  }, 60_000);

  it('gives up at the deadline and drops the late result; the pool keeps working', async () => {
    const huge = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ id: i, v: `value-${i}` })), null, 2);
    const started = performance.now();
    const late = await pool.compress(job(huge), 5);
    expect(late.status).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
    const next = await pool.compress(job(big), 30_000);
    expect(next.status).toBe('done');
    expect(errors).toEqual([]);
  }, 60_000);

  it('inline mode never starts a task past its deadline', async () => {
    const inline = new CompressionPool({ workers: 0 });
    expect((await inline.compress(job(big), 0)).status).toBe('timeout');
  });
});
