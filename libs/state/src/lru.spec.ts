import { describe, expect, it } from 'vitest';
import { TtlLru } from './lru';

describe('TtlLru', () => {
  it('evicts the least recently used entry when over the weight bound', () => {
    const lru = new TtlLru<string>({ maxWeight: 2, ttlMs: Infinity });
    lru.set('a', '1');
    lru.set('b', '2');
    expect(lru.get('a')).toBe('1'); // a is now the most recent
    lru.set('c', '3');
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('1');
    expect(lru.get('c')).toBe('3');
  });

  it('bounds by weight and refuses an entry heavier than the bound', () => {
    const lru = new TtlLru<string>({ maxWeight: 10, ttlMs: Infinity, weigh: (_k, v) => v.length });
    expect(lru.set('a', 'xxxxxx')).toBe(true);
    expect(lru.set('b', 'yyyyyy')).toBe(true);
    expect(lru.has('a')).toBe(false);
    expect(lru.totalWeight).toBe(6);
    expect(lru.set('c', 'z'.repeat(11))).toBe(false);
    expect(lru.has('c')).toBe(false);
  });

  it('expires entries after the TTL, sliding on read', () => {
    let now = 1000;
    const lru = new TtlLru<number>({ maxWeight: 10, ttlMs: 100, now: () => now });
    lru.set('a', 1);
    now = 1090;
    expect(lru.get('a')).toBe(1); // slides to 1190
    now = 1180;
    expect(lru.get('a')).toBe(1);
    now = 1281;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
