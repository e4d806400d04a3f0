import type { StateError } from './errors';
import { MemoryCcrStore } from './memory/memory-ccr.store';
import { MemoryPrefixStateStore } from './memory/memory-prefix-state.store';
import { DEFAULT_STATE_TTL_MS } from './ports';
import type { CcrStore, PrefixStateStore } from './ports';
import { closeRedisClient, createRedisClient, waitForRedis } from './redis/redis-client';
import type { RedisClient } from './redis/redis-client';
import { RedisCcrStore } from './redis/redis-ccr.store';
import { RedisPrefixStateStore } from './redis/redis-prefix-state.store';

export interface StateStoresOptions {
  /** Redis when set (single node, or a comma-separated node list with `redisCluster`); in-memory otherwise. */
  readonly redisUrl?: string | undefined;
  readonly redisCluster?: boolean;
  /** First key segment in Redis (default `lw`). */
  readonly keyPrefix?: string;
  readonly prefixTtlMs?: number;
  readonly ccrTtlMs?: number;
  /** Bytes of decisions cached in process in front of Redis (default 64 MiB). */
  readonly prefixLocalMaxBytes?: number;
  /** Bound of the in-memory prefix state (bytes, default 256 MiB). */
  readonly memoryPrefixMaxBytes?: number;
  /** Bound of the in-memory CCR store (bytes). */
  readonly memoryCcrMaxBytes?: number;
  readonly operationTimeoutMs?: number;
  /** How long `openStateStores` waits for Redis before starting degraded (default 2000 ms). */
  readonly connectWaitMs?: number;
  readonly onError?: (error: StateError | Error) => void;
}

/** The stores an app needs, built for the embedded (memory) or the replicated (Redis) deployment. */
export interface StateStores {
  readonly adapter: 'memory' | 'redis';
  readonly prefixState: PrefixStateStore;
  readonly ccr: CcrStore;
  /** The Redis client, when Redis is used (later stores — budgets, bus — share it). */
  readonly redis: RedisClient | null;
  close(): Promise<void>;
}

/** Open the state stores. Never fails because Redis is down: the stores start degraded and recover. */
export async function openStateStores(options: StateStoresOptions = {}): Promise<StateStores> {
  const prefixTtlMs = options.prefixTtlMs ?? DEFAULT_STATE_TTL_MS;
  const ccrTtlMs = Math.max(options.ccrTtlMs ?? prefixTtlMs, prefixTtlMs);
  if (!options.redisUrl) {
    const prefixState = new MemoryPrefixStateStore({
      ttlMs: prefixTtlMs,
      ...(options.memoryPrefixMaxBytes ? { maxBytes: options.memoryPrefixMaxBytes } : {}),
    });
    const ccr = new MemoryCcrStore({ ttlMs: ccrTtlMs, ...(options.memoryCcrMaxBytes ? { maxBytes: options.memoryCcrMaxBytes } : {}) });
    return {
      adapter: 'memory',
      prefixState,
      ccr,
      redis: null,
      close: async () => {
        await prefixState.close();
        await ccr.close();
      },
    };
  }
  const redis = createRedisClient({
    url: options.redisUrl,
    cluster: options.redisCluster ?? false,
    connectionName: 'leeway',
    ...(options.onError ? { onError: options.onError } : {}),
  });
  try {
    await waitForRedis(redis, options.connectWaitMs ?? 2000);
  } catch (error) {
    options.onError?.(error as Error);
  }
  const common = {
    client: redis,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.operationTimeoutMs ? { operationTimeoutMs: options.operationTimeoutMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  };
  const prefixState = new RedisPrefixStateStore({
    ...common,
    ttlMs: prefixTtlMs,
    ccrTtlMs,
    ...(options.prefixLocalMaxBytes ? { localMaxBytes: options.prefixLocalMaxBytes } : {}),
  });
  const ccr = new RedisCcrStore({ ...common, ttlMs: ccrTtlMs });
  return {
    adapter: 'redis',
    prefixState,
    ccr,
    redis,
    close: async () => {
      await prefixState.close();
      await ccr.close();
      await closeRedisClient(redis);
    },
  };
}
