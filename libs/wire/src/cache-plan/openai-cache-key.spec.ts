import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import { applyEdits } from '../splice';
import { planOpenAiCacheKey, prefixFingerprint } from './openai-cache-key';

const tools = [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }];
const chat = (system: string, extra: Record<string, unknown> = {}, user = 'hi'): Buffer =>
  Buffer.from(JSON.stringify({ model: 'gpt-5', tools, messages: [{ role: 'system', content: system }, { role: 'user', content: user }], ...extra }));

function plan(raw: Buffer, tenant = 'team-a', adapter = openAiChatAdapter) {
  const parsed = adapter.parseRequest(raw);
  const p = planOpenAiCacheKey(raw, parsed, tenant);
  return { ...p, out: applyEdits(raw, p.edit ? [p.edit] : []) };
}

describe('planOpenAiCacheKey', () => {
  it('adds prompt_cache_key to a chat body, appending bytes only', () => {
    const raw = chat('You are helpful.');
    const p = plan(raw);
    expect(p.skipped).toBeNull();
    expect(p.key).toMatch(/^lw-[0-9a-f]{32}$/);
    expect(p.out.subarray(0, raw.length - 1).equals(raw.subarray(0, raw.length - 1))).toBe(true);
    expect(JSON.parse(p.out.toString())).toMatchObject({ prompt_cache_key: p.key });
  });

  it('is stable across turns and differs per tenant, system prompt and tools', () => {
    const a = plan(chat('You are helpful.', {}, 'first turn')).key;
    expect(plan(chat('You are helpful.', {}, 'a later, longer turn')).key).toBe(a);
    expect(plan(chat('You are helpful.'), 'team-b').key).not.toBe(a);
    expect(plan(chat('You are terse.')).key).not.toBe(a);
    expect(plan(chat('You are helpful.', { tools: [] })).key).not.toBe(a);
  });

  it('keeps a key the client set; replaces a null one', () => {
    const own = plan(chat('s', { prompt_cache_key: 'mine' }));
    expect(own.skipped).toBe('client-key');
    expect(own.edit).toBeNull();
    const nul = plan(chat('s', { prompt_cache_key: null }));
    expect(JSON.parse(nul.out.toString()).prompt_cache_key).toBe(nul.key);
  });

  it('works for Responses (instructions + tools), with string or list input', () => {
    const body = (input: unknown, instructions = 'Be exact.'): Buffer =>
      Buffer.from(JSON.stringify({ model: 'gpt-5', instructions, input, tools: [{ type: 'function', name: 'bash', parameters: {} }] }));
    const a = plan(body('hello'), 'team-a', openAiResponsesAdapter);
    const b = plan(body([{ role: 'user', content: 'hello' }, { type: 'function_call_output', call_id: 'c', output: 'x' }]), 'team-a', openAiResponsesAdapter);
    expect(a.key).toBe(b.key);
    expect(plan(body('hello', 'Be loose.'), 'team-a', openAiResponsesAdapter).key).not.toBe(a.key);
    expect(JSON.parse(a.out.toString()).prompt_cache_key).toBe(a.key);
  });

  it('does nothing for Anthropic bodies or when disabled', () => {
    const raw = Buffer.from('{"model":"claude-sonnet-4-5","messages":[]}');
    expect(planOpenAiCacheKey(raw, anthropicMessagesAdapter.parseRequest(raw), 't').skipped).toBe('not-openai');
    const c = chat('s');
    expect(planOpenAiCacheKey(c, openAiChatAdapter.parseRequest(c), 't', { enabled: false })).toMatchObject({ edit: null, skipped: 'disabled' });
  });

  it('prefixFingerprint ignores the conversation after the system messages', () => {
    const f = (user: string) => prefixFingerprint(openAiChatAdapter.parseRequest(chat('s', {}, user)));
    expect(f('one')).toBe(f('two'));
  });
});
