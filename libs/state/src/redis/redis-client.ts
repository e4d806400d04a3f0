import { Cluster, Redis } from 'ioredis';
import type { ClusterNode, RedisOptions } from 'ioredis';
import { StateError } from '../errors';

/** A single node (or Sentinel-managed) client, or a Cluster client: the adapters accept either. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * `redis://[user:pass@]host:port[/db]` (or `rediss://`). In cluster mode a comma-separated list of
   * startup nodes.
   */
  readonly url: string;
  readonly cluster?: boolean;
  /** Per-command timeout (ms, default 500). */
  readonly commandTimeoutMs?: number;
  /** Connect timeout (ms, default 2000). */
  readonly connectTimeoutMs?: number;
  /** Connection name shown by `CLIENT LIST`. */
  readonly connectionName?: string;
  /** Called on connection errors (the client reconnects by itself). */
  readonly onError?: (error: Error) => void;
}

/**
 * Create a client tuned for the request path: commands fail fast while disconnected (no offline queue,
 * one retry), so a Redis outage degrades the proxy (I5) instead of stalling it.
 */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const urls = options.url
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  const first = urls[0];
  if (first === undefined) throw new StateError('STA_BAD_OPTION', 'Redis URL is empty');
  const common: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  let client: RedisClient;
  if (options.cluster) {
    const nodes: ClusterNode[] = urls.map((u) => {
      const parsed = parseUrl(u);
      return { host: parsed.hostname, port: Number(parsed.port || 6379) };
    });
    const parsed = parseUrl(first);
    client = new Cluster(nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      redisOptions: {
        ...common,
        ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
        ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
        ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    });
  } else {
    client = new Redis(first, common);
  }
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}

/** Resolve once the client is ready, or reject after `timeoutMs`. */
export async function waitForRedis(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new StateError('STA_TIMEOUT', `Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** Close a client: QUIT when connected, otherwise drop the socket. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new StateError('STA_BAD_OPTION', 'Redis URL is not a URL', { cause });
  }
}
