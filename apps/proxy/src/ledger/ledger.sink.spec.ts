import { parseSavingsEvent, SAVINGS_EVENT_V1_PATTERN } from '@leeway/contracts';
import { MemoryEventBus } from '@leeway/state';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ExchangeRecord } from '../exchange/exchange.sink';
import { loadLedgerConfig } from '../config/ledger.config';
import { openLedger } from './ledger';
import { LedgerExchangeSink } from './ledger.sink';
import { toSavingsEvent, type LedgerExchange } from './savings-event.mapper';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function exchange(over: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    requestId: 'req-1',
    provider: 'anthropic',
    route: 'anthropic.messages',
    method: 'POST',
    path: '/v1/messages',
    tenant: 'team-a',
    session: null,
    model: 'claude-sonnet-4-5',
    stream: true,
    status: 200,
    outcome: 'complete',
    usage: {
      inputTokens: 120,
      outputTokens: 40,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 300,
      cacheWrite1hTokens: 0,
      reasoningTokens: null,
    },
    stopReason: 'end_turn',
    error: null,
    leewayError: null,
    clientAborted: false,
    optimization: 'applied',
    failOpenReason: null,
    tokensBefore: 900,
    tokensAfter: 250,
    segments: { total: 3, protected: 1, replayed: 0, compressed: 1 },
    startedAt: T0,
    latencyMs: 812.6,
    ttfbMs: 95.2,
    optimizeMs: 3,
    requestBytes: 5000,
    forwardedBytes: 2000,
    responseBytes: 800,
    ...over,
  };
}

const mapped = (record: LedgerExchange) => {
  const result = toSavingsEvent(record);
  if (!result.ok) throw new Error(`not mapped: ${result.reason}`);
  const parsed = parseSavingsEvent(result.event);
  if (!parsed.ok) throw new Error(`invalid event: ${parsed.reason}`);
  return parsed.event;
};

const silent = () => {
  const lines: { fields: object; message: string }[] = [];
  return {
    lines,
    logger: {
      warn: (fields: object, message: string) => lines.push({ fields, message }),
      error: (fields: object, message: string) => lines.push({ fields, message }),
    },
  };
};

describe('toSavingsEvent', () => {
  it('maps a complete exchange to a valid v1 event with every usage class, team, model and compression summary', () => {
    const event = mapped(exchange());
    expect(event).toMatchObject({
      v: 1,
      requestId: 'req-1',
      occurredAt: '2026-03-01T10:00:00.000Z',
      completedAt: '2026-03-01T10:00:00.813Z',
      teamId: 'team-a',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      operation: 'messages',
      stream: true,
      status: 'complete',
      httpStatus: 200,
      errorCode: null,
      latencyMs: 813,
      ttfbMs: 95,
      usage: { inputTokens: 120, outputTokens: 40, cacheReadTokens: 1000, cacheWrite5mTokens: 300, cacheWrite1hTokens: 0, reasoningTokens: null },
      compression: { tokensBefore: 900, tokensAfter: 250 },
    });
  });

  it('a truncated stream is partial and keeps the reported usage; unknown classes stay null, never 0', () => {
    const event = mapped(
      exchange({
        outcome: 'truncated',
        clientAborted: true,
        usage: { inputTokens: 50, outputTokens: null, cacheReadTokens: null, cacheWrite5mTokens: null, cacheWrite1hTokens: null, reasoningTokens: null },
      }),
    );
    expect(event.status).toBe('partial');
    expect(event.errorCode).toBe('client_aborted');
    expect(event.usage).toMatchObject({ inputTokens: 50, outputTokens: null, cacheReadTokens: null });
  });

  it('upstream and Leeway errors are error with their code; a non-2xx is never complete', () => {
    expect(mapped(exchange({ outcome: 'error', status: 200, error: { type: 'overloaded_error', message: 'x' } }))).toMatchObject({
      status: 'error',
      errorCode: 'overloaded_error',
    });
    expect(mapped(exchange({ outcome: 'error', status: 400, leewayError: 'PRX_BAD_JSON' as never }))).toMatchObject({
      status: 'error',
      httpStatus: 400,
      errorCode: 'PRX_BAD_JSON',
    });
    expect(mapped(exchange({ outcome: 'complete', status: 529 })).status).toBe('error');
    expect(mapped(exchange({ status: 0, outcome: 'truncated' })).httpStatus).toBeNull();
  });

  it('OpenAI routes, unknown model and odd numbers still give a valid event', () => {
    const event = mapped(
      exchange({ provider: 'openai', route: 'openai.chat_completions', model: null, tokensBefore: 10, tokensAfter: 12, latencyMs: -1 }),
    );
    expect(event).toMatchObject({ provider: 'openai', operation: 'chat.completions', model: 'unknown', latencyMs: 0 });
    expect(event.compression).toMatchObject({ tokensBefore: 10, tokensAfter: 10 });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(mapped({ ...exchange(), traceparent }).traceparent).toBe(traceparent);
    expect(mapped({ ...exchange(), traceparent: 'garbage' }).traceparent).toBeNull();
    expect(mapped(exchange({ keyId: 'key_123' })).keyId).toBe('key_123');
    expect(mapped(exchange()).keyId).toBeNull();
    expect(mapped(exchange({ route: 'openai.responses', provider: 'openai' })).operation).toBe('responses');
  });

  it('token counting and pass-through are not ledgered; an unusable request id is refused', () => {
    expect(toSavingsEvent(exchange({ route: 'anthropic.count_tokens' }))).toEqual({ ok: false, reason: 'not_billable' });
    expect(toSavingsEvent(exchange({ route: 'passthrough' }))).toEqual({ ok: false, reason: 'not_billable' });
    expect(toSavingsEvent(exchange({ requestId: 'has space' }))).toEqual({ ok: false, reason: 'bad_request_id' });
  });
});

