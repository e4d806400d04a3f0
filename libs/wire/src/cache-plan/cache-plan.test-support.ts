/** Builders for cache-planner tests: Anthropic bodies of agent sessions with controllable sizes. */
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { applyEdits } from '../splice';
import { planAnthropicCache, type AnthropicCachePlanOptions, type CachePlan } from './anthropic-cache-plan';

/** Deterministic prose of `words` words. */
export function prose(words: number, seed = 0): string {
  // ≈ 3 Claude-estimate tokens a word
  const vocab = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(`${vocab[(i * 7 + seed) % vocab.length]}${(i + seed) % 13}`);
  return out.join(' ');
}

export const TOOLS = [
  { name: 'bash', description: `Run a shell command. ${prose(200, 1)}`, input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
  { name: 'read_file', description: `Read a file. ${prose(200, 2)}`, input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
];

export const SYSTEM = `You are a careful coding agent. ${prose(900, 3)}`;

export type Json = Record<string, unknown>;

/** A naive agent session: first user text, then `turns` assistant tool calls answered by tool results. */
export function agentMessages(turns: number, options: { callsPerTurn?: number; resultWords?: number } = {}): Json[] {
  const calls = options.callsPerTurn ?? 1;
  const words = options.resultWords ?? 120;
  const messages: Json[] = [{ role: 'user', content: 'Find and fix the failing test in the repository.' }];
  for (let t = 0; t < turns; t++) {
    const uses = Array.from({ length: calls }, (_, c) => ({ type: 'tool_use', id: `toolu_${t}_${c}`, name: 'bash', input: { command: `grep -rn thing${t}_${c} src` } }));
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${t}: looking further.` }, ...uses] });
    messages.push({
      role: 'user',
      content: uses.map((u, c) => ({ type: 'tool_result', tool_use_id: u.id, content: `result ${t}.${c}\n${prose(words, t * 31 + c)}` })),
    });
  }
  return messages;
}

export function anthropicBody(messages: Json[], extra: Json = {}): Json {
  return { model: 'claude-sonnet-4-5', max_tokens: 1024, tools: TOOLS, system: SYSTEM, messages, ...extra };
}

export function encode(body: Json | string): Buffer {
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface Planned {
  readonly raw: Buffer;
  readonly out: Buffer;
  readonly plan: CachePlan;
  readonly json: Json;
}

export function planBody(body: Json | string, options: AnthropicCachePlanOptions = {}): Planned {
  const raw = encode(body);
  const parsed = anthropicMessagesAdapter.parseRequest(raw);
  const plan = planAnthropicCache(raw, parsed, options);
  const out = applyEdits(raw, plan.edits);
  return { raw, out, plan, json: JSON.parse(out.toString('utf8')) as Json };
}

/** Every `cache_control` holder path in a body (tools, system, message blocks, tool_result parts, top level). */
export function markerPaths(body: Json): string[] {
  const out: string[] = [];
  if (body['cache_control'] != null) out.push('top');
  const visit = (v: unknown, path: string): void => {
    if (typeof v !== 'object' || v === null) return;
    const o = v as Json;
    if (o['cache_control'] != null) out.push(path);
    if (Array.isArray(o['content'])) (o['content'] as unknown[]).forEach((c, i) => visit(c, `${path}.content.${i}`));
  };
  for (const key of ['tools', 'system', 'messages']) {
    const list = body[key];
    if (Array.isArray(list)) list.forEach((item, i) => visit(item, `${key}.${i}`));
  }
  return out;
}

/** The body with every `cache_control` member removed (to compare content). */
export function withoutMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMarkers);
  if (typeof value === 'object' && value !== null) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'cache_control') out[k] = withoutMarkers(v);
    return out;
  }
  return value;
}
