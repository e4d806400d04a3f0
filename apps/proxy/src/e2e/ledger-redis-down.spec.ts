// The ledger never blocks or fails a request: with the event stream unreachable, requests are served as
// usual and the events wait in the bounded spool (visible as a gauge); shutdown is bounded.
import Anthropic from '@anthropic-ai/sdk';
import { openStateStores, type StateStores } from '@leeway/state';
import { startFakeUpstream, type FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLedgerConfig } from '../config/ledger.config';
import { loadProxyConfig } from '../config/proxy.config';
import { createProxyLogger } from '../observability/proxy.logger';
import { createProxyApp, type ProxyApp } from '../proxy.app';

describe('ledger with the event stream down', { timeout: 60_000 }, () => {
  let upstream: FakeUpstream;
  let stores: StateStores;
  let proxy: ProxyApp;
  let url: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
    stores = await openStateStores({});
    const config = loadProxyConfig({
      LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
      LEEWAY_OPENAI_BASE_URL: upstream.url,
      LEEWAY_LOG_LEVEL: 'silent',
      LEEWAY_SECRET_KEY: 'e2e-secret-key-0123456789',
      // nothing listens on port 1: every write attempt fails
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    proxy = await createProxyApp({
      config,
      stores,
      logger: createProxyLogger('silent'),
      defaultMetrics: false,
      ledger: loadLedgerConfig({ LEEWAY_EVENT_SPOOL: '15' }),
    });
    url = await proxy.listen(0);
  });
  afterAll(async () => {
    await proxy?.close();
    await stores?.close();
    await upstream?.close();
  });

  it('serves every request; events are spooled up to the bound, the rest dropped and counted; close is bounded', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0, timeout: 10_000 });
    for (let i = 0; i < 20; i++) {
      upstream.script({ text: `answer ${i}` });
      const started = performance.now();
      const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: `q${i}` }] });
      expect(message.content[0]).toMatchObject({ type: 'text', text: `answer ${i}` });
      expect(performance.now() - started).toBeLessThan(5000);
    }
    await new Promise((r) => setTimeout(r, 50));
    const events = await proxy.metrics.registry.getSingleMetricAsString('leeway_proxy_ledger_events');
    expect(events).toMatch(/outcome="published"} 20$/m);
    expect(events).toMatch(/outcome="dropped"} 5$/m);
    expect(await proxy.metrics.registry.getSingleMetricAsString('leeway_proxy_ledger_spool_depth')).toMatch(/ 15$/m);

    const closing = performance.now();
    await proxy.close();
    expect(performance.now() - closing).toBeLessThan(15_000);
  });
});
