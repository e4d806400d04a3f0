// The embedded start composes the apps in one process (DESIGN.md "Embedded default").
import { AdminConfigError, createAdminLogger, loadAdminConfig, MemoryChangePublisher, RedisChangePublisher, startAdmin } from '@leeway/admin';
import type { AdminHandle } from '@leeway/admin';
import { openDatabase, pgliteDirFor } from '@leeway/db';
import type { Database } from '@leeway/db';
import { ConfigError, createIngestionLogger, loadConfig, startIngestion } from '@leeway/ingestion';
import type { IngestionHandle } from '@leeway/ingestion';
import { createProxyApp, createProxyLogger, loadLedgerConfig, loadProxyConfig, ProxyConfigError, runUntilSignal } from '@leeway/proxy';
import type { ProxyApp, ProxyLogger, RunningService } from '@leeway/proxy';
import { MemoryEventBus, openStateStores } from '@leeway/state';
import type { StateStores } from '@leeway/state';
import { CliError } from '../cli-error';
import { embeddedAdminToken } from '../config/embedded-admin-token';
import { currentEnv } from '../config/env';

const USAGE = 'usage: leeway start';

export interface EmbeddedStackOptions {
  /** Environment to configure the stack from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** One logger for every app (default: a pino logger at `LEEWAY_LOG_LEVEL`). */
  readonly logger?: ProxyLogger;
  /** Ports to bind (tests pass 0); default from the environment (8787 / 8788). */
  readonly proxyPort?: number;
  readonly adminPort?: number;
}

/** A running embedded stack. `close()` stops it in reverse order (admin, proxy, ingestion, database, state). */
export interface EmbeddedStack {
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** `pglite:<dir>` or `postgres`. */
  readonly database: Database;
  readonly databaseTarget: string;
  /** `memory` (in-process bus) or `redis-streams`. */
  readonly events: 'memory' | 'redis-streams';
  readonly stores: StateStores;
  readonly proxy: ProxyApp;
  readonly ingestion: IngestionHandle;
  readonly admin: AdminHandle;
  /** The in-process bus (embedded events), or null with Redis. */
  readonly bus: MemoryEventBus | null;
  readonly services: readonly RunningService[];
  close(): Promise<void>;
}

function configError(error: unknown): never {
  if (error instanceof ProxyConfigError || error instanceof ConfigError || error instanceof AdminConfigError) {
    throw new CliError(error.message, 78);
  }
  throw error;
}

/** How long a closing stack waits for the in-process bus to be drained into the ledger. */
const BUS_DRAIN_MS = 5000;

