import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPath, scanJson } from '../json-scan';
import { oddJson } from '../odd-json.test-support';
import { applyEdits } from '../splice';
import { PROVIDER_ADAPTERS } from './registry';
import { segmentEdit } from './provider-adapter';

const text = fc.string({ unit: 'grapheme', maxLength: 30 });

const anthropicBody = fc
  .array(
    fc.tuple(text, fc.boolean(), fc.array(text, { minLength: 1, maxLength: 3 }), fc.boolean()),
    { minLength: 1, maxLength: 6 },
  )
  .map((turns) => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 10,
    messages: turns.flatMap(([user, asList, parts, cached], i) => [
      { role: 'assistant', content: [{ type: 'thinking', thinking: user, signature: 'sig' }, { type: 'tool_use', id: `t${i}`, name: `tool${i}`, input: { q: user } }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: `t${i}`,
            content: asList ? parts.map((p) => ({ type: 'text', text: p })) : parts.join(''),
            ...(cached ? { cache_control: { type: 'ephemeral' } } : {}),
          },
          { type: 'text', text: user },
        ],
      },
    ]),
  }));

const chatBody = fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }).map((turns) => ({
  model: 'gpt-4.1',
  messages: turns.flatMap(([user, out], i) => [
    { role: 'user', content: user },
    { role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: `c${i}`, content: out },
  ]),
}));

const responsesBody = fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 6 }).map((turns) => ({
  model: 'gpt-5',
  input: turns.flatMap(([user, out], i) => [
    { role: 'user', content: [{ type: 'input_text', text: user }] },
    { type: 'reasoning', id: `rs${i}`, summary: [], encrypted_content: 'gAAAA' },
    { type: 'function_call', call_id: `c${i}`, name: 'shell', arguments: '{}' },
    { type: 'function_call_output', call_id: `c${i}`, output: out },
  ]),
}));

describe.each([
  ['anthropic-messages', anthropicBody],
  ['openai-chat', chatBody],
  ['openai-responses', responsesBody],
] as const)('%s adapter on oddly formatted bodies', (api, bodies) => {
  const adapter = PROVIDER_ADAPTERS[api];

  it('finds segments whose text is the value JSON.parse sees, and edits touch only their bytes', () => {
    fc.assert(
      fc.property(bodies, fc.integer(), (body, seed) => {
        const raw = Buffer.from(oddJson(body, seed), 'utf8');
        const parsed = adapter.parseRequest(raw);
        const value = JSON.parse(raw.toString()) as unknown;
        for (const s of parsed.segments) {
          let v: unknown = value;
          for (const step of s.path) v = (v as Record<string | number, unknown>)[step];
          expect(s.text).toBe(v);
          expect(findPath(scanJson(raw), s.path)?.start).toBe(s.start);
        }
        const editable = parsed.segments.filter((s) => !s.protected);
        const out = applyEdits(raw, editable.map((s) => segmentEdit(s, `<${s.ordinal}>`)));
        // outside the edited ranges, the bytes are the original ones, in order
        let cursor = 0;
        let outCursor = 0;
        for (const s of editable) {
          const len = s.start - cursor;
          expect(out.subarray(outCursor, outCursor + len).equals(raw.subarray(cursor, s.start))).toBe(true);
          outCursor += len + Buffer.byteLength(JSON.stringify(`<${s.ordinal}>`));
          cursor = s.end;
        }
        expect(out.subarray(outCursor).equals(raw.subarray(cursor))).toBe(true);
        if (editable.length === 0) expect(out).toBe(raw);
      }),
      { numRuns: 150 },
    );
  });
});
