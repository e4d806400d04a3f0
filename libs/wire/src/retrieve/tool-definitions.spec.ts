import { describe, expect, it } from 'vitest';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import type { ProviderAdapter } from '../providers/provider-adapter';
import { applyEdits } from '../splice';
import {
  addRetrieveToolEdit,
  clientDeclaresRetrieveTool,
  hasLeewayRetrieveTool,
  RETRIEVE_TOOL_ANTHROPIC,
  RETRIEVE_TOOL_CHAT,
  RETRIEVE_TOOL_RESPONSES,
  retrieveToolJson,
} from './tool-definitions';

function add(adapter: ProviderAdapter, body: unknown): { out: Buffer; edited: boolean } {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const edit = addRetrieveToolEdit(raw, adapter.parseRequest(raw));
  return { out: applyEdits(raw, edit ? [edit] : []), edited: edit !== null };
}

describe('retrieve tool definitions', () => {
  it('are valid tool entries of each API with a required key and an optional query', () => {
    const a = JSON.parse(RETRIEVE_TOOL_ANTHROPIC) as { input_schema: { properties: Record<string, unknown> } };
    expect(a).toMatchObject({ name: 'leeway_retrieve', input_schema: { type: 'object', required: ['key'] } });
    expect(Object.keys(a.input_schema.properties)).toEqual(['key', 'query']);
    expect(JSON.parse(RETRIEVE_TOOL_CHAT)).toMatchObject({ type: 'function', function: { name: 'leeway_retrieve', parameters: { required: ['key'] } } });
    expect(JSON.parse(RETRIEVE_TOOL_RESPONSES)).toMatchObject({ type: 'function', name: 'leeway_retrieve', strict: false, parameters: { required: ['key'] } });
    expect(retrieveToolJson('openai-chat')).toBe(RETRIEVE_TOOL_CHAT);
  });

  it('appends to tools (bytes before it untouched) or creates tools', () => {
    const body = '{"model":"claude-sonnet-4-5","tools":[ {"name":"bash","input_schema":{}} ],"messages":[]}';
    const { out } = add(anthropicMessagesAdapter, body);
    expect(out.toString()).toBe(`{"model":"claude-sonnet-4-5","tools":[ {"name":"bash","input_schema":{}},${RETRIEVE_TOOL_ANTHROPIC} ],"messages":[]}`);
    expect(add(anthropicMessagesAdapter, { model: 'm', messages: [] }).out.toString()).toBe(`{"model":"m","messages":[],"tools":[${RETRIEVE_TOOL_ANTHROPIC}]}`);
    expect(add(openAiChatAdapter, { model: 'm', messages: [], tools: null }).out.toString()).toBe(`{"model":"m","messages":[],"tools":[${RETRIEVE_TOOL_CHAT}]}`);
    expect(add(openAiResponsesAdapter, { model: 'm', input: 'x', tools: [] }).out.toString()).toBe(`{"model":"m","input":"x","tools":[${RETRIEVE_TOOL_RESPONSES}]}`);
  });

  it('is sticky: every later turn carries byte-identical tool bytes', () => {
    const turn = (n: number) => add(openAiChatAdapter, { model: 'm', tools: [{ type: 'function', function: { name: 'ls' } }], messages: Array.from({ length: n }, (_, i) => ({ role: 'user', content: `m${i}` })) }).out.toString();
    const t1 = turn(1);
    const t5 = turn(5);
    expect(t1.slice(t1.indexOf('"tools"'), t1.indexOf('"messages"'))).toBe(t5.slice(t5.indexOf('"tools"'), t5.indexOf('"messages"')));
  });

  it('is not added when the client declares a tool of that name, nor twice, nor next to legacy functions', () => {
    const own = { model: 'm', messages: [], tools: [{ name: 'leeway_retrieve', description: 'mine', input_schema: {} }] };
    expect(add(anthropicMessagesAdapter, own).edited).toBe(false);
    const raw = Buffer.from(JSON.stringify(own));
    expect(clientDeclaresRetrieveTool(anthropicMessagesAdapter.parseRequest(raw))).toBe(true);
    expect(hasLeewayRetrieveTool(anthropicMessagesAdapter.parseRequest(raw))).toBe(false);

    const once = add(anthropicMessagesAdapter, { model: 'm', messages: [] }).out;
    const parsed = anthropicMessagesAdapter.parseRequest(once);
    expect(hasLeewayRetrieveTool(parsed)).toBe(true);
    expect(clientDeclaresRetrieveTool(parsed)).toBe(false);
    expect(addRetrieveToolEdit(once, parsed)).toBeNull();

    expect(add(openAiChatAdapter, { model: 'm', messages: [], functions: [{ name: 'f' }] }).edited).toBe(false);
  });
});
