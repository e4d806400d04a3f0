// Split mode (as in Kubernetes): `npm run start:proxy` runs this one app against REDIS_URL.
import 'reflect-metadata';
import { loadProxyConfig, ProxyConfigError } from './config/proxy.config';
import { loadLedgerConfig } from './config/ledger.config';
import { createProxyLogger } from './observability/proxy.logger';
import { createProxyApp } from './proxy.app';
import { runUntilSignal } from './run';

async function main(): Promise<number> {
  let config;
  let ledger;
  try {
    config = loadProxyConfig();
    ledger = loadLedgerConfig();
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }
  const logger = createProxyLogger(config.logLevel);
  if (config.secretKeyIsDefault) logger.warn('LEEWAY_SECRET_KEY is not set: using a development secret for CCR keys');
  const proxy = await createProxyApp({ config, logger, ledger });
  const url = await proxy.listen();
  logger.info({ url, state: proxy.stores.adapter, mode: config.compression.mode }, 'proxy listening');
  await runUntilSignal([{ name: 'proxy', close: () => proxy.close() }], {
    onSignal: (signal) => logger.info({ signal }, 'shutting down'),
    onClosed: ({ graceful }) => {
      logger.info({ graceful }, 'proxy stopped');
      if (!graceful) process.exit(1);
    },
  });
  return 0;
}

process.exitCode = await main();