describe('LedgerExchangeSink', () => {
  it('publishes off the request path: nothing on record(), one savings.v1 event per exchange after the turn', async () => {
    const bus = new MemoryEventBus();
    const sink = new LedgerExchangeSink({ publisher: bus.publisher, logger: silent().logger });
    sink.record(exchange({ requestId: 'a' }));
    sink.record(exchange({ requestId: 'b', route: 'passthrough' }));
    sink.record(exchange({ requestId: 'c' }));
    expect(bus.pendingCount()).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(sink.stats()).toMatchObject({ queued: 0, published: 2, skipped: 1, dropped: 0 });
    const read = await bus.source.read('memory', 10);
    expect(read.map((d) => d.pattern)).toEqual([SAVINGS_EVENT_V1_PATTERN, SAVINGS_EVENT_V1_PATTERN]);
    expect(read.map((d) => (JSON.parse(d.payload ?? '{}') as { requestId: string }).requestId)).toEqual(['a', 'c']);
  });

  it('overflow drops, counts and logs (rate-limited) without throwing; closed sinks drop too', async () => {
    const bus = new MemoryEventBus();
    const log = silent();
    let now = 0;
    const sink = new LedgerExchangeSink({ publisher: bus.publisher, logger: log.logger, capacity: 2, warnIntervalMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) sink.record(exchange({ requestId: `r${i}` }));
    expect(sink.stats()).toMatchObject({ queued: 2, dropped: 3 });
    expect(log.lines.filter((l) => l.message.includes('dropped'))).toHaveLength(1);
    now = 2000;
    sink.record(exchange({ requestId: 'r5' }));
    expect(log.lines.filter((l) => l.message.includes('dropped'))).toHaveLength(2);
    const closed = await sink.close(100);
    expect(closed).toMatchObject({ published: 2, dropped: 4 });
    sink.record(exchange({ requestId: 'late' }));
    expect(sink.stats().dropped).toBe(5);
    expect(bus.pendingCount()).toBe(2);
  });

  it('a publisher that throws does not reach the caller', async () => {
    const log = silent();
    const sink = new LedgerExchangeSink({
      publisher: {
        publish: () => {
          throw new Error('boom');
        },
        stats: () => ({ depth: 0, published: 0, dropped: 0, failedWrites: 0 }),
        flush: async () => ({ depth: 0, published: 0, dropped: 0, failedWrites: 0 }),
        close: async () => ({ depth: 0, published: 0, dropped: 0, failedWrites: 0 }),
      },
      logger: log.logger,
    });
    expect(() => sink.record(exchange())).not.toThrow();
    await sink.flush(10);
    expect(sink.stats().failed).toBe(1);
    expect(log.lines.map((l) => l.message)).toContain('savings event could not be published');
  });
});

describe('loadLedgerConfig', () => {
  it('defaults match ingestion; bad values are reported', () => {
    expect(loadLedgerConfig({})).toEqual({ enabled: true, streamPrefix: 'leeway:events', partitions: 4, queueCapacity: 10_000, spoolCapacity: 50_000 });
    expect(loadLedgerConfig({ LEEWAY_LEDGER: 'false', LEEWAY_EVENT_PARTITIONS: '8' })).toMatchObject({ enabled: false, partitions: 8 });
    expect(() => loadLedgerConfig({ LEEWAY_EVENT_PARTITIONS: '0' })).toThrow(/LEEWAY_EVENT_PARTITIONS/);
  });
});

describe('openLedger', () => {
  const logger = { ...silent().logger, info: () => undefined };

  it('over a caller-owned publisher: exposes gauges, flushes on close without closing the publisher', async () => {
    const bus = new MemoryEventBus();
    const registry = new Registry();
    const ledger = openLedger({ config: loadLedgerConfig({}), publisher: bus.publisher, logger, registry })!;
    expect(ledger.transport).toBe('caller');
    ledger.sink.record(exchange({ requestId: 'm1' }));
    ledger.sink.record(exchange({ requestId: 'm2', route: 'anthropic.count_tokens' }));
    expect(await registry.getSingleMetricAsString('leeway_proxy_ledger_spool_depth')).toMatch(/leeway_proxy_ledger_spool_depth 2$/m);
    await ledger.close(100);
    const text = await registry.getSingleMetricAsString('leeway_proxy_ledger_events');
    expect(text).toMatch(/outcome="published"} 1$/m);
    expect(text).toMatch(/outcome="skipped"} 1$/m);
    expect(bus.pendingCount()).toBe(1);
    bus.publisher.publish(SAVINGS_EVENT_V1_PATTERN, 'x', { v: 1 });
    expect(bus.pendingCount()).toBe(2);
  });

  it('is off when disabled, or with neither a publisher nor REDIS_URL', () => {
    expect(openLedger({ config: loadLedgerConfig({ LEEWAY_LEDGER: 'false' }), publisher: new MemoryEventBus().publisher, logger })).toBeNull();
    expect(openLedger({ config: loadLedgerConfig({}), redisUrl: null, logger })).toBeNull();
  });
});
