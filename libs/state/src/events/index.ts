export {
  SILENT_EVENT_LOGGER,
  partitionIndex,
  type EventDelivery,
  type EventLogger,
  type EventPublisher,
  type EventSource,
  type PublisherStats,
} from './event-stream';
export {
  EventStreamError,
  deadLetter,
  isDeadLetterOutcome,
  type DeadLetterOutcome,
  type EventStreamErrorCode,
} from './event-errors';
export { DEFAULT_EVENT_PARTITIONS, DEFAULT_EVENT_STREAM_PREFIX, EventStreamKeys } from './redis-stream-keys';
export { RedisEventPublisher, type RedisEventPublisherOptions } from './redis-event.publisher';
export { RedisStreamSource, type RedisStreamSourceOptions } from './redis-stream.source';
export { MEMORY_PARTITION, MemoryEventBus, type MemoryDeadLetter, type MemoryEventBusOptions } from './memory-event.bus';
export {
  EVENT_STREAM_TRANSPORT,
  EventStreamContext,
  EventStreamServer,
  type EventStreamServerOptions,
  type EventStreamServerStats,
} from './event-stream.server';
export { publishSavingsEvent } from './savings-events';
/** Test support: a private, killable redis-server (AOF) for restart scenarios. */
export { startPrivateRedis, type PrivateRedis } from './testing/private-redis';
