/**
 * Adapts `@leeway/testing`'s fake upstream to the replay: each turn's recorded assistant message becomes
 * the scripted answer (the fake computes usage and prompt caching itself), and the bodies it received on
 * the generation routes are what prefix stability is measured on.
 */
import { startFakeUpstream, type FakeRoute, type ScriptedMessage } from '@leeway/testing';
import type { AssistantMessage, WireApi } from './conversation';
import type { UpstreamHandle } from './runner';

const ROUTES: Readonly<Record<WireApi, FakeRoute>> = {
  anthropic: 'anthropic-messages',
  'openai-chat': 'openai-chat',
  'openai-responses': 'openai-responses',
};
const GENERATION = new Set<FakeRoute>(Object.values(ROUTES));

/** The scripted answer for a recorded response: its text, its tool calls, and (Anthropic) its thinking. */
export function scriptedMessage(api: WireApi, response: AssistantMessage): ScriptedMessage {
  const text = response.parts
    .filter((p) => p.type === 'text')
    .map((p) => p.text)
    .join('\n\n');
  const thinking = response.parts
    .flatMap((p) =>
      p.type === 'thinking' && typeof p.block['thinking'] === 'string' ? [p.block['thinking']] : [],
    )
    .join('\n\n');
  const toolCalls = response.parts.flatMap((p) =>
    p.type === 'tool_call' ? [{ id: p.id, name: p.name, input: p.input }] : [],
  );
  return {
    route: ROUTES[api],
    ...(text.length > 0 || toolCalls.length === 0 ? { text: text.length > 0 ? text : '…' } : {}),
    ...(api === 'anthropic' && thinking.length > 0 ? { thinking } : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
  };
}

export async function startScriptedUpstream(): Promise<UpstreamHandle> {
  const fake = await startFakeUpstream({ tokenizer: 'exact' });
  return {
    baseUrl: fake.url,
    script: (api, _model, response) => fake.script(scriptedMessage(api, response)),
    received: () => fake.requests.filter((r) => GENERATION.has(r.route)).map((r) => r.body.toString('utf8')),
    close: () => fake.close(),
  };
}
