// I3: protected content arrives byte-identical while the tool outputs around it are compressed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, jsonRows, OPENAI_HEADERS, postRaw, startHarness } from './harness';
import type { Harness } from './harness';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** The bytes of `fragment` (a JSON text) occur in `body` exactly. */
function containsBytes(body: Buffer, fragment: string): boolean {
  return body.includes(Buffer.from(fragment, 'utf8'));
}

describe('I3 protected content', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstreamOptions: { tokenizer: 'approximate' } });
  });
  afterAll(() => h.close());

  it('Anthropic: thinking + signatures, redacted_thinking, cache_control blocks, images, documents and user text untouched; tool outputs compressed', async () => {
    const cachedUserBlock = `{"type":"text","text":"Here is the repo layout, cache it.\\n\\u00e9t\\u00e9 \u2603","cache_control":{"type":"ephemeral"}}`;
    const thinking = `{"type":"thinking","thinking":"I should look at the DB rows, then the logs.","signature":"EqoBCkgIARABGAIiQHx3k1b2+/sig=="}`;
    const redacted = `{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}`;
    const image = `{"type":"image","source":{"type":"base64","media_type":"image/png","data":"${PNG}"}}`;
    const documentBlock = `{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQKJcfsj6IK"}}`;
    const userText = `{"type":"text","text":"Why   do  the rows with status error fail? \\u2014 be brief"}`;
    const old = jsonRows('history');
    const fresh1 = jsonRows('fresh-one');
    const fresh2 = jsonRows('fresh-two');
    const body = `{"model":"claude-sonnet-4-5","max_tokens":1024,
  "system":[{"type":"text","text":"You are a careful engineer.","cache_control":{"type":"ephemeral"}}],
  "messages":[
    {"role":"user","content":[${cachedUserBlock},${image}]},
    {"role":"assistant","content":[{"type":"tool_use","id":"toolu_0","name":"query_db","input":{"sql":"select * from users"}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_0","content":${JSON.stringify(old)}}]},
    {"role":"assistant","content":[${thinking},${redacted},{"type":"tool_use","id":"toolu_1","name":"query_db","input":{"sql":"select * from users where status='error'"}},{"type":"tool_use","id":"toolu_2","name":"read_pdf","input":{"path":"report.pdf"}}]},
    {"role":"user","content":[
      {"type":"tool_result","tool_use_id":"toolu_1","content":${JSON.stringify(fresh1)}},
      {"type":"tool_result","tool_use_id":"toolu_2","content":[${image},{"type":"text","text":${JSON.stringify(fresh2)}},${documentBlock}]},
      ${userText}
    ]}
  ]}`;
    const res = await postRaw(`${h.url}/v1/messages`, body, ANTHROPIC_HEADERS);
    expect(res.body.toString()).toContain('"type":"message"');
    const forwarded = h.upstream.requests.at(-1)!.body;

    // Protected bytes, exactly as the client wrote them.
    for (const fragment of [cachedUserBlock, thinking, redacted, image, documentBlock, userText, JSON.stringify(old)]) {
      expect(containsBytes(forwarded, fragment)).toBe(true);
    }
    expect(forwarded.subarray(0, body.indexOf('{"role":"user","content":[\n      {"type":"tool_result","tool_use_id":"toolu_1"')).equals(Buffer.from(body).subarray(0, body.indexOf('{"role":"user","content":[\n      {"type":"tool_result","tool_use_id":"toolu_1"')))).toBe(true);

    // Fresh tool outputs were compressed (text next to the image included); the image is still counted once.
    expect(containsBytes(forwarded, JSON.stringify(fresh1))).toBe(false);
    expect(containsBytes(forwarded, JSON.stringify(fresh2))).toBe(false);
    expect(forwarded.length).toBeLessThan(Buffer.byteLength(body) * 0.8);
    const json = JSON.parse(forwarded.toString('utf8')) as { messages: { content: { type: string; content: unknown }[] }[] };
    const last = json.messages[4]!.content;
    expect(last[1]!.content).toEqual([
      JSON.parse(image),
      { type: 'text', text: expect.stringMatching(/^\[leeway: /) as unknown },
      JSON.parse(documentBlock),
    ]);
    expect(Number(res.headers.get('x-leeway-tokens-after'))).toBeLessThan(Number(res.headers.get('x-leeway-tokens-before')));
    const record = await h.sink.nth(h.sink.records.length);
    expect(record.segments.compressed).toBe(2);
    expect(record.optimization).toBe('applied');
  });

  it('Anthropic: a newest-turn tool output before the client’s breakpoint is compressed (never sent before); the marker block and earlier turns stay', async () => {
    const fresh = jsonRows('behind-breakpoint');
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'q', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: fresh },
            { type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
    });
    await postRaw(`${h.url}/v1/messages`, body, ANTHROPIC_HEADERS);
    // I3 by turn (lead decision, issue 4): bytes the provider may have cached are bytes sent in an earlier turn.
    const forwarded = h.upstream.requests.at(-1)!.body;
    const lastTurnAt = body.indexOf('{"role":"user","content":[{"type":"tool_result"');
    expect(forwarded.subarray(0, lastTurnAt).equals(Buffer.from(body).subarray(0, lastTurnAt))).toBe(true);
    expect(containsBytes(forwarded, '{"type":"text","text":"continue","cache_control":{"type":"ephemeral"}}')).toBe(true);
    expect(containsBytes(forwarded, JSON.stringify(fresh))).toBe(false);
  });

  it('OpenAI Responses: encrypted reasoning and multi-part input_text untouched; function_call_output compressed', async () => {
    const reasoning = `{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAABo-enc+/=="}`;
    const input = `{"role":"user","content":[{"type":"input_text","text":"Find the failing rows."},{"type":"input_text","text":"Then \\u00fcber-summarise."}]}`;
    const call = `{"type":"function_call","id":"fc_1","call_id":"call_1","name":"query_db","arguments":"{\\"sql\\":\\"select *\\"}"}`;
    const output = jsonRows('responses');
    const body = `{"model":"gpt-5","input":[${input},${reasoning},${call},{"type":"function_call_output","call_id":"call_1","output":${JSON.stringify(output)}}],"store":false,"include":["reasoning.encrypted_content"]}`;
    const res = await postRaw(`${h.url}/v1/responses`, body, OPENAI_HEADERS);
    expect(res.status).toBe(200);
    const forwarded = h.upstream.requests.at(-1)!.body;
    for (const fragment of [reasoning, input, call]) expect(containsBytes(forwarded, fragment)).toBe(true);
    expect(containsBytes(forwarded, JSON.stringify(output))).toBe(false);
    expect(forwarded.length).toBeLessThan(Buffer.byteLength(body));
  });

  it('OpenAI chat: tool_calls arguments null or an object, role:tool compressed, user text untouched', async () => {
    const user = `{"role":"user","content":"List the \\"error\\" users\\u0021"}`;
    const assistant = `{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"query_db","arguments":null}},{"id":"call_2","type":"function","function":{"name":"query_db","arguments":{"sql":"select 1"}}}]}`;
    const output = jsonRows('chat');
    const body = `{"model":"gpt-4o","messages":[${user},${assistant},{"role":"tool","tool_call_id":"call_1","content":${JSON.stringify(output)}},{"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"1"}]}]}`;
    const res = await postRaw(`${h.url}/v1/chat/completions`, body, OPENAI_HEADERS);
    expect(res.status).toBe(200);
    const forwarded = h.upstream.requests.at(-1)!.body;
    for (const fragment of [user, assistant, '{"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"1"}]}']) {
      expect(containsBytes(forwarded, fragment)).toBe(true);
    }
    expect(containsBytes(forwarded, JSON.stringify(output))).toBe(false);
  });
});
