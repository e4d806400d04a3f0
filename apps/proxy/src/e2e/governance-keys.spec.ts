// Virtual keys, credential swap, policies and budgets through the proxy, with the official SDKs, on a
// real (PGlite) control-plane database and the in-process change bus (embedded mode).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { budgetWindow, computeCost, PriceBook, SEED_MODEL_PRICES } from '@leeway/contracts';
import type { MemoryBudgetLedger } from '@leeway/state';
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../governance/testing/governance-fixture';
import type { ControlPlane } from '../governance/testing/governance-fixture';
import { startGovernedProxy } from '../governance/testing/governed-proxy';
import type { GovernedProxy } from '../governance/testing/governed-proxy';

const ANTHROPIC_CRED = 'sk-ant-team-credential-0001';
const OPENAI_CRED = 'sk-openai-team-credential-0001';
const MODEL = 'claude-sonnet-4-5';
const ROTATED_CRED = 'sk-ant-team-credential-0002';
const RAW_KEY = 'sk-ant-raw-client-key';
/** Keys the fake upstream accepts (it holds this array: later pushes count). */
const acceptedKeys = [ANTHROPIC_CRED, OPENAI_CRED, ROTATED_CRED, RAW_KEY];

/** A tool output big enough to compress. */
function rows(count = 150): string {
  return JSON.stringify(Array.from({ length: count }, (_, i) => ({ id: i, name: `user-${i}`, email: `u${i}@example.com`, status: i % 11 === 0 ? 'error' : 'ok' })));
}

/** The tool output as it appears (JSON-escaped) in a request body. */
const ESCAPED_ROWS = JSON.stringify(rows()).slice(1, -1);

function toolTurn(toolName: string): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: MODEL,
    max_tokens: 64,
    messages: [
      { role: 'user', content: 'List the users.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: toolName, input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: rows() }] },
    ],
  };
}

