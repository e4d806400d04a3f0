/** Test support: a fake upstream and a proxy governed by a control plane (`openControlPlane`). */
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream, FakeUpstreamOptions } from '@leeway/testing';
import { MemoryBudgetLedger } from '@leeway/state';
import type { BudgetLedger } from '@leeway/state';
import { loadProxyConfig } from '../../config/proxy.config';
import { createProxyLogger } from '../../observability/proxy.logger';
import { createProxyApp } from '../../proxy.app';
import type { ProxyApp } from '../../proxy.app';
import { BusChangeFeed } from '../change-feed';
import type { ChangeFeed } from '../change-feed';
import { DbGovernanceSource } from '../governance.source';
import { Governance } from '../governance.service';
import type { GovernanceOptions } from '../governance.service';
import type { BudgetAlert } from '../budget.gate';
import type { RawProviderKeys } from '../virtual-key.resolver';
import type { ControlPlane } from './governance-fixture';
import { FIXTURE_SECRET_KEY } from './governance-fixture';

export interface GovernedProxy {
  readonly upstream: FakeUpstream;
  readonly proxy: ProxyApp;
  readonly governance: Governance;
  readonly ledger: BudgetLedger;
  readonly url: string;
  readonly alerts: { url: string; alert: BudgetAlert }[];
  close(): Promise<void>;
}

export async function startGovernedProxy(
  control: ControlPlane,
  options: {
    upstream?: FakeUpstream;
    upstreamOptions?: FakeUpstreamOptions;
    ledger?: BudgetLedger;
    changes?: ChangeFeed;
    rawProviderKeys?: RawProviderKeys;
    env?: Readonly<Record<string, string>>;
    governance?: Partial<GovernanceOptions>;
  } = {},
): Promise<GovernedProxy> {
  const upstream = options.upstream ?? (await startFakeUpstream(options.upstreamOptions));
  const config = loadProxyConfig({
    LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
    LEEWAY_OPENAI_BASE_URL: upstream.url,
    LEEWAY_LOG_LEVEL: 'silent',
    LEEWAY_SECRET_KEY: FIXTURE_SECRET_KEY,
    LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
    ...options.env,
  });
  const ledger = options.ledger ?? new MemoryBudgetLedger();
  const alerts: { url: string; alert: BudgetAlert }[] = [];
  const governance = new Governance({
    source: new DbGovernanceSource(control.database.sql, FIXTURE_SECRET_KEY),
    ledger,
    changes: options.changes ?? new BusChangeFeed(control.bus),
    secretKey: FIXTURE_SECRET_KEY,
    rawProviderKeys: options.rawProviderKeys ?? 'allow',
    defaults: { compression: config.compression.mode, cachePlanner: true, retrieval: true },
    alert: (url, alert) => {
      alerts.push({ url, alert });
      return Promise.resolve();
    },
    ...options.governance,
  });
  const proxy = await createProxyApp({ config, governance, logger: createProxyLogger('silent'), defaultMetrics: false });
  const url = await proxy.listen(0);
  return {
    upstream,
    proxy,
    governance,
    ledger,
    url,
    alerts,
    close: async () => {
      await proxy.close();
      await governance.close();
      if (!options.upstream) await upstream.close();
    },
  };
}
