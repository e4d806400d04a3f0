// Test support for the ledger e2e suites: real SDK traffic through a proxy, and what the ledger must hold for it.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { SqlExecutor } from '@leeway/db';
import type { FakeUpstream } from '@leeway/testing';
import { expect } from 'vitest';
import { HeaderIdentityResolver } from '../identity/identity.resolver';

/** Usage by class as the ledger stores it (uncached input; null = unknown). */
export interface ExpectedUsage {
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWrite5mTokens: number | null;
  readonly cacheWrite1hTokens: number | null;
}

export interface TrafficCase {
  readonly name: string;
  readonly requestId: string;
  readonly teamId: string;
  readonly provider: 'anthropic' | 'openai';
  readonly model: string;
  readonly operation: string;
  readonly stream: boolean;
  readonly status: 'complete' | 'partial' | 'error';
  /** What the SDK reported (complete cases); null for a cut-off stream. */
  readonly usage: ExpectedUsage | null;
}

/** The tenant (team) the proxy derives from `x-leeway-key`. */
export async function teamFor(leewayKey: string): Promise<string> {
  return (await new HeaderIdentityResolver('unused-secret-0123456789').resolve({ 'x-leeway-key': leewayKey })).tenant;
}

/** A system prompt long enough to be cached by both providers' rules (≥ 1024 tokens). */
function longSystem(seed: string): string {
  return Array.from({ length: 400 }, (_, i) => `Rule ${i} of ${seed}: answer precisely, cite sources, keep units.`).join('\n');
}

const requestIdOf = (response: Response): string => {
  const id = response.headers.get('x-leeway-request-id');
  if (!id) throw new Error('proxy response without x-leeway-request-id');
  return id;
};

function anthropicUsage(u: Anthropic.Usage): ExpectedUsage {
  const split = u.cache_creation;
  return {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWrite5mTokens: split ? split.ephemeral_5m_input_tokens : (u.cache_creation_input_tokens ?? 0),
    cacheWrite1hTokens: split ? split.ephemeral_1h_input_tokens : 0,
  };
}

function openAiUsage(u: OpenAI.CompletionUsage): ExpectedUsage {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: u.prompt_tokens - cached,
    outputTokens: u.completion_tokens,
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
  };
}

/**
 * Drive the exchanges the ledger suites check, each under its own team (`x-leeway-key`), through the proxy
 * at `proxyUrl` with the official clients:
 *  - Anthropic non-streaming writing a 5-minute cache entry, then streaming reading it;
 *  - Anthropic streaming with a 1-hour cache write;
 *  - OpenAI chat non-streaming, then streaming reading the automatic prompt cache;
 *  - an Anthropic stream the upstream cuts off (partial).
 */
