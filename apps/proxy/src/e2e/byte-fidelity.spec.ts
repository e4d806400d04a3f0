// I1: a request Leeway does not change arrives upstream byte-identical; response bytes reach the client unchanged.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, OPENAI_HEADERS, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

/** A tiny deterministic PRNG so one generated seed drives all formatting choices. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WS = ['', ' ', '  ', '\n', '\t', '\r\n', '\n    '];

/** JSON text with odd whitespace, \u escapes (including surrogate pairs) and shuffled key order. */
function oddJson(value: unknown, rnd: () => number): string {
  const ws = (): string => WS[Math.floor(rnd() * WS.length)] as string;
  const str = (s: string): string => {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0) as number;
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (cp < 0x20 || rnd() < 0.15) {
        for (const unit of ch.split('')) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, rnd() < 0.5 ? '0' : '0')}`;
      } else if (ch === '/' && rnd() < 0.5) out += '\\/';
      else out += ch;
    }
    return `${out}"`;
  };
  const walk = (v: unknown): string => {
    if (v === null || typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return rnd() < 0.2 && Number.isSafeInteger(v) ? `${v}.0e0` : JSON.stringify(v);
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => `${walk(x)}${ws()}`).join(`,${ws()}`)}]`;
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
    }
    return `{${ws()}${entries.map(([k, x]) => `${str(k)}${ws()}:${ws()}${walk(x)}`).join(`,${ws()}`)}${ws()}}`;
  };
  return `${ws()}${walk(value)}${ws()}`;
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const extra = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !['model', 'messages', 'input', 'stream', 'stream_options'].includes(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

const anthropicBody = fc.record({
  model: fc.constantFrom('claude-sonnet-4-5', 'claude-haiku-4-5'),
  max_tokens: fc.integer({ min: 1, max: 4096 }),
  system: fc.option(text, { nil: undefined }),
  messages: fc.array(
    fc.oneof(
      fc.record({ role: fc.constant('user'), content: text }),
      fc.record({ role: fc.constant('assistant'), content: fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 }) }),
      fc.record({
        role: fc.constant('user'),
        content: fc.tuple(text).map(([t]) => [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: t }] }]),
      }),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  extra,
});

const chatBody = fc.record({
  model: fc.constantFrom('gpt-4o', 'gpt-4.1-mini'),
  messages: fc.array(
    fc.oneof(
      fc.record({ role: fc.constantFrom('system', 'user', 'developer'), content: text }),
      fc.record({
        role: fc.constant('assistant'),
        content: fc.option(text, { nil: null }),
        tool_calls: fc.array(
          fc.record({
            id: fc.constant('call_1'),
            type: fc.constant('function'),
            function: fc.record({ name: fc.constant('grep'), arguments: fc.oneof(fc.constant(null), text, fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })) }),
          }),
          { maxLength: 2 },
        ),
      }),
      fc.record({ role: fc.constant('tool'), tool_call_id: fc.constant('call_1'), content: text }),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  stream: fc.constantFrom(undefined, false),
  extra,
});

const responsesBody = fc.record({
  model: fc.constantFrom('gpt-5', 'o4-mini'),
  input: fc.oneof(
    text,
    fc.array(
      fc.oneof(
        fc.record({ role: fc.constant('user'), content: fc.array(fc.record({ type: fc.constant('input_text'), text }), { minLength: 1, maxLength: 3 }) }),
        fc.record({ type: fc.constant('reasoning'), id: fc.constant('rs_1'), summary: fc.constant([]), encrypted_content: fc.base64String({ minLength: 4, maxLength: 40 }) }),
        fc.record({ type: fc.constant('function_call_output'), call_id: fc.constant('call_1'), output: text }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  ),
  extra,
});

function flatten({ extra: more, ...rest }: { extra: Record<string, unknown> } & Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  return { ...more, ...out };
}

describe('I1 byte fidelity (property)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' } });
  });
  afterAll(() => h.close());

  const cases = [
    { name: 'Anthropic /v1/messages', path: '/v1/messages', arb: anthropicBody, headers: ANTHROPIC_HEADERS },
    { name: 'OpenAI /v1/chat/completions', path: '/v1/chat/completions', arb: chatBody, headers: OPENAI_HEADERS },
    { name: 'OpenAI /v1/responses', path: '/v1/responses', arb: responsesBody, headers: OPENAI_HEADERS },
  ] as const;

  for (const c of cases) {
    it(`${c.name}: unmodified bodies arrive upstream byte-identical`, async () => {
      await fc.assert(
        fc.asyncProperty(c.arb as fc.Arbitrary<{ extra: Record<string, unknown> } & Record<string, unknown>>, fc.integer(), async (value, seed) => {
          const bytes = Buffer.from(oddJson(flatten(value), prng(seed)), 'utf8');
          const before = h.upstream.requests.length;
          const res = await postRaw(h.url + c.path, bytes, c.headers);
          expect(res.headers.get('x-leeway-request-id')).toBeTruthy();
          expect(h.upstream.requests.length).toBe(before + 1);
          expect(h.upstream.requests.at(-1)!.body.equals(bytes)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('pass-through routes relay body bytes (any content type) unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('/v1/embeddings', '/v1/files', '/v1/messages/batches'), async (bytes, path) => {
        const body = Buffer.from(bytes);
        const res = await postRaw(h.url + path, body, { ...OPENAI_HEADERS, 'content-type': 'application/octet-stream' });
        expect(res.status).toBeGreaterThan(0);
        const got = h.upstream.requests.at(-1)!;
        expect(got.path).toBe(path);
        expect(got.body.equals(body)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('response bytes reach the client unchanged (JSON and event streams, split anywhere)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 7 }), fc.boolean(), async (s, chunkBytes, sse) => {
        const payload = sse
          ? `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: s } })}\n\n`
          : JSON.stringify({ id: 'x', note: s });
        h.upstream.script({
          type: 'raw',
          status: 200,
          body: payload,
          chunkBytes,
          headers: { 'content-type': sse ? 'text/event-stream' : 'application/json' },
        });
        const res = await postRaw(`${h.url}/v1/messages`, JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), ANTHROPIC_HEADERS);
        expect(res.body.equals(Buffer.from(payload, 'utf8'))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
