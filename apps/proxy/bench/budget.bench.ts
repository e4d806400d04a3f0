// Budget benchmark (`npm run bench:budget` → `tsx apps/proxy/bench/budget.bench.ts [--json]`). Needs REDIS_URL.
//
// 1. Overshoot: three proxy processes share one Redis budget ledger; 200 concurrent requests with one
//    virtual key race against a hard budget that admits only a fraction of them. Spend is what the fake
//    upstream billed for the requests it served (provider usage × list price), compared with the limit.
// 2. Overhead: the policy + budget check (`Governance.admit`: cached policy resolution, one Lua reserve
//    round trip) timed in process, p50/p99, against the same Redis.
//
// The control plane is a fixed in-memory source here (one team, key, credential, budget): the benchmark
// measures the shared ledger, not the admin database.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { computeCost, PriceBook, SEED_MODEL_PRICES } from '@leeway/contracts';
import type { BudgetView, ModelPrice, PolicyRule } from '@leeway/contracts';
import { closeRedisClient, createRedisClient, RedisBudgetLedger, waitForRedis } from '@leeway/state';
import { startFakeUpstream } from '@leeway/testing';
import { anthropicMessagesAdapter } from '@leeway/wire';
import { loadProxyConfig } from '../src/config/proxy.config';
import { Governance } from '../src/governance/governance.service';
import type { GovernanceSource } from '../src/governance/governance.source';
import { createProxyLogger } from '../src/observability/proxy.logger';
import { createProxyApp } from '../src/proxy.app';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const JSON_OUT = process.argv.includes('--json');
const CHILD = process.argv.includes('--child');
// eslint-disable-next-line no-restricted-properties -- a benchmark entry point reads its environment
const ENV = process.env;

const TEAM = 'team-bench';
const VIRTUAL_KEY = 'lwk_bench-virtual-key-0000000000000000';
const CREDENTIAL = 'sk-ant-bench-team-credential';
const MODEL = 'claude-sonnet-4-5';
const PROCESSES = 3;
const REQUESTS = 200;
const MAX_TOKENS = 256;
const OUTPUT_TOKENS = 200;
/** Stress case: responses longer than `max_tokens` (the estimate is then below the real cost). */
const UNDER_OUTPUT_TOKENS = 400;
const LIMIT_USD = '0.10';

