import { EventStreamError } from './event-errors';

/** Default stream key prefix: partitions are `leeway:events:{0}` … `leeway:events:{N-1}`. */
export const DEFAULT_EVENT_STREAM_PREFIX = 'leeway:events';
export const DEFAULT_EVENT_PARTITIONS = 4;

/**
 * Stream keys. Each partition key carries its index as a Cluster hash tag (`{3}`), so partitions spread
 * over slots (and shards) while every command touches exactly one key — no cross-slot commands.
 */
export class EventStreamKeys {
  constructor(
    readonly prefix: string = DEFAULT_EVENT_STREAM_PREFIX,
    readonly partitions: number = DEFAULT_EVENT_PARTITIONS,
  ) {
    if (!/^[\w:.-]{1,64}$/.test(prefix)) throw new EventStreamError('EVT_BAD_OPTION', 'bad event stream prefix');
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
      throw new EventStreamError('EVT_BAD_OPTION', 'event partitions must be an integer in 1..1024');
    }
  }

  partition(index: number): string {
    return `${this.prefix}:{${index}}`;
  }

  all(): string[] {
    return Array.from({ length: this.partitions }, (_, i) => this.partition(i));
  }

  /** Dead-letter stream (entries carry the source stream, id, reason and the raw payload). */
  deadLetter(): string {
    return `${this.prefix}:dlq`;
  }
}
