/**
 * Consumer side over Redis Streams, for one consumer of a consumer group: XREADGROUP (own pending
 * history first, then new entries), XACK, XAUTOCLAIM of entries left pending by dead consumers, a
 * dead-letter stream, and XTRIM MINID of history every group has acknowledged.
 *
 * Reads do not block a connection (no BLOCK): the server polls, so one client serves every partition
 * and works unchanged against a Redis Cluster (every command names one key).
 */
import type { RedisClient } from '../redis/redis-client';
import { EventStreamKeys } from './redis-stream-keys';
import type { EventDelivery, EventSource } from './event-stream';

export interface RedisStreamSourceOptions {
  readonly client: RedisClient;
  readonly keys?: EventStreamKeys;
  /** Consumer group (default `ingestion`). */
  readonly group?: string;
  /** This consumer's name: stable across restarts of the same instance (e.g. the pod name). */
  readonly consumer: string;
  /** Approximate cap of the dead-letter stream (default 100,000). */
  readonly deadLetterMaxLen?: number;
}

type RawEntry = [id: string, fields: string[] | null];

function isRawEntry(value: unknown): value is RawEntry {
  return Array.isArray(value) && typeof value[0] === 'string' && (value[1] === null || Array.isArray(value[1]));
}

function field(fields: readonly string[] | null, name: string): string | null {
  if (!fields) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return String(fields[i + 1]);
  return null;
}

/** Entries of an XREADGROUP reply for one stream (RESP2 array or RESP3 map shapes). */
function entriesOf(reply: unknown): RawEntry[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) {
    const first: unknown = reply[0];
    if (Array.isArray(first) && Array.isArray(first[1])) return (first[1] as unknown[]).filter(isRawEntry);
    if (typeof first === 'string' && Array.isArray(reply[1])) return (reply[1] as unknown[]).filter(isRawEntry);
    return [];
  }
  if (typeof reply === 'object') {
    const values = Object.values(reply as Record<string, unknown>);
    return Array.isArray(values[0]) ? (values[0] as unknown[]).filter(isRawEntry) : [];
  }
  return [];
}

function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOGROUP');
}

function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

export class RedisStreamSource implements EventSource {
  readonly kind = 'redis-streams';
  private readonly client: RedisClient;
  private readonly keys: EventStreamKeys;
  private readonly group: string;
  private readonly consumer: string;
  private readonly deadLetterMaxLen: number;
  /** Partitions whose own pending history has been read back after (re)start. */
  private readonly historyDone = new Set<string>();
  /** Cursor of XAUTOCLAIM per partition. */
  private readonly claimCursor = new Map<string, string>();

  constructor(options: RedisStreamSourceOptions) {
    this.client = options.client;
    this.keys = options.keys ?? new EventStreamKeys();
    this.group = options.group ?? 'ingestion';
    this.consumer = options.consumer;
    this.deadLetterMaxLen = options.deadLetterMaxLen ?? 100_000;
  }

  partitions(): readonly string[] {
    return this.keys.all();
  }

  async start(): Promise<void> {
    for (const key of this.keys.all()) await this.ensureGroup(key);
  }

  private async ensureGroup(key: string): Promise<void> {
    try {
      // From id 0: events published before ingestion ever ran are consumed too.
      await this.client.xgroup('CREATE', key, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('BUSYGROUP')) throw error;
    }
  }

  async read(partition: string, count: number): Promise<EventDelivery[]> {
    try {
      if (!this.historyDone.has(partition)) {
        const history = await this.readGroup(partition, count, '0');
        if (history.length > 0) return history;
        this.historyDone.add(partition);
      }
      return await this.readGroup(partition, count, '>');
    } catch (error) {
      if (!isNoGroupError(error)) throw error;
      // The stream or group vanished (flushed, restarted without persistence): recreate and go on.
      await this.ensureGroup(partition);
      return [];
    }
  }

  private async readGroup(partition: string, count: number, from: '0' | '>'): Promise<EventDelivery[]> {
    const reply = await this.client.call(
      'XREADGROUP',
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      String(count),
      'STREAMS',
      partition,
      from,
    );
    const entries = entriesOf(reply);
    if (entries.length === 0) return [];
    const deliveries = from === '>' ? null : await this.deliveryCounts(partition, entries);
    return entries.map(([id, fields]) => ({
      id,
      partition,
      pattern: field(fields, 'p'),
      payload: field(fields, 'e'),
      deliveries: deliveries?.get(id) ?? 1,
    }));
  }

