import { decisionWeight, decodeDecision, encodeDecision } from '../decision-codec';
import { StateError } from '../errors';
import { TtlLru } from '../lru';
import { DEFAULT_STATE_TTL_MS } from '../ports';
import type { PrefixLookup, PrefixRecord, PrefixStateStore, ReadinessStatus, SegmentDecision } from '../ports';
import { assertKeyPart, assertTenant } from '../tenant';
import { RedisKeyspace } from './keyspace';
import type { RedisClient } from './redis-client';
import { withTimeout } from './timeout';

/** GET each decision and slide its TTL, in one round trip. KEYS: decision keys; ARGV[1]: ttl ms. */
const LOOKUP_LUA = `
local out = {}
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  out[i] = v
end
return out`;

/**
 * SET NX each decision; where one exists already, return it (the loser adopts the winner's) and slide
 * its TTL. KEYS: decision keys; ARGV[1]: ttl ms; ARGV[i + 1]: encoded decision for KEYS[i].
 * Returns per key: false when ours was stored, the existing value otherwise.
 */
const RECORD_LUA = `
local out = {}
for i = 1, #KEYS do
  local stored = redis.call('SET', KEYS[i], ARGV[i + 1], 'NX', 'PX', ARGV[1])
  if stored then
    out[i] = false
  else
    out[i] = redis.call('GET', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
  end
end
return out`;

interface LuaCommands {
  lwPrefixLookup(numKeys: number, ...args: (string | number)[]): Promise<(string | null)[]>;
  lwPrefixRecord(numKeys: number, ...args: (string | number)[]): Promise<(string | null)[]>;
}

interface LocalEntry {
  readonly decision: SegmentDecision;
  /** When this replica last slid the shared TTLs (decision and its CCR originals). */
  refreshedAt: number;
}

export interface RedisPrefixStateOptions {
  readonly client: RedisClient;
  /** First key segment (default `lw`); tests use one per test. */
  readonly keyPrefix?: string;
  /** Lifetime of a decision after its last use (default 70 min). */
  readonly ttlMs?: number;
  /** Lifetime given to CCR originals named by replayed decisions (default: `ttlMs`). */
  readonly ccrTtlMs?: number;
  /** Memory bound of the in-process LRU in front of Redis, in bytes (default 64 MiB). */
  readonly localMaxBytes?: number;
  /** Budget of one Redis step on the request path (default 250 ms). */
  readonly operationTimeoutMs?: number;
  /** Local hits slide the shared TTLs at most this often (default `ttlMs / 10`). */
  readonly refreshEveryMs?: number;
  /** Failures are reported here (the request path never sees them). */
  readonly onError?: (error: StateError) => void;
  readonly now?: () => number;
}

/**
 * Prefix state shared by replicas through Redis, with an in-process LRU in front.
 *
 * - lookup: local hits first; the rest in one Lua round trip (GET + sliding TTL). Redis down → local hits
 *   only, `complete: false` (the caller forwards originals for everything else).
 * - record: one Lua round trip of SET NX; the first decision wins across replicas and the loser adopts it.
 * - local hits slide the shared TTLs of the decision and of its CCR originals in the background, at most
 *   every `refreshEveryMs`, so a long session served from one replica's memory does not expire in Redis.
 */
export class RedisPrefixStateStore implements PrefixStateStore {
  private readonly client: RedisClient;
  private readonly keys: RedisKeyspace;
  private readonly ttlMs: number;
  private readonly ccrTtlMs: number;
  private readonly timeoutMs: number;
  private readonly refreshEveryMs: number;
  private readonly local: TtlLru<LocalEntry>;
  private readonly now: () => number;

  constructor(private readonly options: RedisPrefixStateOptions) {
    this.client = options.client;
    this.keys = new RedisKeyspace(options.keyPrefix);
    this.ttlMs = options.ttlMs ?? DEFAULT_STATE_TTL_MS;
    this.ccrTtlMs = options.ccrTtlMs ?? this.ttlMs;
    this.timeoutMs = options.operationTimeoutMs ?? 250;
    this.refreshEveryMs = options.refreshEveryMs ?? Math.floor(this.ttlMs / 10);
    this.now = options.now ?? Date.now;
    this.local = new TtlLru<LocalEntry>({
      maxWeight: options.localMaxBytes ?? 64 * 1024 * 1024,
      weigh: (key, entry) => 2 * key.length + decisionWeight(entry.decision),
      ttlMs: this.ttlMs,
      now: this.now,
    });
    defineScripts(this.client);
  }

