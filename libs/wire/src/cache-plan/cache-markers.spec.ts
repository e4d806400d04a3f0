import { describe, expect, it } from 'vitest';
import { checkCacheMarkers } from './cache-markers';
import { encode, type Json } from './cache-plan.test-support';

const cc = { type: 'ephemeral' };
const cc1h = { type: 'ephemeral', ttl: '1h' };
const body = (extra: Json): Json => ({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('checkCacheMarkers', () => {
  it('accepts a body without markers and a valid 4-marker body', () => {
    expect(checkCacheMarkers(encode(body({})))).toEqual({ ok: true, markers: 0, ttls: [], problems: [] });
    const four = body({
      tools: [{ name: 'a', input_schema: {}, cache_control: cc1h }],
      system: [{ type: 'text', text: 's', cache_control: cc1h }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'x', cache_control: cc }] },
        { role: 'assistant', content: [{ type: 'text', text: 'y' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'z', cache_control: cc }] }] },
      ],
    });
    expect(checkCacheMarkers(encode(four))).toMatchObject({ ok: true, markers: 4, ttls: ['1h', '1h', '5m', '5m'] });
  });

  it('counts tools, system, messages, tool_result parts and the top-level marker: more than 4 fails', () => {
    const five = body({
      cache_control: cc,
      tools: [{ name: 'a', input_schema: {}, cache_control: cc }],
      system: [{ type: 'text', text: 's', cache_control: cc }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'x', cache_control: cc }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'z', cache_control: cc }] }] },
      ],
    });
    const r = checkCacheMarkers(encode(five));
    expect(r.ok).toBe(false);
    expect(r.markers).toBe(5);
    expect(r.problems.map((p) => p.code)).toEqual(['CACHE_TOO_MANY_MARKERS']);
  });

  it('a 1h marker after a 5m one (a marker without ttl is 5m) fails, including the top-level one', () => {
    const r = checkCacheMarkers(encode(body({ system: [{ type: 'text', text: 's', cache_control: cc }], tools: [{ name: 'a', input_schema: {} }], messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: cc1h }] }] })));
    expect(r.problems.map((p) => [p.code, p.path.join('.')])).toEqual([['CACHE_TTL_ORDER', 'messages.0.content.0']]);
    const top = checkCacheMarkers(encode(body({ cache_control: cc1h, system: [{ type: 'text', text: 's', cache_control: cc }] })));
    expect(top.problems.map((p) => p.code)).toEqual(['CACHE_TTL_ORDER']);
    const toolsAfter = checkCacheMarkers(encode(body({ tools: [{ name: 'a', input_schema: {}, cache_control: cc }], system: [{ type: 'text', text: 's', cache_control: cc1h }] })));
    expect(toolsAfter.problems.map((p) => p.code)).toEqual(['CACHE_TTL_ORDER']);
  });

  it('flags markers on empty text, empty tool results and thinking blocks', () => {
    const r = checkCacheMarkers(
      encode(
        body({
          messages: [
            { role: 'user', content: [{ type: 'text', text: '', cache_control: cc }] },
            { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's', cache_control: cc }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: [{ type: 'text', text: ' ', cache_control: cc }] }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'y', content: '', cache_control: cc }] },
          ],
        }),
      ),
    );
    expect(r.problems.map((p) => [p.code, p.path.join('.')])).toEqual([
      ['CACHE_EMPTY_BLOCK', 'messages.0.content.0'],
      ['CACHE_THINKING_BLOCK', 'messages.1.content.0'],
      ['CACHE_EMPTY_BLOCK', 'messages.2.content.0.content.0'],
      ['CACHE_EMPTY_BLOCK', 'messages.3.content.0'],
    ]);
  });

  it('a null cache_control is no marker; a broken body is reported, not thrown', () => {
    expect(checkCacheMarkers(encode(body({ cache_control: null }))).markers).toBe(0);
    expect(checkCacheMarkers(Buffer.from('{"a":')).problems[0]!.code).toBe('CACHE_BAD_BODY');
    expect(checkCacheMarkers(Buffer.from('[1]')).problems[0]!.code).toBe('CACHE_BAD_BODY');
  });
});
