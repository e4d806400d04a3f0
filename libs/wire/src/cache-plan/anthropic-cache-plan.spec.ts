import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { checkCacheMarkers, stripCacheControl } from './cache-markers';
import { agentMessages, anthropicBody, markerPaths, planBody, prose, SYSTEM, TOOLS, withoutMarkers, type Json } from './cache-plan.test-support';

describe('planAnthropicCache — naive client', () => {
  it('first turn: marks the last tool and wraps a string system prompt, text unchanged', () => {
    const { plan, json, out } = planBody(anthropicBody([{ role: 'user', content: 'Fix the failing test.' }]));
    expect(plan.skipped).toBeNull();
    expect(plan.breakpoints.map((b) => b.reason).sort()).toEqual(['system', 'tools']);
    expect(markerPaths(json)).toEqual(['tools.1', 'system.0']);
    expect(json['system']).toEqual([{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }]);
    // A user message given as a string is never wrapped.
    expect((json['messages'] as Json[])[0]).toEqual({ role: 'user', content: 'Fix the failing test.' });
    expect(checkCacheMarkers(out).ok).toBe(true);
  });

  it('agent turn: newest tool result, system and tools (the previous write is within reach)', () => {
    const { plan, json, out } = planBody(anthropicBody(agentMessages(3)));
    expect(plan.breakpoints.map((b) => `${b.reason}@${b.path.join('.')}`)).toEqual(['tools@tools.1', 'system@system', 'newest@messages.6.content.0']);
    expect(markerPaths(json)).toHaveLength(3);
    expect(checkCacheMarkers(out)).toMatchObject({ ok: true, markers: 3, ttls: ['5m', '5m', '5m'] });
  });

  it('markLastStable: also the last assistant block — exactly 4', () => {
    const { plan, out } = planBody(anthropicBody(agentMessages(3)), { markLastStable: true });
    expect(plan.breakpoints.map((b) => `${b.reason}@${b.path.join('.')}`)).toEqual([
      'tools@tools.1',
      'system@system',
      'last-stable@messages.5.content.1',
      'newest@messages.6.content.0',
    ]);
    expect(checkCacheMarkers(out)).toMatchObject({ ok: true, markers: 4, ttls: ['5m', '5m', '5m', '5m'] });
  });

  it('prefix stability (I2): turn N+1 repeats turn N’s forwarded bytes up to its last message', () => {
    const messages = agentMessages(6);
    for (let end = 3; end + 2 <= messages.length; end += 2) {
      const turnN = planBody(anthropicBody(messages.slice(0, end))).out;
      const turnN1 = planBody(anthropicBody(messages.slice(0, end + 2))).out;
      const lastMessage = anthropicMessagesAdapter.parseRequest(turnN).messages.at(-1)!;
      expect(turnN1.subarray(0, lastMessage.span.start).equals(turnN.subarray(0, lastMessage.span.start))).toBe(true);
    }
  });

  it('stripCacheControl removes every marker and nothing else', () => {
    const body = anthropicBody(agentMessages(2), { system: [{ type: 'text', text: SYSTEM }] });
    const { raw, out } = planBody(body);
    expect(out.equals(raw)).toBe(false);
    expect(stripCacheControl(out).equals(raw)).toBe(true);
  });

  it('only inserts bytes into object blocks: the body minus markers is the original', () => {
    const body = anthropicBody(agentMessages(2), { system: [{ type: 'text', text: SYSTEM }] });
    const { raw, out, plan } = planBody(body);
    expect(plan.edits.every((e) => e.start === e.end)).toBe(true);
    expect(withoutMarkers(JSON.parse(out.toString()))).toEqual(JSON.parse(raw.toString()));
  });

  it('is deterministic: the same request gets the same bytes', () => {
    const body = anthropicBody(agentMessages(4));
    expect(planBody(body).out.equals(planBody(body).out)).toBe(true);
  });

  it('policy switch: disabled plans nothing', () => {
    const { plan, out, raw } = planBody(anthropicBody(agentMessages(2)), { enabled: false });
    expect(plan.skipped).toBe('disabled');
    expect(out).toBe(raw);
  });

  it('never marks a thinking block, an empty text block or an empty tool result', () => {
    const messages: Json[] = [
      { role: 'user', content: [{ type: 'text', text: prose(900) }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'ls' } },
          { type: 'redacted_thinking', data: 'opaque' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a\nb' },
          { type: 'tool_result', tool_use_id: 'toolu_x', content: '' },
          { type: 'text', text: '  ' },
        ],
      },
    ];
    const { plan, out } = planBody({ model: 'claude-sonnet-4-5', max_tokens: 10, messages }, { markLastStable: true });
    expect(plan.breakpoints.map((b) => `${b.reason}@${b.path.join('.')}`)).toEqual([
      'last-stable@messages.1.content.1',
      'newest@messages.2.content.0',
    ]);
    expect(checkCacheMarkers(out).ok).toBe(true);
  });

  it('a trailing assistant prefill belongs to the turn being generated', () => {
    const messages = [...agentMessages(1), { role: 'assistant', content: [{ type: 'text', text: 'Let me' }] }];
    const { plan } = planBody(anthropicBody(messages));
    expect(plan.breakpoints.find((b) => b.reason === 'newest')?.path).toEqual(['messages', 2, 'content', 0]);
  });
});