  async lookup(tenant: string, policyVersion: string, hashes: readonly string[]): Promise<PrefixLookup> {
    assertTenant(tenant);
    assertKeyPart(policyVersion, 'policy version');
    const found = new Map<string, SegmentDecision>();
    const missing: string[] = [];
    const stale: SegmentDecision[] = [];
    const staleKeys: string[] = [];
    const now = this.now();
    for (const hash of hashes) {
      const entry = this.local.get(localKey(tenant, policyVersion, hash));
      if (entry === undefined) {
        missing.push(hash);
        continue;
      }
      found.set(hash, entry.decision);
      if (now - entry.refreshedAt >= this.refreshEveryMs) {
        entry.refreshedAt = now;
        stale.push(entry.decision);
        staleKeys.push(this.keys.decision(tenant, policyVersion, hash));
      }
    }
    if (stale.length > 0) this.refreshInBackground(tenant, staleKeys, stale);
    if (missing.length === 0) return { found, complete: true };

    const redisKeys = missing.map((hash) => this.keys.decision(tenant, policyVersion, hash));
    let values: (string | null)[];
    try {
      values = await withTimeout(
        lua(this.client).lwPrefixLookup(redisKeys.length, ...redisKeys, this.ttlMs),
        this.timeoutMs,
        'prefix-state lookup',
      );
    } catch (error) {
      this.report(error);
      return { found, complete: false };
    }
    const withMarkers: SegmentDecision[] = [];
    missing.forEach((hash, i) => {
      const raw = values[i];
      if (raw === null || raw === undefined) return;
      const decision = this.decode(raw);
      if (decision === null) return;
      found.set(hash, decision);
      this.local.set(localKey(tenant, policyVersion, hash), { decision, refreshedAt: now });
      if (decision.markerKeys.length > 0) withMarkers.push(decision);
    });
    if (withMarkers.length > 0) this.refreshInBackground(tenant, [], withMarkers);
    return { found, complete: true };
  }

  async record(
    tenant: string,
    policyVersion: string,
    decisions: ReadonlyMap<string, SegmentDecision>,
  ): Promise<PrefixRecord> {
    assertTenant(tenant);
    assertKeyPart(policyVersion, 'policy version');
    const hashes = [...decisions.keys()];
    if (hashes.length === 0) return { decided: new Map(), complete: true };
    const redisKeys = hashes.map((hash) => this.keys.decision(tenant, policyVersion, hash));
    const encoded = hashes.map((hash) => encodeDecision(decisions.get(hash) as SegmentDecision));
    let values: (string | null)[];
    try {
      values = await withTimeout(
        lua(this.client).lwPrefixRecord(redisKeys.length, ...redisKeys, this.ttlMs, ...encoded),
        this.timeoutMs,
        'prefix-state record',
      );
    } catch (error) {
      this.report(error);
      return { decided: new Map(), complete: false };
    }
    const decided = new Map<string, SegmentDecision>();
    const now = this.now();
    let complete = true;
    hashes.forEach((hash, i) => {
      const raw = values[i];
      const decision = raw === null || raw === undefined ? (decisions.get(hash) as SegmentDecision) : this.decode(raw);
      if (decision === null) {
        complete = false;
        return;
      }
      decided.set(hash, decision);
      this.local.set(localKey(tenant, policyVersion, hash), { decision, refreshedAt: now });
    });
    return { decided, complete };
  }

  async checkReady(): Promise<ReadinessStatus> {
    try {
      await withTimeout(this.client.ping(), this.timeoutMs * 4, 'ping');
      return { ready: true, adapter: 'redis' };
    } catch (error) {
      return { ready: false, adapter: 'redis', detail: error instanceof Error ? error.message : 'unavailable' };
    }
  }

  /** Drops the local LRU; the client belongs to the caller. */
  close(): Promise<void> {
    this.local.clear();
    return Promise.resolve();
  }

  /** Slide the TTLs of decisions and of the CCR originals they name; errors are reported, never thrown. */
  private refreshInBackground(tenant: string, decisionKeys: readonly string[], decisions: readonly SegmentDecision[]): void {
    const pipeline = this.client.pipeline();
    for (const key of decisionKeys) pipeline.pexpire(key, this.ttlMs);
    for (const decision of decisions) {
      for (const markerKey of decision.markerKeys) pipeline.pexpire(this.keys.original(tenant, markerKey), this.ccrTtlMs);
    }
    if (pipeline.length === 0) return;
    withTimeout(pipeline.exec(), this.timeoutMs * 4, 'prefix-state refresh').catch((error: unknown) => this.report(error));
  }

  private decode(raw: string): SegmentDecision | null {
    try {
      return decodeDecision(raw);
    } catch (error) {
      this.report(error);
      return null;
    }
  }

  private report(error: unknown): void {
    const stateError =
      error instanceof StateError ? error : new StateError('STA_UNAVAILABLE', 'prefix-state operation failed', { cause: error });
    this.options.onError?.(stateError);
  }
}

const defined = new WeakSet<object>();

function defineScripts(client: RedisClient): void {
  if (defined.has(client)) return;
  client.defineCommand('lwPrefixLookup', { lua: LOOKUP_LUA });
  client.defineCommand('lwPrefixRecord', { lua: RECORD_LUA });
  defined.add(client);
}

function lua(client: RedisClient): LuaCommands {
  return client as unknown as LuaCommands;
}

function localKey(tenant: string, policyVersion: string, hash: string): string {
  return `${tenant}\u0000${policyVersion}\u0000${hash}`;
}
