/**
 * Admin changes reach every proxy over Redis pub/sub (`leeway:admin:changes`, published by
 * `apps/admin`'s change publisher) or, in embedded mode, over an in-process bus with the same
 * `subscribe` shape as the admin's `MemoryChangePublisher`.
 */
import { adminChangeSchema } from '@leeway/contracts';
import type { AdminChange } from '@leeway/contracts';
import { closeRedisClient, createRedisClient } from '@leeway/state';
import type { RedisClient } from '@leeway/state';

export const ADMIN_CHANGES_CHANNEL = 'leeway:admin:changes';

/** A change, or `resync` when changes may have been missed (subscription (re)established): drop everything. */
export type GovernanceChange = AdminChange | { readonly kind: 'resync' };

export type ChangeListener = (change: GovernanceChange) => void;

export interface ChangeFeed {
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** Anything with the admin `MemoryChangePublisher`'s `subscribe` (embedded mode). */
export interface ChangeBus {
  subscribe(listener: (change: AdminChange) => void): () => void;
}

export class BusChangeFeed implements ChangeFeed {
  constructor(private readonly bus: ChangeBus) {}

  subscribe(listener: ChangeListener): () => void {
    return this.bus.subscribe(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A dedicated subscriber connection; every (re)subscription emits `resync` (messages may have been missed). */
export class RedisChangeFeed implements ChangeFeed {
  private readonly client: RedisClient;
  private readonly listeners = new Set<ChangeListener>();
  private markSubscribed: () => void = () => undefined;
  /** Resolves once the first subscription is established. */
  readonly subscribed: Promise<void> = new Promise((resolve) => (this.markSubscribed = resolve));

  constructor(options: { url: string; cluster?: boolean; channel?: string; onError?: (error: Error) => void }) {
    const channel = options.channel ?? ADMIN_CHANGES_CHANNEL;
    this.client = createRedisClient({
      url: options.url,
      cluster: options.cluster ?? false,
      connectionName: 'leeway-proxy-changes',
      commandTimeoutMs: 5000,
      ...(options.onError ? { onError: options.onError } : {}),
    });
    // Subscribing needs the connection up (the request-path client has no offline queue).
    this.client.on('ready', () => {
      this.client.subscribe(channel).then(
        () => {
          this.emit({ kind: 'resync' });
          this.markSubscribed();
        },
        (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.client.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      const change = adminChangeSchema.safeParse(parsed);
      // An unreadable message still means "something changed": drop everything rather than serve stale data.
      this.emit(change.success ? change.data : { kind: 'resync' });
    });
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await closeRedisClient(this.client);
  }

  private emit(change: GovernanceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a faulty listener never stops the feed
      }
    }
  }
}