describe('planAnthropicCache — minimum cacheable length', () => {
  it('plans nothing when the whole prompt is below the model minimum', () => {
    const { plan } = planBody({ model: 'claude-sonnet-4-5', max_tokens: 10, system: 'Be brief.', messages: agentMessages(1, { resultWords: 20 }) });
    expect(plan.skipped).toBe('below-minimum');
    expect(plan.edits).toEqual([]);
  });

  it('skips breakpoints whose prefix is below the minimum (small tools/system, big conversation)', () => {
    const { plan } = planBody({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      system: 'Be brief.',
      tools: [{ name: 't', input_schema: { type: 'object' } }],
      messages: agentMessages(3, { resultWords: 400 }),
    });
    expect(plan.breakpoints.map((b) => b.reason)).toEqual(['newest']);
  });

  it('Haiku needs 2048 tokens where Sonnet needs 1024', () => {
    const body = (model: string): Json => ({ model, max_tokens: 10, system: prose(500), messages: [{ role: 'user', content: 'hi' }] });
    expect(planBody(body('claude-sonnet-4-5')).plan.breakpoints.map((b) => b.reason)).toEqual(['system']);
    expect(planBody(body('claude-haiku-4-5')).plan.skipped).toBe('below-minimum');
    expect(planBody(body('claude-haiku-4-5'), { minTokens: 100 }).plan.breakpoints).toHaveLength(1);
  });
});

describe('planAnthropicCache — 20-block look-back', () => {
  it('with more than 20 blocks since the previous write, places a look-back breakpoint within reach', () => {
    // 25 parallel calls: the assistant message alone is 26 blocks after the previous newest position.
    const messages = agentMessages(2, { callsPerTurn: 25, resultWords: 10 });
    const { plan, out } = planBody(anthropicBody(messages));
    const reasons = plan.breakpoints.map((b) => b.reason);
    expect(reasons).toContain('look-back');
    expect(reasons).not.toContain('last-stable');
    const lookBack = plan.breakpoints.find((b) => b.reason === 'look-back')!;
    // previous write: the last tool_result of message 2 (turn 1's request end)
    const previousNewest = plan.breakpoints.find((b) => b.reason === 'newest')!;
    expect(lookBack.ordinal).toBeLessThan(previousNewest.ordinal);
    expect(checkCacheMarkers(out).ok).toBe(true);
  });

  it('the look-back breakpoint is at most 20 blocks after the previous turn’s newest breakpoint', () => {
    const messages = agentMessages(3, { callsPerTurn: 30, resultWords: 5 });
    const turnN = planBody(anthropicBody(messages.slice(0, 5)));
    const turnN1 = planBody(anthropicBody(messages));
    const wroteAt = turnN.plan.breakpoints.find((b) => b.reason === 'newest')!;
    const lookBack = turnN1.plan.breakpoints.find((b) => b.reason === 'look-back')!;
    expect(lookBack.ordinal - wroteAt.ordinal).toBeGreaterThan(0);
    expect(lookBack.ordinal - wroteAt.ordinal).toBeLessThanOrEqual(20);
  });
});

