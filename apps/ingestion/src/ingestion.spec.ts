/**
 * Ingestion end to end in embedded mode: in-process bus → Nest transport → pricing → batched writes
 * into PGlite. (The same paths against Redis and PostgreSQL: ingestion.int-spec.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAVINGS_EVENT_V1_PATTERN, type SavingsEventInput } from '@leeway/contracts';
import { openDatabase, type Database } from '@leeway/db';
import { MemoryEventBus, publishSavingsEvent } from '@leeway/state';
import {
  AnthropicStreamTap,
  OpenAiChatStreamTap,
  parseSse,
  summarizeAnthropicResponse,
  summarizeOpenAiChatResponse,
  type NormalizedUsage,
} from '@leeway/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/ingestion.config';
import { createIngestionLogger } from './ingestion.logger';
import { startIngestion, type IngestionHandle } from './start-ingestion';

const logger = createIngestionLogger('silent');
const config = loadConfig({ LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '10' }, { http: false });

function event(requestId: string, overrides: Partial<SavingsEventInput> = {}): SavingsEventInput {
  return {
    v: 1,
    requestId,
    occurredAt: '2026-12-03T10:00:00.000Z',
    completedAt: '2026-12-03T10:00:02.000Z',
    teamId: 'team-a',
    keyId: 'key-1',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5-20250929',
    operation: 'messages',
    stream: false,
    status: 'complete',
    httpStatus: 200,
    latencyMs: 2000,
    usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: null },
    compression: { tokensBefore: 5000, tokensAfter: 1000, kinds: ['json'] },
    ...overrides,
  };
}

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ingestion (embedded: in-process bus → PGlite)', { timeout: 120_000 }, () => {
  let db: Database;
  let bus: MemoryEventBus;
  let ingestion: IngestionHandle;

  const rows = async (where = 'true'): Promise<Record<string, unknown>[]> =>
    (
      await db.sql.query<Record<string, unknown>>(
        `SELECT request_id, price_id, billed_usd::text, counterfactual_usd::text, savings_compression_usd::text,
                input_tokens::int, output_tokens::int, cache_read_tokens::int, cache_write_5m_tokens::int, cost_flags, status
           FROM request_log WHERE ${where} ORDER BY request_id`,
      )
    ).rows;
  const handled = (): number => ingestion.server.stats().acked + ingestion.server.stats().deadLettered;
  const settled = (n: number) => () => handled() >= n;

  beforeAll(async () => {
    db = await openDatabase({});
    bus = new MemoryEventBus();
    ingestion = await startIngestion(config, { source: bus.source, database: db, logger });
  }, 120_000);
  afterAll(async () => {
    await ingestion?.close();
    await db?.close();
  });

  it('writes exactly one row per request however often the event is delivered', async () => {
    const before = handled();
    for (let i = 0; i < 3; i++) publishSavingsEvent(bus.publisher, event('dup-1'));
    await until(settled(before + 3));
    publishSavingsEvent(bus.publisher, event('dup-1'));
    await until(settled(before + 4));
    expect(await rows(`request_id = 'dup-1'`)).toHaveLength(1);
    const rollup = await db.sql.query<{ requests: string }>(`SELECT requests::text FROM daily_rollups WHERE team_id = 'team-a' AND model = 'claude-sonnet-4-5-20250929'`);
    expect(rollup.rows).toEqual([{ requests: '1' }]);
  });

  it('prices with the list price in force: $3/MTok input, $15/MTok output; compression priced at the input rate', async () => {
    const before = handled();
    publishSavingsEvent(bus.publisher, event('priced-1'));
    await until(settled(before + 1));
    expect(await rows(`request_id = 'priced-1'`)).toEqual([
      expect.objectContaining({
        price_id: 'seed:anthropic:claude-sonnet-4-5*:2025-09-29',
        billed_usd: '0.004500000000', // 1000 × $3 + 100 × $15 per MTok
        savings_compression_usd: '0.012000000000', // 4000 removed × $3 per MTok
        counterfactual_usd: '0.016500000000',
      }),
    ]);
  });

  it('dead-letters malformed events with a reason and keeps ingesting the rest', async () => {
    const before = handled();
    bus.publisher.publish(SAVINGS_EVENT_V1_PATTERN, 'bad-1', { v: 1, requestId: 'bad-1' });
    bus.publisher.publish(SAVINGS_EVENT_V1_PATTERN, 'bad-2', { ...event('bad-2'), v: 2 });
    bus.publisher.publish(SAVINGS_EVENT_V1_PATTERN, 'bad-3', { ...event('bad-3'), occurredAt: '2099-01-01T00:00:00Z', completedAt: '2099-01-01T00:00:01Z' });
    publishSavingsEvent(bus.publisher, event('after-bad'));
    await until(settled(before + 4));
    const reasons = bus.listDeadLetters().slice(-3).map((d) => d.reason);
    expect(reasons[0]).toMatch(/^invalid:/);
    expect(reasons[1]).toBe('unsupported_version:2');
    expect(reasons[2]).toBe('invalid:occurredAt: more than 24 h in the future');
    expect(await rows(`request_id = 'after-bad'`)).toHaveLength(1);
    expect(await rows(`request_id LIKE 'bad-%'`)).toEqual([]);
  });

  it('stores an unknown model as unpriced (NULL and flagged), never as 0', async () => {
    const before = handled();
    publishSavingsEvent(bus.publisher, event('unknown-model', { model: 'claude-opus-9' }));
    await until(settled(before + 1));
    expect(await rows(`request_id = 'unknown-model'`)).toEqual([
      expect.objectContaining({ price_id: null, billed_usd: null, counterfactual_usd: null, cost_flags: ['unpriced_model'] }),
    ]);
    const rollup = await db.sql.query(`SELECT unpriced_requests::int AS n, billed_usd::text FROM daily_rollups WHERE model = 'claude-opus-9'`);
    expect(rollup.rows).toEqual([{ n: 1, billed_usd: '0.000000000000' }]);
  });

  it('a price change with a later effective date does not reprice earlier rows (nor late events from before it)', async () => {
    const before = handled();
    publishSavingsEvent(bus.publisher, event('pc-before', { model: 'claude-haiku-4-5' }));
    await until(settled(before + 1));
    const [original] = await rows(`request_id = 'pc-before'`);
    expect(original).toMatchObject({ price_id: 'seed:anthropic:claude-haiku-4-5*:2025-10-15', billed_usd: '0.001500000000' });

    await db.sql.query(
      `INSERT INTO model_prices (id, provider, model_pattern, effective_from, input_per_mtok, cache_write_5m_per_mtok,
                                 cache_write_1h_per_mtok, cache_read_per_mtok, output_per_mtok, source)
       VALUES ('test:haiku-2027', 'anthropic', 'claude-haiku-4-5*', '2026-12-03T12:00:00Z', 2, 2.5, 4, 0.2, 10, 'test')`,
    );
    await ingestion.refreshPrices();
    publishSavingsEvent(bus.publisher, event('pc-after', { model: 'claude-haiku-4-5', occurredAt: '2026-12-03T12:30:00Z', completedAt: '2026-12-03T12:30:01Z' }));
    publishSavingsEvent(bus.publisher, event('pc-late', { model: 'claude-haiku-4-5', occurredAt: '2026-12-03T11:59:59.999Z', completedAt: '2026-12-03T12:40:00Z' }));
    await until(settled(before + 3));
    expect(await rows(`request_id LIKE 'pc-%'`)).toEqual([
      expect.objectContaining({ request_id: 'pc-after', price_id: 'test:haiku-2027', billed_usd: '0.003000000000' }),
      { ...original },
      expect.objectContaining({ request_id: 'pc-late', price_id: original!.price_id, billed_usd: '0.001500000000' }),
    ]);
  });

  it('streaming and non-streaming exchanges of both providers land as identical usage and cost', async () => {
    const enc = (events: [string | null, unknown][]): Uint8Array =>
      new TextEncoder().encode(events.map(([e, d]) => `${e ? `event: ${e}\n` : ''}data: ${typeof d === 'string' ? d : JSON.stringify(d)}\n\n`).join(''));
    const usageEvent = (id: string, usage: NormalizedUsage, stream: boolean, provider: string, model: string): SavingsEventInput =>
      event(id, { stream, provider, model, usage: { ...usage }, operation: provider === 'openai' ? 'chat.completions' : 'messages' });

    // Anthropic: input 50 uncached, 2000 cache read, 300 5m write, 120 output.
    const anthropicUsage = {
      input_tokens: 50,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 0 },
      output_tokens: 120,
    };
    const anthropicBody = { type: 'message', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: anthropicUsage };
    const tapA = new AnthropicStreamTap();
    for (const e of parseSse(
      enc([
        ['message_start', { type: 'message_start', message: { model: 'claude-sonnet-4-5', usage: { ...anthropicUsage, output_tokens: 1 } } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } }],
        ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 120 } }],
        ['message_stop', { type: 'message_stop' }],
      ]),
    ))
      tapA.push(e);
    // OpenAI chat: 3000 prompt tokens of which 2048 cached, 80 completion.
    const openaiUsage = { prompt_tokens: 3000, completion_tokens: 80, prompt_tokens_details: { cached_tokens: 2048 } };
    const tapO = new OpenAiChatStreamTap();
    for (const e of parseSse(
      enc([
        [null, { id: 'c', model: 'gpt-4.1', choices: [{ index: 0, delta: { content: 'hi' } }] }],
        [null, { id: 'c', model: 'gpt-4.1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
        [null, { id: 'c', model: 'gpt-4.1', choices: [], usage: openaiUsage }],
        [null, '[DONE]'],
      ]),
    ))
      tapO.push(e);

    const before = handled();
    publishSavingsEvent(bus.publisher, usageEvent('eq-a-stream', tapA.finish().usage, true, 'anthropic', 'claude-sonnet-4-5'));
    publishSavingsEvent(bus.publisher, usageEvent('eq-a-plain', summarizeAnthropicResponse(anthropicBody).usage, false, 'anthropic', 'claude-sonnet-4-5'));
    publishSavingsEvent(bus.publisher, usageEvent('eq-o-stream', tapO.finish().usage, true, 'openai', 'gpt-4.1'));
    publishSavingsEvent(
      bus.publisher,
      usageEvent('eq-o-plain', summarizeOpenAiChatResponse({ model: 'gpt-4.1', choices: [], usage: openaiUsage }).usage, false, 'openai', 'gpt-4.1'),
    );
    await until(settled(before + 4));
    const [aPlain, aStream, oPlain, oStream] = await rows(`request_id LIKE 'eq-%'`);
    const strip = (r: Record<string, unknown> | undefined) => ({ ...r, request_id: undefined });
    expect(strip(aStream)).toEqual(strip(aPlain));
    expect(strip(oStream)).toEqual(strip(oPlain));
    // Anthropic: cache tokens are additional to input_tokens. 50×3 + 2000×0.30 + 300×3.75 + 120×15 µ$.
    expect(aPlain).toMatchObject({ input_tokens: 50, cache_read_tokens: 2000, cache_write_5m_tokens: 300, billed_usd: '0.003675000000' });
    // OpenAI: cached tokens are inside prompt_tokens. (3000−2048)×2 + 2048×0.50 + 80×8 µ$ on gpt-4.1.
    expect(oPlain).toMatchObject({ input_tokens: 952, cache_read_tokens: 2048, billed_usd: '0.003568000000' });
  });

  it('an aborted stream is stored partial with the usage already reported, the rest unknown', async () => {
    const tap = new AnthropicStreamTap();
    for (const e of parseSse(
      new TextEncoder().encode(
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 700, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } })}\n\n`,
      ),
    ))
      tap.push(e);
    const summary = tap.finish();
    expect(summary.outcome).toBe('truncated');
    const before = handled();
    publishSavingsEvent(bus.publisher, event('cut-1', { stream: true, status: 'partial', usage: { ...summary.usage } }));
    await until(settled(before + 1));
    expect(await rows(`request_id = 'cut-1'`)).toEqual([
      expect.objectContaining({ status: 'partial', input_tokens: 700, output_tokens: null, billed_usd: null, cost_flags: ['usage_incomplete'] }),
    ]);
    const known = await db.sql.query(`SELECT billed_known_usd::text FROM request_log WHERE request_id = 'cut-1'`);
    expect(known.rows).toEqual([{ billed_known_usd: '0.002100000000' }]);
  });
});

describe('ingestion restarts (embedded)', { timeout: 180_000 }, () => {
  it('keeps the ledger in LEEWAY_DATA_DIR across restarts and drains in-flight events on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leeway-ing-'));
    try {
      const bus = new MemoryEventBus();
      const cfg = loadConfig({ LEEWAY_DATA_DIR: dataDir, LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '20' }, { http: false });
      let handle = await startIngestion(cfg, { source: bus.source, logger });
      for (let i = 0; i < 3000; i++) publishSavingsEvent(bus.publisher, event(`r-${i}`));
      await until(() => handle.server.stats().acked > 0);
      await handle.close(); // stops reading: whatever was read is committed and acknowledged
      const afterFirst = handle.server.stats().acked;
      expect(bus.pendingCount()).toBe(3000 - afterFirst);

      handle = await startIngestion(cfg, { source: bus.source, logger });
      await until(() => bus.pendingCount() === 0);
      const { rows } = await handle.database.sql.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM request_log`,
      );
      expect(rows[0]).toEqual({ n: 3000, distinct: 3000 });
      await handle.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
