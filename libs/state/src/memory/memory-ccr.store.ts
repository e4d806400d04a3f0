import { StateError } from '../errors';
import { TtlLru } from '../lru';
import { DEFAULT_STATE_TTL_MS } from '../ports';
import type { CcrStore, ReadinessStatus } from '../ports';
import { assertTenant } from '../tenant';

export interface MemoryCcrOptions {
  /** Lifetime of an original after its last use (default 70 min). */
  readonly ttlMs?: number;
  /** Memory bound in bytes (UTF-16 size of the texts; default 256 MiB); least recently used go first. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

/** CCR originals of the embedded stack: bounded memory, sliding TTL, tenant-scoped keys. */
export class MemoryCcrStore implements CcrStore {
  private readonly lru: TtlLru<string>;

  constructor(options: MemoryCcrOptions = {}) {
    this.lru = new TtlLru<string>({
      maxWeight: options.maxBytes ?? 256 * 1024 * 1024,
      weigh: (key, text) => 2 * (key.length + text.length) + 64,
      ttlMs: options.ttlMs ?? DEFAULT_STATE_TTL_MS,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Bytes currently held (estimate). */
  get bytes(): number {
    return this.lru.totalWeight;
  }

  put(tenant: string, originals: Readonly<Record<string, string>>): Promise<void> {
    assertTenant(tenant);
    for (const [key, text] of Object.entries(originals)) {
      if (!this.lru.set(memoryKey(tenant, key.toLowerCase()), text)) {
        return Promise.reject(new StateError('STA_CAPACITY', 'original is larger than the CCR memory bound'));
      }
    }
    return Promise.resolve();
  }

  findOriginal(tenant: string, key: string): Promise<string | null> {
    assertTenant(tenant);
    return Promise.resolve(this.lru.get(memoryKey(tenant, key.toLowerCase())) ?? null);
  }

  touch(tenant: string, keys: readonly string[]): Promise<void> {
    assertTenant(tenant);
    for (const key of keys) this.lru.get(memoryKey(tenant, key.toLowerCase()));
    return Promise.resolve();
  }

  checkReady(): Promise<ReadinessStatus> {
    return Promise.resolve({ ready: true, adapter: 'memory' });
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

function memoryKey(tenant: string, key: string): string {
  return `${tenant}\u0000${key}`;
}
