/** Options of {@link TtlLru}. */
export interface TtlLruOptions<V> {
  /** Upper bound on the sum of weights (default: entry count, weight 1 each). */
  readonly maxWeight: number;
  /** Weight of one entry (e.g. its size in bytes). Default 1. */
  readonly weigh?: (key: string, value: V) => number;
  /** Lifetime after the last write or read (ms); `Infinity` keeps entries until evicted. */
  readonly ttlMs: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

interface Entry<V> {
  value: V;
  weight: number;
  expiresAt: number;
}

/**
 * A least-recently-used map with a sliding TTL, bounded by total weight. A Map keeps insertion order,
 * so re-inserting on access makes the first key the least recently used one.
 */
export class TtlLru<V> {
  private readonly map = new Map<string, Entry<V>>();
  private weight = 0;
  private readonly weigh: (key: string, value: V) => number;
  private readonly now: () => number;

  constructor(private readonly options: TtlLruOptions<V>) {
    this.weigh = options.weigh ?? (() => 1);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.map.size;
  }

  get totalWeight(): number {
    return this.weight;
  }

  /** The value, refreshing its recency and TTL; undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (entry.expiresAt <= now) {
      this.delete(key);
      return undefined;
    }
    this.map.delete(key);
    entry.expiresAt = now + this.options.ttlMs;
    this.map.set(key, entry);
    return entry.value;
  }

  /** Whether a live entry exists (does not refresh it). */
  has(key: string): boolean {
    const entry = this.map.get(key);
    return entry !== undefined && entry.expiresAt > this.now();
  }

  /** Insert or replace. Returns false when the entry alone is heavier than the bound (not stored). */
  set(key: string, value: V): boolean {
    const weight = this.weigh(key, value);
    this.delete(key);
    if (weight > this.options.maxWeight) return false;
    this.map.set(key, { value, weight, expiresAt: this.now() + this.options.ttlMs });
    this.weight += weight;
    this.evict();
    return true;
  }

  delete(key: string): void {
    const entry = this.map.get(key);
    if (entry === undefined) return;
    this.map.delete(key);
    this.weight -= entry.weight;
  }

  clear(): void {
    this.map.clear();
    this.weight = 0;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.map) {
      if (this.weight <= this.options.maxWeight && entry.expiresAt > now) break;
      this.map.delete(key);
      this.weight -= entry.weight;
    }
  }
}