export async function driveLedgerTraffic(proxyUrl: string, upstream: FakeUpstream, label: string): Promise<TrafficCase[]> {
  const cases: TrafficCase[] = [];
  const anthropicFor = (key: string) =>
    new Anthropic({ apiKey: 'sk-ant-test', baseURL: proxyUrl, maxRetries: 0, defaultHeaders: { 'x-leeway-key': key } });
  const openaiFor = (key: string) =>
    new OpenAI({ apiKey: 'sk-test', baseURL: `${proxyUrl}/v1`, maxRetries: 0, defaultHeaders: { 'x-leeway-key': key } });
  const keys = {
    anthropic: `${label}-anthropic`,
    anthropic1h: `${label}-anthropic-1h`,
    openai: `${label}-openai`,
    cut: `${label}-cut`,
  };
  const model = 'claude-sonnet-4-5';
  const system5m = longSystem(`${label}-5m`);
  const anthropic = anthropicFor(keys.anthropic);

  // 1. Anthropic, not streaming: writes the 5-minute cache entry.
  upstream.script({ route: 'anthropic-messages', text: 'Noted: precise answers.' });
  {
    const { data, response } = await anthropic.messages
      .create({
        model,
        max_tokens: 128,
        system: [{ type: 'text', text: system5m, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'Summarise the rules in one line.' }],
      })
      .withResponse();
    cases.push({
      name: 'anthropic non-streaming, cache write 5m',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.anthropic),
      provider: 'anthropic',
      model,
      operation: 'messages',
      stream: false,
      status: 'complete',
      usage: anthropicUsage(data.usage),
    });
  }

  // 2. Anthropic, streaming, same prefix: reads it.
  upstream.script({ route: 'anthropic-messages', text: 'Second answer, streamed in pieces.', chunkBytes: 7, usageStyle: 'deferred' });
  {
    const { data: stream, response } = await anthropic.messages
      .create({
        model,
        max_tokens: 128,
        stream: true,
        system: [{ type: 'text', text: system5m, cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'And now in two lines?' }],
      })
      .withResponse();
    // Snapshot semantics: message_start carries input counts, message_delta the final ones (last wins).
    let usage: Anthropic.Usage | null = null;
    for await (const event of stream) {
      if (event.type === 'message_start') usage = event.message.usage;
      if (event.type === 'message_delta' && usage) {
        const delta = event.usage;
        usage = {
          ...usage,
          output_tokens: delta.output_tokens,
          ...(delta.input_tokens != null ? { input_tokens: delta.input_tokens } : {}),
          ...(delta.cache_read_input_tokens != null ? { cache_read_input_tokens: delta.cache_read_input_tokens } : {}),
          ...(delta.cache_creation_input_tokens != null ? { cache_creation_input_tokens: delta.cache_creation_input_tokens } : {}),
        };
      }
    }
    if (!usage) throw new Error('stream without usage');
    cases.push({
      name: 'anthropic streaming, cache read',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.anthropic),
      provider: 'anthropic',
      model,
      operation: 'messages',
      stream: true,
      status: 'complete',
      usage: anthropicUsage(usage),
    });
  }

  // 3. Anthropic streaming with a 1-hour cache write (its own rate).
  upstream.script({ route: 'anthropic-messages', text: 'Kept for an hour.' });
  {
    const stream = anthropicFor(keys.anthropic1h).messages.stream({
      model,
      max_tokens: 128,
      system: [{ type: 'text', text: longSystem(`${label}-1h`), cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: 'Acknowledge.' }],
    });
    const final = await stream.finalMessage();
    const { response } = await stream.withResponse();
    cases.push({
      name: 'anthropic streaming, cache write 1h',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.anthropic1h),
      provider: 'anthropic',
      model,
      operation: 'messages',
      stream: true,
      status: 'complete',
      usage: anthropicUsage(final.usage),
    });
  }

  // 4. OpenAI chat, not streaming, then streaming with the prefix cached by the provider.
  const openai = openaiFor(keys.openai);
  const openaiModel = 'gpt-4.1-mini';
  const openaiSystem = longSystem(`${label}-openai`);
  upstream.script({ route: 'openai-chat', text: 'First OpenAI answer.' });
  {
    const { data, response } = await openai.chat.completions
      .create({
        model: openaiModel,
        messages: [
          { role: 'system', content: openaiSystem },
          { role: 'user', content: 'One line please.' },
        ],
      })
      .withResponse();
    if (!data.usage) throw new Error('chat completion without usage');
    cases.push({
      name: 'openai chat non-streaming',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.openai),
      provider: 'openai',
      model: openaiModel,
      operation: 'chat.completions',
      stream: false,
      status: 'complete',
      usage: openAiUsage(data.usage),
    });
  }
  upstream.script({ route: 'openai-chat', text: 'Second OpenAI answer, streamed.', chunkBytes: 9 });
  {
    const { data: stream, response } = await openai.chat.completions
      .create({
        model: openaiModel,
        stream: true,
        stream_options: { include_usage: true },
        messages: [
          { role: 'system', content: openaiSystem },
          { role: 'user', content: 'Two lines please.' },
        ],
      })
      .withResponse();
    let usage: OpenAI.CompletionUsage | null = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    if (!usage) throw new Error('chat stream without usage');
    cases.push({
      name: 'openai chat streaming, cached prefix',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.openai),
      provider: 'openai',
      model: openaiModel,
      operation: 'chat.completions',
      stream: true,
      status: 'complete',
      usage: openAiUsage(usage),
    });
  }

  // 5. A stream the upstream cuts off after a few events: partial, never complete with zero usage.
  upstream.script({ route: 'anthropic-messages', text: 'This answer will never finish, it is cut off mid-way.', dropAfterEvents: 3 });
  {
    const { data: stream, response } = await anthropicFor(keys.cut)
      .messages.create({ model, max_tokens: 128, stream: true, messages: [{ role: 'user', content: 'Tell me a long story.' }] })
      .withResponse();
    let failed = false;
    try {
      for await (const _event of stream) {
        // consume until the connection drops
      }
    } catch {
      failed = true;
    }
    if (!failed) throw new Error('the cut-off stream ended normally');
    cases.push({
      name: 'anthropic stream cut off',
      requestId: requestIdOf(response),
      teamId: await teamFor(keys.cut),
      provider: 'anthropic',
      model,
      operation: 'messages',
      stream: true,
      status: 'partial',
      usage: null,
    });
  }
  // 6. The same exchange streamed and not, for both providers (short prompts: no caching involved).
  const pairKey = `${label}-pair`;
  const pairTeam = await teamFor(pairKey);
  for (const stream of [false, true]) {
    upstream.script({ route: 'anthropic-messages', text: 'The same answer either way.', usageStyle: 'deferred' });
    const { data, response } = await anthropicFor(pairKey)
      .messages.create({ model, max_tokens: 64, stream, messages: [{ role: 'user', content: 'Same question, same answer?' }] })
      .withResponse();
    if (Symbol.asyncIterator in data) for await (const _event of data) void _event;
    cases.push({
      name: `pair anthropic ${stream ? 'streaming' : 'non-streaming'}`,
      requestId: requestIdOf(response),
      teamId: pairTeam,
      provider: 'anthropic',
      model,
      operation: 'messages',
      stream,
      status: 'complete',
      usage: null,
    });
    upstream.script({ route: 'openai-chat', text: 'The same answer either way.' });
    const { data: chat, response: openaiResponse } = await openaiFor(pairKey)
      .chat.completions.create({
        model: openaiModel,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        messages: [{ role: 'user', content: 'Same question, same answer?' }],
      })
      .withResponse();
    if (Symbol.asyncIterator in chat) for await (const _chunk of chat) void _chunk;
    cases.push({
      name: `pair openai ${stream ? 'streaming' : 'non-streaming'}`,
      requestId: requestIdOf(openaiResponse),
      teamId: pairTeam,
      provider: 'openai',
      model: openaiModel,
      operation: 'chat.completions',
      stream,
      status: 'complete',
      usage: null,
    });
  }
  return cases;
}