describe('governance through the proxy (PGlite + memory bus)', { timeout: 60_000 }, () => {
  let control: ControlPlane;
  let upstream: FakeUpstream;
  let gp: GovernedProxy;
  let teamId: string;
  let key: string;

  beforeAll(async () => {
    control = await openControlPlane();
    // The upstream only accepts the team's stored credentials: a request that reaches it was swapped.
    upstream = await startFakeUpstream({ tokenizer: 'approximate', apiKeys: acceptedKeys });
    gp = await startGovernedProxy(control, { upstream });
    teamId = await control.team('Payments');
    key = (await control.key(teamId)).key;
    await control.credential(teamId, 'anthropic', ANTHROPIC_CRED);
    await control.credential(teamId, 'openai', OPENAI_CRED);
  }, 60_000);
  afterAll(async () => {
    await gp?.close();
    await upstream?.close();
    await control?.close();
  });

  it('official SDKs with a virtual key reach the upstream with the team credential', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: gp.url, maxRetries: 0 });
    upstream.script({ text: 'hello from claude' });
    const msg = await anthropic.messages.create({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'hello from claude' });
    const seenA = upstream.requests.at(-1)!;
    expect(seenA.headers['x-api-key']).toBe(ANTHROPIC_CRED);
    expect(JSON.stringify(seenA.headers)).not.toContain(key);

    const openai = new OpenAI({ apiKey: key, baseURL: `${gp.url}/v1`, maxRetries: 0 });
    upstream.script({ text: 'hello from gpt' });
    const chat = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(chat.choices[0]?.message.content).toBe('hello from gpt');
    const seenO = upstream.requests.at(-1)!;
    expect(seenO.headers['authorization']).toBe(`Bearer ${OPENAI_CRED}`);
  });

  it('unknown, revoked and expired keys get the provider 401 shape and never reach the upstream', async () => {
    const before = upstream.requests.length;
    const unknown = new Anthropic({ apiKey: 'lwk_not-a-real-key', baseURL: gp.url, maxRetries: 0 });
    const err = await unknown.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const issued = await control.key(teamId);
    const client = new OpenAI({ apiKey: issued.key, baseURL: `${gp.url}/v1`, maxRetries: 0 });
    upstream.script({ text: 'ok' });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    await control.revokeKey(teamId, issued.id);
    const revoked = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((revoked as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);

    const expired = await control.key(teamId, { expiresAt: new Date(Date.now() + 300).toISOString() });
    await new Promise((r) => setTimeout(r, 400));
    const res = await fetch(`${gp.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': expired.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(upstream.requests.length).toBe(before + 1); // only the one request made before the revocation
  });

  it('policies: the most specific wins, a change applies on the next request, excluded tools are left alone', async () => {
    const anthropic = new Anthropic({ apiKey: key, baseURL: gp.url, maxRetries: 0 });
    const send = async (tool: string) => {
      upstream.script({ text: 'done' });
      const { response } = await anthropic.messages.create(toolTurn(tool)).withResponse();
      const sent = upstream.requests.at(-1)!;
      return {
        before: Number(response.headers.get('x-leeway-tokens-before')),
        after: Number(response.headers.get('x-leeway-tokens-after')),
        shadowAfter: response.headers.get('x-leeway-shadow-tokens-after'),
        body: sent.body.toString('utf8'),
      };
    };
    await control.policy({ compression: 'balanced' }); // organisation-wide
    const teamOff = await control.policy({ teamId, modelPattern: 'claude-*', compression: 'off' });
    const off = await send('list_users');
    expect(off.after).toBe(off.before);
    expect(off.body.includes(ESCAPED_ROWS)).toBe(true);

    await control.updatePolicy(teamOff.id, { compression: 'aggressive', excludedTools: ['audit_log'] });
    const on = await send('list_users');
    expect(on.after).toBeLessThan(on.before);
    expect(on.body.includes(ESCAPED_ROWS)).toBe(false);
    const excluded = await send('audit_log');
    expect(excluded.body.includes(ESCAPED_ROWS)).toBe(true);

    await control.updatePolicy(teamOff.id, { shadow: true, excludedTools: [] });
    const shadow = await send('list_users');
    expect(shadow.body.includes(ESCAPED_ROWS)).toBe(true); // measured, not applied
    expect(shadow.after).toBe(shadow.before);
    expect(Number(shadow.shadowAfter)).toBeLessThan(shadow.before);
  });

  it('hard budget: reserve then settle to the real cost; exhausted → provider 429 with retry-after at the window end', async () => {
    const team = await control.team('Research');
    const k = (await control.key(team)).key;
    await control.credential(team, 'anthropic', ANTHROPIC_CRED);
    const budget = await control.budget({ teamId: team, period: 'month', timezone: 'Europe/Paris', limitUsd: '5', mode: 'hard' });
    const anthropic = new Anthropic({ apiKey: k, baseURL: gp.url, maxRetries: 0 });
    upstream.script({ text: 'a short answer', outputTokens: 7 });
    await anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    const now = new Date();
    const window = budgetWindow('month', 'Europe/Paris', now);
    const counterKey = `${budget.id}:${window.start!.toISOString()}`;
    const usage = upstream.requests.at(-1)!.reply!.usage as { input_tokens: number; output_tokens: number };
    const price = new PriceBook(SEED_MODEL_PRICES).findPrice('anthropic', MODEL, now);
    const cost = computeCost(
      {
        usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: null, estimated: false },
        compression: { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
        cacheBreakpointsAdded: 0,
      },
      price,
    );
    const expected = Number((cost.billed! + 999_999n) / 1_000_000n);
    await expect.poll(() => gp.ledger.read(team, counterKey)).toBe(expected);

    // Spend the rest of the month's budget elsewhere: the next request is refused before the upstream.
    await gp.ledger.settle({ team, requestId: 'other-replica-spend', estimateMicros: 0, counters: [{ key: counterKey, limitMicros: 5_000_000, hard: true, ttlMs: 0 }] }, 5_000_000 - expected);
    const before = upstream.requests.length;
    const err = await anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const headers = (err as InstanceType<typeof Anthropic.RateLimitError>).headers;
    const retryAfter = Number(headers.get('retry-after'));
    expect(Math.abs(retryAfter - (window.end!.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    expect(headers.get('x-leeway-error-code')).toBe('PRX_BUDGET_EXCEEDED');
    expect(upstream.requests.length).toBe(before);
  });

  it('streaming: the reservation settles to the real cost once the stream ends (usage from message_start/message_delta)', async () => {
    const team = await control.team('Streaming');
    const k = (await control.key(team)).key;
    await control.credential(team, 'anthropic', ANTHROPIC_CRED);
    const budget = await control.budget({ teamId: team, period: 'day', timezone: 'UTC', limitUsd: '5', mode: 'hard' });
    const anthropic = new Anthropic({ apiKey: k, baseURL: gp.url, maxRetries: 0 });
    upstream.script({ text: 'streamed words, several of them', outputTokens: 11 });
    const stream = await anthropic.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Stream please' }] });
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(text).toBe('streamed words, several of them');

    const now = new Date();
    const window = budgetWindow('day', 'UTC', now);
    const counterKey = `${budget.id}:${window.start!.toISOString()}`;
    const usage = upstream.requests.at(-1)!.reply!.usage as { input_tokens: number; output_tokens: number };
    const price = new PriceBook(SEED_MODEL_PRICES).findPrice('anthropic', MODEL, now);
    const cost = computeCost(
      {
        usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: null, estimated: false },
        compression: { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
        cacheBreakpointsAdded: 0,
      },
      price,
    );
    // Settled to the real cost, not left at the reservation (max_tokens 100 at the output price + the body).
    await expect.poll(() => gp.ledger.read(team, counterKey)).toBe(Number((cost.billed! + 999_999n) / 1_000_000n));
  });

  it('soft budget: over the limit → x-leeway-budget-warning and alert thresholds once per window', async () => {
    const team = await control.team('Growth');
    const k = (await control.key(team)).key;
    await control.credential(team, 'anthropic', ANTHROPIC_CRED);
    await control.budget({ teamId: team, period: 'day', limitUsd: '0.000001', mode: 'soft', alertThresholds: [50, 100], webhookUrl: 'https://hooks.example.com/budget' });
    const anthropic = new Anthropic({ apiKey: k, baseURL: gp.url, maxRetries: 0 });
    upstream.script({ text: 'one' }, { text: 'two' });
    const first = await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(first.response.headers.get('x-leeway-budget-warning')).toMatch(/^budget=.+; used=\d+\.\d{6}; limit=0\.000001; period=day$/);
    await anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    await expect.poll(() => gp.alerts.filter((a) => a.alert.teamId === team).map((a) => a.alert.threshold).sort()).toEqual([100, 50]);
  });

  it('a conversation stays on the credential it started with when the team rotates it; new ones take the new one', async () => {
    const team = await control.team('Agents');
    await control.credential(team, 'anthropic', ANTHROPIC_CRED);
    const k = (await control.key(team)).key;
    const send = async (session: string) => {
      upstream.script({ text: 'ok' });
      const res = await fetch(`${gp.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': k, 'x-leeway-session': session, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(res.status).toBe(200);
      return upstream.requests.at(-1)!.headers['x-api-key'];
    };
    expect(await send('conv-1')).toBe(ANTHROPIC_CRED);
    await control.credential(team, 'anthropic', ROTATED_CRED);
    expect(await send('conv-1')).toBe(ANTHROPIC_CRED);
    expect(await send('conv-2')).toBe(ROTATED_CRED);
  });

  it('x-leeway-key: lwk_… attributes a raw provider key to the team (key untouched, spend counted)', async () => {
    const team = await control.team('Raw');
    const k = (await control.key(team)).key;
    const budget = await control.budget({ teamId: team, period: 'total', limitUsd: '100', mode: 'hard' });
    const anthropic = new Anthropic({ apiKey: RAW_KEY, baseURL: gp.url, maxRetries: 0, defaultHeaders: { 'x-leeway-key': k } });
    upstream.script({ text: 'ok', outputTokens: 5 });
    await anthropic.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
    const seen = upstream.requests.at(-1)!;
    // The SDK sends the key as `x-api-key` or `Authorization: Bearer`: either way it reaches the upstream untouched.
    expect(String(seen.headers['x-api-key'] ?? seen.headers['authorization'])).toContain(RAW_KEY);
    expect(seen.headers['x-leeway-key']).toBeUndefined();
    await expect.poll(async () => (await gp.ledger.read(team, `${budget.id}:total`)) ?? 0).toBeGreaterThan(0);
    const bad = await new Anthropic({ apiKey: RAW_KEY, baseURL: gp.url, maxRetries: 0, defaultHeaders: { 'x-leeway-key': 'lwk_unknown' } })
      .messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('counters lost with the ledger (Redis loss) are rebuilt from request_log on the next request', async () => {
    const team = await control.team('Rebuilt');
    await control.credential(team, 'anthropic', ANTHROPIC_CRED);
    const k = (await control.key(team)).key;
    const budget = await control.budget({ teamId: team, period: 'month', limitUsd: '10', mode: 'hard' });
    (gp.ledger as MemoryBudgetLedger).clear();
    await control.database.sql.query(
      `INSERT INTO "request_log" (request_id, occurred_at, completed_at, event_version, team_id, provider, model, operation, stream, status,
         latency_ms, usage_estimated, tokens_before, tokens_after, replayed_tokens_before, replayed_tokens_after, retrieve_rounds,
         cache_breakpoints_added, billed_usd, billed_known_usd)
       VALUES ('earlier-1', now(), now(), 1, $1, 'anthropic', $2, 'messages', false, 'complete', 10, false, 0, 0, 0, 0, 0, 0, 9.999, 9.999)`,
      [team, MODEL],
    );
    const anthropic = new Anthropic({ apiKey: k, baseURL: gp.url, maxRetries: 0 });
    const err = await anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const window = budgetWindow('month', 'UTC', new Date());
    expect(await gp.ledger.read(team, `${budget.id}:${window.start!.toISOString()}`)).toBe(9_999_000);
  });
});
