/**
 * Composition of governance from the proxy configuration (`LEEWAY_GOVERNANCE=true`): the admin tables
 * from `DATABASE_URL` (or the embedded stack's shared database), admin changes over Redis pub/sub when
 * `REDIS_URL` is set (or the embedded in-process bus), budget counters in Redis (or in process memory).
 */
import { openDatabase } from '@leeway/db';
import type { Database, SqlQueryable } from '@leeway/db';
import { closeRedisClient, createRedisClient, MemoryBudgetLedger, RedisBudgetLedger } from '@leeway/state';
import type { BudgetLedger } from '@leeway/state';
import type { ProxyConfig } from '../config/proxy.config';
import type { ProxyLogger } from '../observability/proxy.logger';
import { BusChangeFeed, RedisChangeFeed } from './change-feed';
import type { ChangeBus, ChangeFeed } from './change-feed';
import { DbGovernanceSource } from './governance.source';
import { Governance } from './governance.service';

export interface OpenGovernanceOptions {
  readonly config: ProxyConfig;
  readonly logger: ProxyLogger;
  /** The embedded stack's database (shared PGlite); default: opened from `config.governance.databaseUrl`. */
  readonly sql?: SqlQueryable;
  /** The embedded stack's admin change bus (the admin's `MemoryChangePublisher`). */
  readonly bus?: ChangeBus;
  readonly onBudgetUtilisation?: (team: string, ratio: number) => void;
}

export interface GovernanceHandle {
  readonly governance: Governance;
  close(): Promise<void>;
}

export class GovernanceConfigError extends Error {
  readonly code = 'PRX_CONFIG_INVALID';
}

export async function openGovernance(options: OpenGovernanceOptions): Promise<GovernanceHandle> {
  const { config, logger } = options;
  if (config.secretKeyIsDefault) {
    throw new GovernanceConfigError('LEEWAY_GOVERNANCE needs LEEWAY_SECRET_KEY (the admin API\'s, to decrypt team credentials)');
  }
  const owned: (() => Promise<void>)[] = [];
  let sql = options.sql;
  if (!sql) {
    const url = config.governance.databaseUrl;
    if (!url) throw new GovernanceConfigError('LEEWAY_GOVERNANCE needs DATABASE_URL (the admin database) in split mode');
    const database: Database = await openDatabase({ databaseUrl: url, poolMax: 4, applicationName: 'leeway-proxy-governance' });
    owned.push(() => database.close());
    sql = database.sql;
  }
  const onError = (error: unknown, what: string): void =>
    logger.warn({ what, message: error instanceof Error ? error.message : String(error) }, 'governance degraded');
  let changes: ChangeFeed | undefined;
  if (options.bus) changes = new BusChangeFeed(options.bus);
  else if (config.state.redisUrl) {
    changes = new RedisChangeFeed({ url: config.state.redisUrl, cluster: config.state.redisCluster, onError: (e) => onError(e, 'admin changes') });
  } else logger.warn('governance without REDIS_URL or an embedded bus: admin changes apply after at most 60 s');
  let ledger: BudgetLedger;
  if (config.state.redisUrl) {
    const redis = createRedisClient({
      url: config.state.redisUrl,
      cluster: config.state.redisCluster,
      commandTimeoutMs: config.state.redisTimeoutMs,
      connectionName: 'leeway-proxy-budgets',
      onError: (e) => onError(e, 'budget ledger'),
    });
    owned.push(() => closeRedisClient(redis));
    ledger = new RedisBudgetLedger({ client: redis, keyPrefix: config.state.redisKeyPrefix, operationTimeoutMs: config.state.redisTimeoutMs });
  } else ledger = new MemoryBudgetLedger();
  const governance = new Governance({
    source: new DbGovernanceSource(sql, config.secretKey),
    ledger,
    ...(changes ? { changes } : {}),
    secretKey: config.secretKey,
    rawProviderKeys: config.governance.rawProviderKeys,
    // The proxy's own switches (LEEWAY_CACHE_PLAN, LEEWAY_RETRIEVE_TOOL, …) still apply on top of any policy.
    defaults: { compression: config.compression.mode, cachePlanner: true, retrieval: true },
    onError,
    ...(options.onBudgetUtilisation ? { onBudgetUtilisation: options.onBudgetUtilisation } : {}),
  });
  return {
    governance,
    close: async () => {
      await governance.close();
      for (const close of owned.reverse()) await close().catch(() => undefined);
    },
  };
}