/** The ledger columns the suites compare (numbers as JS numbers; money as exact decimal strings). */
export const LEDGER_ROW_SQL = `
  SELECT r.request_id, r.team_id, r.provider, r.model, r.operation, r.stream, r.status::text AS status,
         r.input_tokens::int AS input_tokens, r.output_tokens::int AS output_tokens,
         r.cache_read_tokens::int AS cache_read_tokens, r.cache_write_5m_tokens::int AS cache_write_5m_tokens,
         r.cache_write_1h_tokens::int AS cache_write_1h_tokens, r.price_id, r.billed_usd::text AS billed_usd,
         ((coalesce(r.input_tokens, 0) * p.input_per_mtok
          + coalesce(r.output_tokens, 0) * p.output_per_mtok
          + coalesce(r.cache_read_tokens, 0) * coalesce(p.cache_read_per_mtok, p.input_per_mtok)
          + coalesce(r.cache_write_5m_tokens, 0) * coalesce(p.cache_write_5m_per_mtok, p.input_per_mtok)
          + coalesce(r.cache_write_1h_tokens, 0) * coalesce(p.cache_write_1h_per_mtok, p.input_per_mtok)) / 1000000)::numeric(28,12)::text
           AS expected_billed_usd
    FROM request_log r LEFT JOIN model_prices p ON p.id = r.price_id
   WHERE r.request_id = ANY($1::text[])`;

export interface LedgerRowView {
  readonly request_id: string;
  readonly team_id: string;
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
  readonly stream: boolean;
  readonly status: string;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cache_read_tokens: number | null;
  readonly cache_write_5m_tokens: number | null;
  readonly cache_write_1h_tokens: number | null;
  readonly price_id: string | null;
  readonly billed_usd: string | null;
  readonly expected_billed_usd: string | null;
}

/** Spend per team and model from the daily rollups (what the reports read). */
export const SPEND_BY_TEAM_MODEL_SQL = `
  SELECT team_id, model, sum(requests)::int AS requests, sum(billed_usd)::numeric(30,12)::text AS billed_usd
    FROM daily_rollups WHERE team_id = ANY($1::text[]) GROUP BY team_id, model ORDER BY team_id, model`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait until every case has its ledger row (or fail with `describe()`'s diagnostics). */
export async function waitForLedgerRows(
  sql: SqlExecutor,
  cases: readonly TrafficCase[],
  options: { timeoutMs?: number; describe?: () => string } = {},
): Promise<Map<string, LedgerRowView>> {
  const ids = cases.map((c) => c.requestId);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const { rows } = await sql.query<LedgerRowView>(LEDGER_ROW_SQL, [ids]);
    if (rows.length === ids.length) return new Map(rows.map((r) => [r.request_id, r]));
    if (Date.now() > deadline) throw new Error(`ledger has ${rows.length}/${ids.length} rows${options.describe ? `\n${options.describe()}` : ''}`);
    await sleep(50);
  }
}