  /** Delivery counts of entries pending on this consumer (XPENDING extended form over their id range). */
  private async deliveryCounts(partition: string, entries: readonly RawEntry[]): Promise<Map<string, number>> {
    const first = entries[0]?.[0];
    const last = entries[entries.length - 1]?.[0];
    const counts = new Map<string, number>();
    if (!first || !last) return counts;
    const reply = await this.client.call(
      'XPENDING',
      partition,
      this.group,
      first,
      last,
      String(entries.length),
      this.consumer,
    );
    if (Array.isArray(reply)) {
      for (const row of reply as unknown[]) {
        if (Array.isArray(row) && typeof row[0] === 'string') counts.set(row[0], Number(row[3]) || 1);
      }
    }
    return counts;
  }

  async claimStale(partition: string, minIdleMs: number, count: number): Promise<EventDelivery[]> {
    let reply: unknown;
    try {
      reply = await this.client.call(
        'XAUTOCLAIM',
        partition,
        this.group,
        this.consumer,
        String(minIdleMs),
        this.claimCursor.get(partition) ?? '0-0',
        'COUNT',
        String(count),
      );
    } catch (error) {
      if (!isNoGroupError(error)) throw error;
      await this.ensureGroup(partition);
      return [];
    }
    if (!Array.isArray(reply)) return [];
    const [cursor, rawEntries, deletedIds] = reply as [unknown, unknown, unknown];
    this.claimCursor.set(partition, typeof cursor === 'string' ? cursor : '0-0');
    // Entries deleted from the stream while pending cannot be processed: acknowledge them away.
    if (Array.isArray(deletedIds) && deletedIds.length > 0) await this.ack(partition, deletedIds.map(String));
    const entries = Array.isArray(rawEntries) ? (rawEntries as unknown[]).filter(isRawEntry) : [];
    if (entries.length === 0) return [];
    const deliveries = await this.deliveryCounts(partition, entries);
    return entries.map(([id, fields]) => ({
      id,
      partition,
      pattern: field(fields, 'p'),
      payload: field(fields, 'e'),
      deliveries: deliveries.get(id) ?? 2,
    }));
  }

  async ack(partition: string, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      await this.client.xack(partition, this.group, ...ids.slice(i, i + 1000));
    }
  }

  async deadLetter(delivery: EventDelivery, reason: string): Promise<void> {
    await this.client.xadd(
      this.keys.deadLetter(),
      'MAXLEN',
      '~',
      this.deadLetterMaxLen,
      '*',
      'reason',
      reason,
      'stream',
      delivery.partition,
      'id',
      delivery.id,
      'p',
      delivery.pattern ?? '',
      'e',
      delivery.payload ?? '',
      'deliveries',
      String(delivery.deliveries),
      'consumer',
      this.consumer,
      'at',
      new Date().toISOString(),
    );
    await this.ack(delivery.partition, [delivery.id]);
  }

  async trim(partition: string): Promise<void> {
    const groups = await this.client.call('XINFO', 'GROUPS', partition).catch((error: unknown) => {
      if (error instanceof Error && error.message.includes('no such key')) return [];
      throw error;
    });
    if (!Array.isArray(groups) || groups.length === 0) return;
    let safe: string | null = null;
    for (const info of groups as unknown[]) {
      const fields = Array.isArray(info) ? info.map(String) : [];
      const name = field(fields, 'name');
      const lastDelivered = field(fields, 'last-delivered-id');
      const pending = Number(field(fields, 'pending') ?? '0');
      if (!name || !lastDelivered) return;
      let floor = lastDelivered;
      if (pending > 0) {
        const summary = await this.client.call('XPENDING', partition, name);
        const oldest = Array.isArray(summary) && typeof summary[1] === 'string' ? summary[1] : null;
        if (!oldest) return;
        floor = oldest;
      }
      if (safe === null || compareIds(floor, safe) < 0) safe = floor;
    }
    if (safe === null || safe === '0-0') return;
    await this.client.call('XTRIM', partition, 'MINID', '~', safe);
  }

  async close(): Promise<void> {
    this.historyDone.clear();
  }
}
