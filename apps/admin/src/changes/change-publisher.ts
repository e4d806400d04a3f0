/**
 * Policy / budget / key changes are published so proxies drop cached entries. The port is tiny and
 * ioredis-free: `RedisChangePublisher` takes anything with `publish(channel, message)` (the client from
 * `@leeway/state`'s `createRedisClient`); embedded mode uses `MemoryChangePublisher`, which the
 * in-process proxy subscribes to.
 */
import type { AdminChange } from '@leeway/contracts';

export const ADMIN_CHANGES_CHANNEL = 'leeway:admin:changes';

export interface ChangePublisher {
  publish(change: AdminChange): Promise<void>;
}

export type ChangeListener = (change: AdminChange) => void;

export class MemoryChangePublisher implements ChangePublisher {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: AdminChange): Promise<void> {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a faulty subscriber never fails an admin change
      }
    }
    return Promise.resolve();
  }
}

export interface PublishingClient {
  publish(channel: string, message: string): Promise<unknown>;
}

export class RedisChangePublisher implements ChangePublisher {
  constructor(
    private readonly client: PublishingClient,
    private readonly channel: string = ADMIN_CHANGES_CHANNEL,
  ) {}

  async publish(change: AdminChange): Promise<void> {
    await this.client.publish(this.channel, JSON.stringify(change));
  }
}
