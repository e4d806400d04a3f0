export { StateError, type StateErrorCode } from './errors';
export {
  DEFAULT_STATE_TTL_MS,
  type CcrStore,
  type PrefixLookup,
  type PrefixRecord,
  type PrefixStateStore,
  type ReadinessCheck,
  type ReadinessStatus,
  type SegmentDecision,
  type StateTtl,
} from './ports';
export { decisionWeight, decodeDecision, encodeDecision, isSameDecision } from './decision-codec';
export { TtlLru, type TtlLruOptions } from './lru';
export { assertTenant } from './tenant';
export { MemoryPrefixStateStore, type MemoryPrefixStateOptions } from './memory/memory-prefix-state.store';
export { MemoryCcrStore, type MemoryCcrOptions } from './memory/memory-ccr.store';
export { RedisKeyspace } from './redis/keyspace';
export {
  closeRedisClient,
  createRedisClient,
  waitForRedis,
  type RedisClient,
  type RedisConnectionOptions,
} from './redis/redis-client';
export { RedisPrefixStateStore, type RedisPrefixStateOptions } from './redis/redis-prefix-state.store';
export { RedisCcrStore, type RedisCcrOptions } from './redis/redis-ccr.store';
export { openStateStores, type StateStores, type StateStoresOptions } from './state-stores';
export * from './events/index';
export * from './budget/index';