function staticSource(limitUsd: string, withBudget = true): GovernanceSource {
  const budget: BudgetView = {
    id: 'budget-bench',
    teamId: TEAM,
    modelPattern: null,
    period: 'month',
    timezone: 'UTC',
    limitUsd,
    mode: 'hard',
    alertThresholds: [],
    webhookUrl: null,
    softCompression: null,
    onRedisLoss: 'open',
    enabled: true,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
  const policy: PolicyRule = {
    id: 'policy-bench',
    teamId: TEAM,
    modelPattern: 'claude-*',
    compression: 'balanced',
    shadow: false,
    retrieval: true,
    cachePlanner: true,
    excludedTools: [],
    priority: 0,
    enabled: true,
    version: 1,
  };
  const keyHash = createHash('sha256').update(VIRTUAL_KEY).digest('hex');
  return {
    findKey: (hash) => Promise.resolve(hash === keyHash ? { id: 'key-bench', teamId: TEAM, expiresAt: null } : null),
    findCredential: () => Promise.resolve({ id: 'cred-bench', apiKey: CREDENTIAL }),
    policies: () => Promise.resolve([policy]),
    budgets: () => Promise.resolve(withBudget ? [budget] : []),
    prices: (): Promise<readonly ModelPrice[]> => Promise.resolve(SEED_MODEL_PRICES),
    spendMicros: () => Promise.resolve(0),
  };
}

// ---------------------------------------------------------------------------------------------- child: one proxy

async function child(): Promise<void> {
  const redisUrl = ENV['REDIS_URL']!;
  const client = createRedisClient({ url: redisUrl, commandTimeoutMs: 2000 });
  await waitForRedis(client, 5000);
  const config = loadProxyConfig({
    LEEWAY_ANTHROPIC_BASE_URL: ENV['BENCH_UPSTREAM']!,
    LEEWAY_OPENAI_BASE_URL: ENV['BENCH_UPSTREAM']!,
    LEEWAY_LOG_LEVEL: 'silent',
    LEEWAY_SECRET_KEY: 'budget-bench-secret-0123456789',
    LEEWAY_COMPRESSION_WORKERS: '0',
  });
  const governance = new Governance({
    source: staticSource(ENV['BENCH_LIMIT_USD']!),
    ledger: new RedisBudgetLedger({ client, keyPrefix: ENV['BENCH_PREFIX']!, operationTimeoutMs: 2000 }),
    secretKey: config.secretKey,
    defaults: { compression: config.compression.mode, cachePlanner: true, retrieval: true },
  });
  const app = await createProxyApp({ config, governance, logger: createProxyLogger('silent'), defaultMetrics: false });
  const url = await app.listen(0);
  process.stdout.write(`PROXY ${url}\n`);
  process.on('SIGTERM', () => {
    void (async () => {
      await app.close();
      await closeRedisClient(client);
      process.exit(0);
    })();
  });
}

// ---------------------------------------------------------------------------------------------- parent

function waitForUrl(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PROXY (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    c.on('exit', (code) => reject(new Error(`proxy exited with ${code}: ${out}`)));
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function overshoot(redisUrl: string, outputTokens: number): Promise<Record<string, number | string>> {
  const upstream = await startFakeUpstream({ tokenizer: 'approximate', apiKeys: [CREDENTIAL] });
  upstream.script(...Array.from({ length: REQUESTS }, () => ({ text: 'ok', outputTokens })));
  const prefix = `lwbench${randomBytes(3).toString('hex')}`;
  const children: ChildProcess[] = [];
  try {
    const urls: string[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const c = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
        cwd: ROOT,
        env: { ...ENV, REDIS_URL: redisUrl, BENCH_UPSTREAM: upstream.url, BENCH_PREFIX: prefix, BENCH_LIMIT_USD: LIMIT_USD },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(c);
      urls.push(await waitForUrl(c));
    }
    const body = JSON.stringify({ model: MODEL, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] });
    const statuses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        fetch(`${urls[i % PROCESSES]!}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': VIRTUAL_KEY, 'anthropic-version': '2023-06-01' },
          body,
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 500)); // settles run after the response
    const price = new PriceBook(SEED_MODEL_PRICES).findPrice('anthropic', MODEL, new Date())!;
    let billedPico = 0n;
    let maxRequestPico = 0n;
    for (const rec of upstream.requests) {
      const u = rec.reply?.usage as { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number } | null;
      if (!u || rec.reply?.status !== 200) continue;
      const cost = computeCost(
        {
          usage: {
            inputTokens: u.input_tokens ?? 0,
            outputTokens: u.output_tokens ?? 0,
            cacheReadTokens: u.cache_read_input_tokens ?? 0,
            cacheWrite5mTokens: u.cache_creation_input_tokens ?? 0,
            cacheWrite1hTokens: 0,
            reasoningTokens: null,
            estimated: false,
          },
          compression: { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
          cacheBreakpointsAdded: 0,
        },
        price,
      );
      billedPico += cost.billed ?? 0n;
      if ((cost.billed ?? 0n) > maxRequestPico) maxRequestPico = cost.billed ?? 0n;
    }
    const client = createRedisClient({ url: redisUrl, commandTimeoutMs: 2000 });
    await waitForRedis(client, 5000);
    const window = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).toISOString();
    const counter = Number(await client.get(`${prefix}:{${TEAM}}:budget:budget-bench:${window}`));
    await closeRedisClient(client);
    const limitMicros = Math.round(Number(LIMIT_USD) * 1e6);
    const spentMicros = Number(billedPico / 1_000_000n);
    return {
      processes: PROCESSES,
      requests: REQUESTS,
      maxTokens: MAX_TOKENS,
      outputTokens,
      limitUsd: LIMIT_USD,
      served: statuses.filter((s) => s === 200).length,
      refused429: statuses.filter((s) => s === 429).length,
      otherStatus: statuses.filter((s) => s !== 200 && s !== 429).length,
      upstreamRequests: upstream.requests.length,
      spentUsd: (spentMicros / 1e6).toFixed(6),
      ledgerCounterUsd: (counter / 1e6).toFixed(6),
      overshootUsd: (Math.max(0, spentMicros - limitMicros) / 1e6).toFixed(6),
      oneRequestCostUsd: (Number(maxRequestPico / 1_000_000n) / 1e6).toFixed(6),
      allowedOvershootUsd: ((PROCESSES * Number(maxRequestPico / 1_000_000n)) / 1e6).toFixed(6),
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await upstream.close();
  }
}

async function overhead(redisUrl: string): Promise<Record<string, number>> {
  const client = createRedisClient({ url: redisUrl, commandTimeoutMs: 2000 });
  await waitForRedis(client, 5000);
  const prefix = `lwbench${randomBytes(3).toString('hex')}`;
  const make = (withBudget: boolean) =>
    new Governance({
      source: staticSource('1000000', withBudget),
      ledger: new RedisBudgetLedger({ client, keyPrefix: prefix, operationTimeoutMs: 2000 }),
      secretKey: 'budget-bench-secret-0123456789',
      defaults: { compression: 'balanced', cachePlanner: true, retrieval: true },
    });
  const parsed = anthropicMessagesAdapter.parseRequest(
    Buffer.from(JSON.stringify({ model: MODEL, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'Say hello.' }] })),
  );
  const identity = { tenant: TEAM, teamId: TEAM, credential: 'virtual-key' as const, keySecret: 'x' };
  const out: Record<string, number> = {};
  for (const [name, withBudget] of [
    ['policyOnly', false],
    ['policyAndBudget', true],
  ] as const) {
    const g = make(withBudget);
    const samples: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const t = performance.now();
      const res = await g.admit(identity, parsed, `req-${name}-${i}`);
      const dt = performance.now() - t;
      if (i >= 500) samples.push(dt); // warm-up
      if (res.ticket) await g.settle(res.ticket, null, false);
    }
    samples.sort((a, b) => a - b);
    out[`${name}P50Ms`] = Number(percentile(samples, 50).toFixed(4));
    out[`${name}P99Ms`] = Number(percentile(samples, 99).toFixed(4));
    await g.close();
  }
  await closeRedisClient(client);
  return out;
}

async function main(): Promise<void> {
  const redisUrl = ENV['REDIS_URL'];
  if (!redisUrl) throw new Error('REDIS_URL is required (the benchmark shares one Redis between proxy processes)');
  const result = {
    overshoot: await overshoot(redisUrl, OUTPUT_TOKENS),
    underestimated: await overshoot(redisUrl, UNDER_OUTPUT_TOKENS),
    overhead: await overhead(redisUrl),
  };
  if (JSON_OUT) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const lines = (title: string, o: Record<string, number | string>): string[] => [
    `${title}: ${o['processes']} proxy processes, ${o['requests']} concurrent requests (max_tokens ${o['maxTokens']}, responses of ${o['outputTokens']} output tokens), hard limit $${o['limitUsd']}`,
    `  served ${o['served']}, refused 429 ${o['refused429']}, other ${o['otherStatus']}`,
    `  spent $${o['spentUsd']} (ledger counter $${o['ledgerCounterUsd']}); overshoot $${o['overshootUsd']}` +
      ` (target ≤ one in-flight request per process: $${o['allowedOvershootUsd']}, one request ≈ $${o['oneRequestCostUsd']})`,
  ];
  process.stdout.write(
    [
      ...lines('budget overshoot', result.overshoot),
      ...lines('budget overshoot, responses longer than max_tokens (estimate below cost)', result.underestimated),
      `policy + budget check (Governance.admit, one Redis Lua round trip): p50 ${result.overhead['policyAndBudgetP50Ms']} ms, p99 ${result.overhead['policyAndBudgetP99Ms']} ms`,
      `policy only (no budget): p50 ${result.overhead['policyOnlyP50Ms']} ms, p99 ${result.overhead['policyOnlyP99Ms']} ms`,
      '',
    ].join('\n'),
  );
}

if (CHILD) {
  child().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
