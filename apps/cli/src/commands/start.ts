// The embedded start composes the apps in one process (DESIGN.md "Embedded default").
import { createProxyApp, createProxyLogger, loadProxyConfig, ProxyConfigError, runUntilSignal } from '@leeway/proxy';
import type { RunningService } from '@leeway/proxy';
import { openStateStores } from '@leeway/state';
import { CliError } from '../cli-error';

const USAGE = 'usage: leeway start';

/**
 * `leeway start` / `npm start`: the embedded all-in-one stack in one process. Today the proxy (port
 * `LEEWAY_PROXY_PORT`, default 8787) with in-memory state, or Redis when `REDIS_URL` is set; the ledger
 * and admin issues add their apps to `services` (sharing `stores`). Stops gracefully on SIGTERM/SIGINT.
 */
export async function runStart(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.length > 0) throw new CliError(`unexpected argument "${argv[0]}"\n${USAGE}`, 2);

  let config;
  try {
    config = loadProxyConfig();
  } catch (error) {
    if (error instanceof ProxyConfigError) throw new CliError(error.message, 78);
    throw error;
  }
  const logger = createProxyLogger(config.logLevel);
  if (config.secretKeyIsDefault) logger.warn('LEEWAY_SECRET_KEY is not set: using a development secret for CCR keys');

  // Stores shared by every app of the stack (one Redis connection, or one in-memory state).
  const stores = await openStateStores({
    redisUrl: config.state.redisUrl,
    redisCluster: config.state.redisCluster,
    keyPrefix: config.state.redisKeyPrefix,
    prefixTtlMs: config.state.prefixTtlMs,
    ccrTtlMs: config.state.ccrTtlMs,
    prefixLocalMaxBytes: config.state.prefixLocalMaxBytes,
    memoryPrefixMaxBytes: config.state.prefixMemoryMaxBytes,
    memoryCcrMaxBytes: config.state.ccrMemoryMaxBytes,
    operationTimeoutMs: config.state.redisTimeoutMs,
    onError: (error) => logger.warn({ code: (error as { code?: string }).code, message: error.message }, 'state store error'),
  });
  const services: RunningService[] = [{ name: 'state', close: () => stores.close() }];

  try {
    const proxy = await createProxyApp({ config, stores, logger });
    const url = await proxy.listen();
    services.push({ name: 'proxy', close: () => proxy.close() });
    logger.info({ url, state: stores.adapter, mode: config.compression.mode }, 'proxy listening');
    process.stdout.write(
      [
        `Leeway proxy on ${url} (state: ${stores.adapter === 'redis' ? 'Redis' : 'in memory'})`,
        'Point your clients at it:',
        `  export ANTHROPIC_BASE_URL=${url}`,
        `  export OPENAI_BASE_URL=${url}/v1`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    for (const service of [...services].reverse()) await service.close();
    throw error;
  }

  await runUntilSignal(services, {
    onSignal: (signal) => logger.info({ signal }, 'shutting down'),
    onClosed: ({ graceful }) => {
      logger.info({ graceful }, 'stopped');
      if (!graceful) process.exit(1);
    },
  });
}
