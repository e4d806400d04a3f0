import { StateError } from '../errors';
import { DEFAULT_STATE_TTL_MS } from '../ports';
import type { CcrStore, ReadinessStatus } from '../ports';
import { assertTenant } from '../tenant';
import { RedisKeyspace } from './keyspace';
import type { RedisClient } from './redis-client';
import { withTimeout } from './timeout';

export interface RedisCcrOptions {
  readonly client: RedisClient;
  readonly keyPrefix?: string;
  /** Lifetime of an original after its last use (default 70 min). */
  readonly ttlMs?: number;
  /** Budget of one Redis step (default 250 ms). */
  readonly operationTimeoutMs?: number;
  readonly onError?: (error: StateError) => void;
}

/**
 * CCR originals in Redis: `SET key text PX ttl` per original, one pipeline per request (all keys of a
 * request share the tenant hash tag, so one Cluster slot).
 */
export class RedisCcrStore implements CcrStore {
  private readonly client: RedisClient;
  private readonly keys: RedisKeyspace;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: RedisCcrOptions) {
    this.client = options.client;
    this.keys = new RedisKeyspace(options.keyPrefix);
    this.ttlMs = options.ttlMs ?? DEFAULT_STATE_TTL_MS;
    this.timeoutMs = options.operationTimeoutMs ?? 250;
  }

  async put(tenant: string, originals: Readonly<Record<string, string>>): Promise<void> {
    assertTenant(tenant);
    const entries = Object.entries(originals);
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const [key, text] of entries) pipeline.set(this.keys.original(tenant, key), text, 'PX', this.ttlMs);
    const results = await withTimeout(pipeline.exec(), this.timeoutMs, 'CCR put');
    for (const [error] of results ?? []) {
      if (error) throw new StateError('STA_UNAVAILABLE', 'CCR put failed', { cause: error });
    }
    if (results === null) throw new StateError('STA_UNAVAILABLE', 'CCR put was aborted');
  }

  async findOriginal(tenant: string, key: string): Promise<string | null> {
    assertTenant(tenant);
    const redisKey = this.keys.original(tenant, key);
    const results = await withTimeout(
      this.client.pipeline().get(redisKey).pexpire(redisKey, this.ttlMs).exec(),
      this.timeoutMs,
      'CCR get',
    );
    const [error, value] = results?.[0] ?? [new Error('aborted'), null];
    if (error) throw new StateError('STA_UNAVAILABLE', 'CCR get failed', { cause: error });
    return typeof value === 'string' ? value : null;
  }

  async touch(tenant: string, keys: readonly string[]): Promise<void> {
    assertTenant(tenant);
    if (keys.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.pexpire(this.keys.original(tenant, key), this.ttlMs);
    try {
      await withTimeout(pipeline.exec(), this.timeoutMs, 'CCR touch');
    } catch (error) {
      this.options.onError?.(
        error instanceof StateError ? error : new StateError('STA_UNAVAILABLE', 'CCR touch failed', { cause: error }),
      );
    }
  }

  async checkReady(): Promise<ReadinessStatus> {
    try {
      await withTimeout(this.client.ping(), this.timeoutMs * 4, 'ping');
      return { ready: true, adapter: 'redis' };
    } catch (error) {
      return { ready: false, adapter: 'redis', detail: error instanceof Error ? error.message : 'unavailable' };
    }
  }

  /** The client belongs to the caller. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