describe('planAnthropicCache — newestTurnOnly (I2 in the proxy)', () => {
  it('never marks a block of an earlier turn: the look-back goes into the newest turn when within reach', () => {
    const messages = agentMessages(3, { callsPerTurn: 25, resultWords: 10 });
    const raw = Buffer.from(JSON.stringify(anthropicBody(messages)));
    const parsed = anthropicMessagesAdapter.parseRequest(raw);
    const { plan } = planBody(anthropicBody(messages), { newestTurnOnly: true });
    const lastAssistant = parsed.messages.filter((m) => m.role === 'assistant').at(-1)!;
    for (const bp of plan.breakpoints) {
      if (bp.path[0] !== 'messages') continue;
      expect(Number(bp.path[1])).toBeGreaterThan(lastAssistant.index);
    }
    expect(plan.breakpoints.length).toBeLessThanOrEqual(4);
  });

  it('turn N+1 repeats turn N’s forwarded bytes up to its last message, even with look-back pressure', () => {
    const messages = agentMessages(4, { callsPerTurn: 25, resultWords: 5 });
    for (let end = 3; end + 2 <= messages.length; end += 2) {
      const turnN = planBody(anthropicBody(messages.slice(0, end)), { newestTurnOnly: true }).out;
      const turnN1 = planBody(anthropicBody(messages.slice(0, end + 2)), { newestTurnOnly: true }).out;
      const lastMessage = anthropicMessagesAdapter.parseRequest(turnN).messages.at(-1)!;
      expect(turnN1.subarray(0, lastMessage.span.start).equals(turnN.subarray(0, lastMessage.span.start))).toBe(true);
    }
  });
});

