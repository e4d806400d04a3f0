import { describe, expect, it } from 'vitest';
import { StateError } from '../errors';
import type { SegmentDecision } from '../ports';
import { MemoryCcrStore } from './memory-ccr.store';
import { MemoryPrefixStateStore } from './memory-prefix-state.store';

const decision = (replacement: string | null): SegmentDecision => ({
  replacement,
  tokensBefore: 100,
  tokensAfter: replacement === null ? 100 : 40,
  kind: 'json',
  lossless: true,
  markerKeys: [],
});

describe('MemoryPrefixStateStore', () => {
  it('records once: the first decision wins and a later writer adopts it', async () => {
    const store = new MemoryPrefixStateStore();
    const first = await store.record('t1', 'p1', new Map([['h1', decision('A')]]));
    expect(first.decided.get('h1')?.replacement).toBe('A');
    const second = await store.record('t1', 'p1', new Map([['h1', decision('B')]]));
    expect(second.decided.get('h1')?.replacement).toBe('A');
    const lookup = await store.lookup('t1', 'p1', ['h1', 'h2']);
    expect(lookup.complete).toBe(true);
    expect([...lookup.found.keys()]).toEqual(['h1']);
    expect(lookup.found.get('h1')?.replacement).toBe('A');
  });

  it('scopes decisions by tenant and policy version', async () => {
    const store = new MemoryPrefixStateStore();
    await store.record('t1', 'p1', new Map([['h', decision('A')]]));
    expect((await store.lookup('t2', 'p1', ['h'])).found.size).toBe(0);
    expect((await store.lookup('t1', 'p2', ['h'])).found.size).toBe(0);
  });

  it('forgets a decision after its TTL without use', async () => {
    let now = 0;
    const store = new MemoryPrefixStateStore({ ttlMs: 1000, now: () => now });
    await store.record('t', 'p', new Map([['h', decision(null)]]));
    now = 999;
    expect((await store.lookup('t', 'p', ['h'])).found.size).toBe(1);
    now = 2000;
    expect((await store.lookup('t', 'p', ['h'])).found.size).toBe(0);
  });

  it('stays within its memory bound, dropping the least recently used decisions', async () => {
    const store = new MemoryPrefixStateStore({ maxBytes: 100_000 });
    for (let i = 0; i < 100; i++) await store.record('t', 'p', new Map([[`h${i}`, decision('x'.repeat(5_000))]]));
    expect(store.size).toBeLessThan(10);
    expect((await store.lookup('t', 'p', ['h99'])).found.size).toBe(1);
    expect((await store.lookup('t', 'p', ['h0'])).found.size).toBe(0);
  });

  it('rejects tenant ids that could break key layouts', async () => {
    const store = new MemoryPrefixStateStore();
    await expect(async () => store.lookup('a}b', 'p', [])).rejects.toMatchObject({ code: 'STA_BAD_TENANT' });
  });
});

describe('MemoryCcrStore', () => {
  it('returns exact originals per tenant, keys matched case-insensitively', async () => {
    const store = new MemoryCcrStore();
    const text = '{"a": "é😀\\u00e9"}\n\tline';
    await store.put('t1', { lw_0123456789abcdef: text });
    expect(await store.findOriginal('t1', 'LW_0123456789ABCDEF')).toBe(text);
    expect(await store.findOriginal('t2', 'lw_0123456789abcdef')).toBeNull();
  });

  it('stays within its memory bound, dropping the least recently used', async () => {
    const store = new MemoryCcrStore({ maxBytes: 10_000 });
    for (let i = 0; i < 100; i++) await store.put('t', { [`lw_${String(i).padStart(16, '0')}`]: 'x'.repeat(1000) });
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(await store.findOriginal('t', `lw_${String(99).padStart(16, '0')}`)).toBe('x'.repeat(1000));
    expect(await store.findOriginal('t', `lw_${String(0).padStart(16, '0')}`)).toBeNull();
  });

  it('refuses (rather than silently drops) an original larger than the bound', async () => {
    const store = new MemoryCcrStore({ maxBytes: 1000 });
    const error = await store.put('t', { lw_0000000000000001: 'x'.repeat(2000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe('STA_CAPACITY');
  });
});
