/**
 * The real arm environment: fake upstreams from `@leeway/testing` (scripted with the recorded responses,
 * computing usage and prompt caching as the providers do) and an in-process Leeway proxy with in-memory
 * state pointed at one of them.
 */
import type { ArmEnvironment, ProxyHandle } from './replay';
import { ReplayError } from './replay-error';
import type { ArmName, UpstreamHandle } from './runner';
import { startScriptedUpstream } from './upstream';

/** Proxy compression modes the replay can run with. */
export type ProxyMode = 'off' | 'lossless' | 'balanced' | 'aggressive';
export const PROXY_MODES: readonly ProxyMode[] = ['off', 'lossless', 'balanced', 'aggressive'];

export interface EnvironmentOptions {
  /** The proxy's compression mode (default: the proxy's own default). */
  readonly mode?: ProxyMode;
  /**
   * Run the Leeway arm inside the embedded stack (proxy + ingestion + ledger database, as `leeway start`)
   * so its requests land in the ledger like real traffic: PostgreSQL with `DATABASE_URL`, else PGlite in
   * `LEEWAY_DATA_DIR`. `env` is the environment to configure it from (the process's by default).
   */
  readonly ledger?: { readonly env: Readonly<Record<string, string | undefined>>; onTarget?(target: string): void };
}

/** Proxy settings of the replay: its own upstream, quiet logs, a generous optimisation budget. */
function replayProxyEnv(upstreamBaseUrl: string, opts: EnvironmentOptions): Record<string, string> {
  return {
    LEEWAY_PROXY_PORT: '0',
    LEEWAY_ANTHROPIC_BASE_URL: upstreamBaseUrl,
    LEEWAY_OPENAI_BASE_URL: upstreamBaseUrl,
    LEEWAY_LOG_LEVEL: 'silent',
    // The replay measures what Leeway's decisions cost, not the benchmark machine's load: with the
    // production budget (100 ms) a loaded machine abandons compressions at random and the ratios drift
    // from run to run.
    LEEWAY_OPTIMIZE_BUDGET_MS: '10000',
    ...(opts.mode !== undefined ? { LEEWAY_COMPRESSION_MODE: opts.mode } : {}),
  };
}

async function startLedgerStack(upstreamBaseUrl: string, opts: EnvironmentOptions, ledger: NonNullable<EnvironmentOptions['ledger']>): Promise<ProxyHandle> {
  const { startEmbeddedStack } = await import('../commands/start');
  const stack = await startEmbeddedStack({
    env: { ...ledger.env, ...replayProxyEnv(upstreamBaseUrl, opts), REDIS_URL: '' },
    proxyPort: 0,
    adminPort: 0,
  });
  ledger.onTarget?.(stack.databaseTarget);
  return { baseUrl: stack.proxyUrl, close: () => stack.close() };
}

async function startProxy(upstreamBaseUrl: string, opts: EnvironmentOptions): Promise<ProxyHandle> {
  // The CLI embeds the proxy in-process (as `leeway start` does): the one app-to-app dependency, loaded
  // lazily so `--arms direct` never boots Nest.
  const proxyModule = await import('@leeway/proxy').catch((err: unknown) => {
    throw new ReplayError(
      'RPL_PROXY_UNAVAILABLE',
      `the Leeway proxy could not be loaded (${(err as Error).message}); use --arms direct`,
      {
        cause: err,
      },
    );
  });
  const config = proxyModule.loadProxyConfig(replayProxyEnv(upstreamBaseUrl, opts));
  const app = await proxyModule.createProxyApp({ config, defaultMetrics: false });
  const baseUrl = await app.listen(0);
  return { baseUrl, close: () => app.close() };
}

export async function createArmEnvironment(
  arms: readonly ArmName[],
  opts: EnvironmentOptions = {},
): Promise<ArmEnvironment> {
  return {
    startUpstream: (): Promise<UpstreamHandle> => startScriptedUpstream(),
    startProxy: arms.includes('leeway') ? (url) => (opts.ledger ? startLedgerStack(url, opts, opts.ledger) : startProxy(url, opts)) : null,
  };
}