/**
 * The ledger holds exactly one row per case, with the SDK-reported usage by class, the billed cost of the
 * list price in force (recomputed here in SQL from the price row), real cache classes, a partial row for
 * the cut-off stream; spend per team × model (rollups) agrees with the rows.
 */
export async function expectLedgerMatches(sql: SqlExecutor, cases: readonly TrafficCase[], rows: Map<string, LedgerRowView>): Promise<void> {
  for (const c of cases) {
    const row = rows.get(c.requestId);
    expect(row, c.name).toBeDefined();
    if (!row) continue;
    expect(row, c.name).toMatchObject({ team_id: c.teamId, provider: c.provider, model: c.model, operation: c.operation, stream: c.stream, status: c.status });
    if (c.usage) {
      expect(
        {
          inputTokens: row.input_tokens,
          outputTokens: row.output_tokens,
          cacheReadTokens: row.cache_read_tokens,
          cacheWrite5mTokens: row.cache_write_5m_tokens,
          cacheWrite1hTokens: row.cache_write_1h_tokens,
        },
        c.name,
      ).toEqual(c.usage);
      expect(row.price_id, c.name).not.toBeNull();
      expect(row.billed_usd, c.name).toBe(row.expected_billed_usd);
    }
  }
  const byName = new Map(cases.map((c) => [c.name, rows.get(c.requestId)]));
  // the cache classes really occurred (not all zero), each at its own rate
  expect(byName.get('anthropic non-streaming, cache write 5m')?.cache_write_5m_tokens).toBeGreaterThan(1000);
  expect(byName.get('anthropic streaming, cache read')?.cache_read_tokens).toBeGreaterThan(1000);
  expect(byName.get('anthropic streaming, cache write 1h')?.cache_write_1h_tokens).toBeGreaterThan(1000);
  expect(byName.get('openai chat streaming, cached prefix')?.cache_read_tokens).toBeGreaterThanOrEqual(1024);
  // the cut-off stream: partial; input reported in message_start kept
  const cut = byName.get('anthropic stream cut off');
  expect(cut?.status).toBe('partial');
  expect(cut?.input_tokens).toBeGreaterThan(0);

  // streamed and non-streamed, the same exchange costs the same: identical usage classes and billed cost
  for (const provider of ['anthropic', 'openai']) {
    const [plain, streamed] = [false, true].map((stream) => {
      const row = byName.get(`pair ${provider} ${stream ? 'streaming' : 'non-streaming'}`);
      expect(row?.status, `pair ${provider}`).toBe('complete');
      return row
        ? [row.input_tokens, row.output_tokens, row.cache_read_tokens, row.cache_write_5m_tokens, row.cache_write_1h_tokens, row.billed_usd]
        : null;
    });
    expect(plain?.[0], `pair ${provider} input`).toBeGreaterThan(0);
    expect(streamed, `pair ${provider}`).toEqual(plain);
  }

  const teams = [...new Set(cases.map((c) => c.teamId))];
  const { rows: counts } = await sql.query<{ n: number; distinct: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM request_log WHERE team_id = ANY($1::text[])',
    [teams],
  );
  expect(counts[0]).toEqual({ n: cases.length, distinct: cases.length });
  const { rows: spend } = await sql.query<SpendRow>(SPEND_BY_TEAM_MODEL_SQL, [teams]);
  const { rows: fromRows } = await sql.query<SpendRow>(
    `SELECT team_id, model, count(*)::int AS requests, sum(coalesce(billed_usd, 0))::numeric(30,12)::text AS billed_usd
       FROM request_log WHERE team_id = ANY($1::text[]) GROUP BY team_id, model ORDER BY team_id, model`,
    [teams],
  );
  expect(spend).toEqual(fromRows);
  expect([...new Set(spend.map((s) => s.team_id))].sort()).toEqual([...teams].sort());
}

export interface SpendRow {
  readonly team_id: string;
  readonly model: string;
  readonly requests: number;
  readonly billed_usd: string;
}
