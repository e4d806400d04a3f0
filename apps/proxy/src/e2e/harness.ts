// Test harness: a fake upstream (or two) and a proxy pointed at it, with a sink collecting exchange records.
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream, FakeUpstreamOptions } from '@leeway/testing';
import type { StateStores } from '@leeway/state';
import { loadProxyConfig } from '../config/proxy.config';
import type { ExchangeRecord, ExchangeSink } from '../exchange/exchange.sink';
import { createProxyLogger } from '../observability/proxy.logger';
import { createProxyApp } from '../proxy.app';
import type { ProxyApp } from '../proxy.app';

/** Collects exchange records; `next()` waits for the n-th one. */
export class CollectingSink implements ExchangeSink {
  readonly records: ExchangeRecord[] = [];
  private waiters: { n: number; resolve: (r: ExchangeRecord) => void }[] = [];

  record(exchange: ExchangeRecord): void {
    this.records.push(exchange);
    this.waiters = this.waiters.filter((w) => {
      if (this.records.length >= w.n) {
        w.resolve(this.records[w.n - 1] as ExchangeRecord);
        return false;
      }
      return true;
    });
  }

  /** The record number `n` (1-based), waiting up to `timeoutMs`. */
  async nth(n: number, timeoutMs = 5000): Promise<ExchangeRecord> {
    if (this.records.length >= n) return this.records[n - 1] as ExchangeRecord;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no exchange record #${n} after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  /** The record following the ones seen so far. */
  async next(timeoutMs = 5000): Promise<ExchangeRecord> {
    return this.nth(this.records.length + 1, timeoutMs);
  }
}

export interface Harness {
  readonly upstream: FakeUpstream;
  readonly proxy: ProxyApp;
  /** Proxy base URL (Anthropic clients); OpenAI clients use `${url}/v1`. */
  readonly url: string;
  readonly sink: CollectingSink;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly upstream?: FakeUpstream;
  readonly upstreamOptions?: FakeUpstreamOptions;
  readonly stores?: StateStores;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const upstream = options.upstream ?? (await startFakeUpstream(options.upstreamOptions));
  const config = loadProxyConfig({
    LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
    LEEWAY_OPENAI_BASE_URL: upstream.url,
    LEEWAY_LOG_LEVEL: 'silent',
    LEEWAY_SECRET_KEY: 'e2e-secret-key-0123456789',
    // Compression of a cold process can exceed the default budget on a loaded CI machine.
    LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
    // The prompt-cache planner changes bodies on its own (markers, prompt_cache_key): suites about other
    // invariants run without it; the cache-plan-* suites turn it on.
    LEEWAY_CACHE_PLAN: 'false',
    LEEWAY_OPENAI_CACHE_KEY: 'false',
    ...options.env,
  });
  const sink = new CollectingSink();
  const proxy = await createProxyApp({
    config,
    exchangeSink: sink,
    logger: createProxyLogger('silent'),
    defaultMetrics: false,
    ...(options.stores ? { stores: options.stores } : {}),
  });
  const url = await proxy.listen(0);
  return {
    upstream,
    proxy,
    url,
    sink,
    close: async () => {
      await proxy.close();
      if (!options.upstream) await upstream.close();
    },
  };
}

/** POST raw bytes and return status, headers and the body bytes. */
export async function postRaw(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export const ANTHROPIC_HEADERS = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };
export const OPENAI_HEADERS = { authorization: 'Bearer sk-openai-test' };

/** A JSON tool output big enough to compress (rows of records with an error every few rows). */
export function jsonRows(seed: string, count = 150): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      id: i,
      name: `${seed}-user-${i}`,
      email: `${seed}.${i}@example.com`,
      status: i % 11 === 0 ? 'error' : 'ok',
      region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
      created_at: `2024-03-${String((i % 28) + 1).padStart(2, '0')}T08:15:00Z`,
    })),
    null,
    2,
  );
}
