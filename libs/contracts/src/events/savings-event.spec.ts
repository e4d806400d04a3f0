import { describe, expect, it } from 'vitest';
import { parseSavingsEvent, type SavingsEventInput } from './savings-event';

const valid: SavingsEventInput = {
  v: 1,
  requestId: 'req_01HZX',
  occurredAt: '2026-12-03T10:00:00.000Z',
  completedAt: '2026-12-03T10:00:01.250Z',
  teamId: 'team-a',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  operation: 'messages',
  stream: true,
  status: 'partial',
  latencyMs: 1250,
  usage: {
    inputTokens: 1200,
    outputTokens: null,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: null,
  },
};

describe('parseSavingsEvent', () => {
  it('accepts a minimal v1 event and applies defaults, keeping unknown usage null', () => {
    const parsed = parseSavingsEvent(valid);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.event.usage.outputTokens).toBeNull();
    expect(parsed.event.usage.estimated).toBe(false);
    expect(parsed.event.compression).toEqual({ tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0, kinds: [] });
    expect(parsed.event.keyId).toBeNull();
  });

  it('names the reason for a malformed event', () => {
    const bad = parseSavingsEvent({ ...valid, usage: { ...valid.usage, inputTokens: -1 } });
    expect(bad).toEqual({ ok: false, reason: expect.stringMatching(/^invalid:usage\.inputTokens: /) });
    expect(parseSavingsEvent({ ...valid, v: 7 })).toEqual({ ok: false, reason: 'unsupported_version:7' });
    expect(parseSavingsEvent('x')).toEqual({ ok: false, reason: 'invalid:not_an_object' });
    expect(parseSavingsEvent({ ...valid, completedAt: '2026-12-03T09:00:00Z' })).toEqual({
      ok: false,
      reason: 'invalid:completedAt: before occurredAt',
    });
  });

  it('requires usage to be reported as a number or null, never missing', () => {
    const { outputTokens: _drop, ...usage } = valid.usage;
    expect(parseSavingsEvent({ ...valid, usage }).ok).toBe(false);
  });

  it('checks replayed tokens are part of the totals and the traceparent format', () => {
    const compression = { tokensBefore: 10, tokensAfter: 5, replayedTokensBefore: 11, replayedTokensAfter: 0 };
    expect(parseSavingsEvent({ ...valid, compression }).ok).toBe(false);
    expect(parseSavingsEvent({ ...valid, traceparent: 'nope' }).ok).toBe(false);
    expect(parseSavingsEvent({ ...valid, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }).ok).toBe(true);
  });
});