describe('planAnthropicCache — client markers', () => {
  const claudeCodeLike = (messages: Json[], ttl?: '1h'): Json => {
    const cc = ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
    const last = messages[messages.length - 1]!;
    const content = (last['content'] as Json[]).map((b, i, all) => (i === all.length - 1 ? { ...b, cache_control: cc } : b));
    return anthropicBody([...messages.slice(0, -1), { ...last, content }], { system: [{ type: 'text', text: SYSTEM, cache_control: cc }] });
  };

  it('a top-level cache_control (automatic caching) is the client’s choice: nothing added', () => {
    const { plan, out, raw } = planBody(anthropicBody(agentMessages(2), { cache_control: { type: 'ephemeral' } }));
    expect(plan.skipped).toBe('client-automatic');
    expect(out).toBe(raw);
  });

  it('four client markers: nothing added', () => {
    const body = anthropicBody(agentMessages(2), {
      tools: TOOLS.map((t) => ({ ...t, cache_control: { type: 'ephemeral' } })),
      system: [
        { type: 'text', text: 'a', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } },
      ],
    });
    expect(planBody(body).plan.skipped).toBe('client-full');
  });

  it('client marking system and newest message: adds nothing when the previous write is within reach', () => {
    const { plan, out, raw } = planBody(claudeCodeLike(agentMessages(3)));
    expect(plan.clientMarkers).toBe(2);
    expect(plan.skipped).toBe('nothing-to-mark');
    expect(out).toBe(raw);
  });

  it('client marking system and newest message: adds a look-back breakpoint only where it pays; client bytes untouched', () => {
    const { plan, out, raw, json } = planBody(claudeCodeLike(agentMessages(3, { callsPerTurn: 24, resultWords: 5 })));
    expect(plan.breakpoints.map((b) => b.reason)).toEqual(['look-back']);
    expect(plan.edits.every((e) => e.start === e.end)).toBe(true);
    // every client byte is still there, in order: removing the inserted ranges gives the original back
    let cursor = 0;
    const parts: Buffer[] = [];
    let shift = 0;
    for (const e of [...plan.edits].sort((a, b) => a.start - b.start)) {
      parts.push(out.subarray(cursor, e.start + shift));
      cursor = e.start + shift + Buffer.byteLength(e.replacement);
      shift += Buffer.byteLength(e.replacement);
    }
    parts.push(out.subarray(cursor));
    expect(Buffer.concat(parts).equals(raw)).toBe(true);
    expect(markerPaths(json)).toHaveLength(3);
    expect(checkCacheMarkers(out).ok).toBe(true);
  });

  it('client marking only tools: adds conversation breakpoints, never exceeding 4', () => {
    const body = anthropicBody(agentMessages(3), { tools: TOOLS.map((t) => ({ ...t, cache_control: { type: 'ephemeral' } })) });
    const { plan, out } = planBody(body);
    expect(plan.breakpoints.map((b) => b.reason)).toEqual(['newest']);
    expect(checkCacheMarkers(out)).toMatchObject({ ok: true, markers: 3 });
    expect(planBody(body, { markLastStable: true }).plan.breakpoints.map((b) => b.reason)).toEqual(['last-stable', 'newest']);
  });

  it('follows the client’s 1h tier', () => {
    const body = anthropicBody(agentMessages(3), { system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral', ttl: '1h' } }] });
    const { plan, out } = planBody(body);
    expect(plan.breakpoints.map((b) => `${b.reason}:${b.ttl}`)).toEqual(['newest:1h']);
    expect(checkCacheMarkers(out)).toMatchObject({ ok: true, ttls: ['1h', '1h'] });
  });

  it('between a client 1h and a client 5m marker, Leeway uses 5m after and 1h before the 1h one', () => {
    const body = claudeCodeLike(agentMessages(3, { callsPerTurn: 24, resultWords: 5 }));
    (body['system'] as Json[])[0]!['cache_control'] = { type: 'ephemeral', ttl: '1h' };
    const { plan, out } = planBody(body);
    expect(plan.breakpoints.map((b) => `${b.reason}:${b.ttl}`)).toEqual(['look-back:5m']);
    expect(checkCacheMarkers(out)).toMatchObject({ ok: true, ttls: ['1h', '5m', '5m'] });

    const before = anthropicBody(agentMessages(3), { tools: TOOLS.map((t, i) => (i === 1 ? { ...t, cache_control: { type: 'ephemeral', ttl: '1h' } } : t)) });
    const last = (before['messages'] as Json[]).at(-1)!;
    last['content'] = (last['content'] as Json[]).map((b) => ({ ...b, cache_control: { type: 'ephemeral', ttl: '1h' } }));
    const r = planBody(before);
    expect(r.plan.breakpoints.every((b) => b.ttl === '1h')).toBe(true);
    expect(checkCacheMarkers(r.out).ok).toBe(true);
  });

  it('never adds 1h on its own and never repairs a client’s invalid TTL order', () => {
    expect(planBody(anthropicBody(agentMessages(2))).plan.breakpoints.every((b) => b.ttl === '5m')).toBe(true);
    const bad = anthropicBody(agentMessages(2), {
      tools: TOOLS.map((t, i) => (i === 0 ? { ...t, cache_control: { type: 'ephemeral' } } : t)),
      system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral', ttl: '1h' } }],
    });
    expect(planBody(bad).plan.skipped).toBe('client-ttl-order');
  });
});