/**
 * Start proxy + ingestion + admin in this process. Without `DATABASE_URL` the ledger lives in PGlite under
 * `$LEEWAY_DATA_DIR/pglite` (migrated at start, survives restarts); without `REDIS_URL` state and the event
 * bus are in memory. With them set, the same code uses PostgreSQL and Redis Streams.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  const env = options.env; // undefined: each loader reads process.env
  let proxyConfig;
  let ledgerConfig;
  let ingestionConfig;
  let adminConfig;
  try {
    proxyConfig = loadProxyConfig(env);
    ledgerConfig = loadLedgerConfig(env);
    ingestionConfig = loadConfig(env, { http: false });
    adminConfig = loadAdminConfig(env);
  } catch (error) {
    configError(error);
  }
  if (options.proxyPort !== undefined) proxyConfig = { ...proxyConfig, port: options.proxyPort };
  if (options.adminPort !== undefined) adminConfig = { ...adminConfig, port: options.adminPort };
  const logger = options.logger ?? createProxyLogger(proxyConfig.logLevel);
  if (proxyConfig.secretKeyIsDefault) logger.warn('LEEWAY_SECRET_KEY is not set: using a development secret for CCR keys');

  const services: RunningService[] = [];
  const closeAll = async (): Promise<void> => {
    for (const service of services.splice(0).reverse()) {
      await service.close().catch((error: unknown) => logger.error({ service: service.name, err: error }, 'shutdown step failed'));
    }
  };

  try {
    // Stores shared by every app of the stack (one Redis connection, or one in-memory state).
    const stores = await openStateStores({
      redisUrl: proxyConfig.state.redisUrl,
      redisCluster: proxyConfig.state.redisCluster,
      keyPrefix: proxyConfig.state.redisKeyPrefix,
      prefixTtlMs: proxyConfig.state.prefixTtlMs,
      ccrTtlMs: proxyConfig.state.ccrTtlMs,
      prefixLocalMaxBytes: proxyConfig.state.prefixLocalMaxBytes,
      memoryPrefixMaxBytes: proxyConfig.state.prefixMemoryMaxBytes,
      memoryCcrMaxBytes: proxyConfig.state.ccrMemoryMaxBytes,
      operationTimeoutMs: proxyConfig.state.redisTimeoutMs,
      onError: (error) => logger.warn({ code: (error as { code?: string }).code, message: error.message }, 'state store error'),
    });
    services.push({ name: 'state', close: () => stores.close() });

    // One database for ingestion and admin (PGlite allows one process-wide connection).
    const pgliteDir = pgliteDirFor(ingestionConfig.dataDir);
    const database = await openDatabase({
      databaseUrl: ingestionConfig.databaseUrl,
      pgliteDir,
      poolMax: ingestionConfig.dbPoolMax + 4,
      applicationName: 'leeway-embedded',
      onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
    });
    services.push({ name: 'database', close: () => database.close() });
    const databaseTarget = ingestionConfig.databaseUrl ? `postgres (schema ${database.schema})` : `pglite ${pgliteDir}`;

    // Events: the in-process bus, or Redis Streams (ingestion reads them with its own connection).
    const bus = ingestionConfig.redisUrl ? null : new MemoryEventBus();
    const ingestion = await startIngestion(ingestionConfig, {
      database,
      logger: options.logger ? options.logger.child({ component: 'ingestion' }) : createIngestionLogger(ingestionConfig.logLevel),
      ...(bus ? { source: bus.source } : {}),
    });
    services.push({
      name: 'ingestion',
      close: async () => {
        // Memory entries do not survive the process: let ingestion write what the proxy handed over.
        const deadline = Date.now() + BUS_DRAIN_MS;
        while (bus && bus.pendingCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        if (bus && bus.pendingCount() > 0) logger.warn({ pending: bus.pendingCount() }, 'savings events not written before shutdown');
        await ingestion.close();
      },
    });

    // Admin changes (keys, policies, budgets) reach the proxy's governance in process, or over Redis pub/sub.
    const changes = stores.redis ? new RedisChangePublisher(stores.redis) : new MemoryChangePublisher();
    const proxy = await createProxyApp({
      config: proxyConfig,
      stores,
      logger,
      defaultMetrics: false,
      ledger: ledgerConfig,
      ...(bus ? { eventPublisher: bus.publisher } : {}),
      // used when LEEWAY_GOVERNANCE=true: the stack's database and (in memory) its admin change bus
      governanceSql: database.sql,
      ...(changes instanceof MemoryChangePublisher ? { governanceBus: changes } : {}),
    });
    const proxyUrl = await proxy.listen();
    services.push({ name: 'proxy', close: () => proxy.close() });

    const admin = await startAdmin(
      { ...adminConfig, migrate: false },
      {
        database,
        logger: options.logger ? options.logger.child({ component: 'admin' }) : createAdminLogger(adminConfig.logLevel),
        publisher: changes,
      },
    );
    services.push({ name: 'admin', close: () => admin.close() });
    const adminUrl = admin.url ?? '';

    const events = bus ? 'memory' : 'redis-streams';
    logger.info(
      { proxyUrl, adminUrl, database: databaseTarget, events, state: stores.adapter, mode: proxyConfig.compression.mode },
      'embedded stack started',
    );
    let closing: Promise<void> | null = null;
    return {
      proxyUrl,
      adminUrl,
      database,
      databaseTarget,
      events,
      stores,
      proxy,
      ingestion,
      admin,
      bus,
      services: [...services],
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * `leeway start` / `npm start`: the embedded all-in-one stack in one process — proxy (port
 * `LEEWAY_PROXY_PORT`, default 8787), ingestion into the ledger, admin API (`LEEWAY_ADMIN_PORT`, default
 * 8788). Stops gracefully on SIGTERM/SIGINT: the proxy finishes its requests, its events reach the ledger.
 */
export async function runStart(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.length > 0) throw new CliError(`unexpected argument "${argv[0]}"\n${USAGE}`, 2);

  const admin = embeddedAdminToken();
  const stack = await startEmbeddedStack(admin.path === null ? {} : { env: { ...currentEnv(), LEEWAY_ADMIN_TOKEN: admin.token } });
  const logger = stack.proxy.logger;
  process.stdout.write(
    [
      `Leeway proxy on ${stack.proxyUrl} (state: ${stack.stores.adapter === 'redis' ? 'Redis' : 'in memory'}, events: ${stack.events === 'memory' ? 'in process' : 'Redis Streams'})`,
      'Point your clients at it:',
      `  export ANTHROPIC_BASE_URL=${stack.proxyUrl}`,
      `  export OPENAI_BASE_URL=${stack.proxyUrl}/v1`,
      `Ledger: ${stack.databaseTarget}`,
      `Admin API on ${stack.adminUrl} (OpenAPI: ${stack.adminUrl}/openapi.json)`,
      ...(admin.path === null
        ? []
        : [`  admin token (${admin.created ? 'created' : 'kept'} in ${admin.path}; set LEEWAY_ADMIN_TOKEN to choose one):`, `  curl -H "Authorization: Bearer $(cat ${admin.path})" ${stack.adminUrl}/v1/teams`]),
      'Ctrl-C stops it gracefully.',
      '',
    ].join('\n'),
  );

  await runUntilSignal([{ name: 'stack', close: () => stack.close() }], {
    onSignal: (signal) => logger.info({ signal }, 'shutting down'),
    onClosed: ({ graceful }) => {
      logger.info({ graceful }, 'stopped');
      if (!graceful) process.exit(1);
    },
  });
}
