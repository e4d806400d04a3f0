/**
 * `npm run start:ingestion`: the ingestion service on its own (split mode, as in Kubernetes) — Redis
 * Streams (`REDIS_URL`) into PostgreSQL (`DATABASE_URL`, or PGlite in `LEEWAY_DATA_DIR` without it),
 * health on `LEEWAY_INGESTION_PORT`. SIGTERM/SIGINT drain gracefully.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/ingestion.config';
import { createIngestionLogger } from './ingestion.logger';
import { startIngestion } from './start-ingestion';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(undefined, { requireRedis: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createIngestionLogger(config.logLevel);
  const handle = await startIngestion(config, { logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping ingestion');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'ingestion shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`ingestion failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
