/**
 * `npm run start:admin`: the admin API on its own (split mode) against `DATABASE_URL` (or PGlite in
 * `LEEWAY_DATA_DIR`), publishing changes on Redis (`REDIS_URL`) channel `leeway:admin:changes`.
 * SIGTERM/SIGINT stop it gracefully.
 */
import 'reflect-metadata';
import { closeRedisClient, createRedisClient } from '@leeway/state';
import { createAdminLogger } from './admin.logger';
import { MemoryChangePublisher, RedisChangePublisher, type ChangePublisher } from './changes/change-publisher';
import { AdminConfigError, loadAdminConfig } from './config/admin.config';
import { startAdmin } from './start-admin';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAdminConfig();
  } catch (error) {
    if (error instanceof AdminConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createAdminLogger(config.logLevel);
  let publisher: ChangePublisher = new MemoryChangePublisher();
  let closeRedis: () => Promise<void> = () => Promise.resolve();
  if (config.redisUrl) {
    const client = createRedisClient({
      url: config.redisUrl,
      cluster: config.redisCluster,
      connectionName: 'leeway-admin',
      commandTimeoutMs: 2000,
      onError: (error) => logger.warn({ err: error }, 'redis connection error'),
    });
    publisher = new RedisChangePublisher(client);
    closeRedis = () => closeRedisClient(client);
  } else {
    logger.warn('REDIS_URL is not set: change notifications stay in this process');
  }
  const handle = await startAdmin(config, { logger, publisher });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping admin API');
    handle
      .close()
      .then(closeRedis)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'admin shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`admin API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
