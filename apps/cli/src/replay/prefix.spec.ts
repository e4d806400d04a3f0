import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeBody, extendsPrefix, prefixExtensions } from './prefix';

const body = (messages: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'm', max_tokens: 10, ...extra, messages });

describe('canonicalizeBody', () => {
  it('drops whitespace outside strings and cache_control members at any depth, nothing else', () => {
    const raw =
      '{ "a" : [ 1 , {"cache_control": {"type":"ephemeral"}, "t" : "x  y"} ],\n "cache_control":{"type":"ephemeral"}, "b":"\\u00e9" }';
    expect(canonicalizeBody(raw).text).toBe('{"a":[1,{"t":"x  y"}],"b":"\\u00e9"}');
    expect(canonicalizeBody('{"x":{"cache_control":1}}').text).toBe('{"x":{}}');
    expect(canonicalizeBody('{"x":[{"y":1,"cache_control":1,"z":2}]}').text).toBe('{"x":[{"y":1,"z":2}]}');
  });

  it('locates the conversation items and the cache-relevant members', () => {
    const c = canonicalizeBody(
      body(
        [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
        ],
        { system: 's', tools: [] },
      ),
    );
    expect(c.itemsKey).toBe('messages');
    expect(c.items.map(([s, e]) => c.text.slice(s, e))).toEqual([
      '{"role":"user","content":"a"}',
      '{"role":"assistant","content":"b"}',
    ]);
    expect(c.members.get('system')).toBe('"s"');
    expect(c.members.get('tools')).toBe('[]');
    expect(canonicalizeBody(JSON.stringify({ model: 'm', input: [{ type: 'message' }] })).itemsKey).toBe(
      'input',
    );
  });
});

describe('extendsPrefix', () => {
  const m1 = { role: 'user', content: [{ type: 'text', text: 'hi' }] };
  const m2 = { role: 'assistant', content: [{ type: 'text', text: 'yo' }] };
  const m3 = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'out' }] };

  it('accepts an appended history, even when the cache marker moved', () => {
    const marked = {
      role: 'user',
      content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }],
    };
    const m3marked = {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't', content: 'out', cache_control: { type: 'ephemeral' } },
      ],
    };
    expect(prefixExtensions([body([marked]), body([m1, m2, m3marked])])).toEqual([true]);
  });

  it('rejects a changed earlier message, a changed tools list or system prompt, and a shorter body', () => {
    const changed = { role: 'user', content: [{ type: 'text', text: 'hi!' }] };
    expect(prefixExtensions([body([m1]), body([changed, m2, m3])])).toEqual([false]);
    expect(
      prefixExtensions([body([m1], { tools: [] }), body([m1, m2, m3], { tools: [{ name: 'x' }] })]),
    ).toEqual([false]);
    expect(prefixExtensions([body([m1], { system: 'a' }), body([m1, m2, m3], { system: 'b' })])).toEqual([
      false,
    ]);
    expect(prefixExtensions([body([m1, m2, m3]), body([m1])])).toEqual([false]);
    // tools placed after messages are still compared
    const after = (tools: unknown) => JSON.stringify({ model: 'm', messages: [m1], tools });
    expect(
      prefixExtensions([
        after([]),
        JSON.stringify({ model: 'm', messages: [m1, m2, m3], tools: [{ name: 'x' }] }),
      ]),
    ).toEqual([false]);
    expect(prefixExtensions(['not json', body([m1])])).toEqual([false]);
  });

  const text = fc.string({ maxLength: 20 });
  const message = fc.record({
    role: fc.constantFrom('user', 'assistant'),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 3 }),
    ),
  });

  it('property: appending messages always extends; editing an earlier one never does', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 6 }),
        fc.array(message, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        text,
        (history, added, pick, replacement) => {
          const prev = canonicalizeBody(body(history));
          expect(extendsPrefix(prev, canonicalizeBody(body([...history, ...added])))).toBe(true);
          const i = pick % history.length;
          const edited = history.map((m, k) =>
            k === i ? { ...m, content: `${JSON.stringify(m.content)}${replacement}+` } : m,
          );
          expect(extendsPrefix(prev, canonicalizeBody(body([...edited, ...added])))).toBe(false);
        },
      ),
    );
  });

  it('property: canonical text is the JSON value with cache markers removed', () => {
    const strip = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(strip)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== 'cache_control')
                .map(([k, x]) => [k, strip(x)]),
            )
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const src = JSON.stringify({ v, cache_control: { type: 'ephemeral' } }, null, 2);
        expect(JSON.parse(canonicalizeBody(src).text)).toEqual(strip(JSON.parse(src)));
      }),
    );
  });
});
