import { decisionWeight } from '../decision-codec';
import { TtlLru } from '../lru';
import { DEFAULT_STATE_TTL_MS } from '../ports';
import type { PrefixLookup, PrefixRecord, PrefixStateStore, ReadinessStatus, SegmentDecision } from '../ports';
import { assertKeyPart, assertTenant } from '../tenant';

export interface MemoryPrefixStateOptions {
  /** Lifetime of a decision after its last use (default 70 min). */
  readonly ttlMs?: number;
  /** Memory bound in bytes (default 256 MiB); the least recently used decisions go first. */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

/** Prefix state of the embedded (single-process) stack. */
export class MemoryPrefixStateStore implements PrefixStateStore {
  private readonly lru: TtlLru<SegmentDecision>;

  constructor(options: MemoryPrefixStateOptions = {}) {
    this.lru = new TtlLru<SegmentDecision>({
      maxWeight: options.maxBytes ?? 256 * 1024 * 1024,
      weigh: (key, decision) => 2 * key.length + decisionWeight(decision),
      ttlMs: options.ttlMs ?? DEFAULT_STATE_TTL_MS,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get size(): number {
    return this.lru.size;
  }

  lookup(tenant: string, policyVersion: string, hashes: readonly string[]): Promise<PrefixLookup> {
    assertTenant(tenant);
    assertKeyPart(policyVersion, 'policy version');
    const found = new Map<string, SegmentDecision>();
    for (const hash of hashes) {
      const hit = this.lru.get(memoryKey(tenant, policyVersion, hash));
      if (hit !== undefined) found.set(hash, hit);
    }
    return Promise.resolve({ found, complete: true });
  }

  record(
    tenant: string,
    policyVersion: string,
    decisions: ReadonlyMap<string, SegmentDecision>,
  ): Promise<PrefixRecord> {
    assertTenant(tenant);
    assertKeyPart(policyVersion, 'policy version');
    const decided = new Map<string, SegmentDecision>();
    for (const [hash, decision] of decisions) {
      const key = memoryKey(tenant, policyVersion, hash);
      const existing = this.lru.get(key);
      if (existing !== undefined) {
        decided.set(hash, existing);
      } else {
        this.lru.set(key, decision);
        decided.set(hash, decision);
      }
    }
    return Promise.resolve({ decided, complete: true });
  }

  checkReady(): Promise<ReadinessStatus> {
    return Promise.resolve({ ready: true, adapter: 'memory' });
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}

function memoryKey(tenant: string, policyVersion: string, hash: string): string {
  return `${tenant}\u0000${policyVersion}\u0000${hash}`;
}
