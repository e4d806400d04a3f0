/**
 * Test harness for the retrieve loop against the fake upstream: it plays the proxy's part (round 1 →
 * splicer / merge → continuation → …) with fetch, and hands the bytes the client would receive back
 * through the fake's `raw` script so the official SDKs can parse them.
 */
import type { FakeRoute, FakeUpstream, ScriptedResponse } from '@leeway/testing';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import type { ProviderAdapter, WireApi } from '../providers/provider-adapter';
import { applyEdits } from '../splice';
import { originalResolver, type RetrieveResolver } from './retrieve-calls';
import { runRetrieveLoop, runStreamingRetrieveLoop, type NonStreamingRetrieveLoopResult, type StreamingRetrieveLoopResult } from './retrieve-loop';
import { addRetrieveToolEdit } from './tool-definitions';

export const KEY = 'lw_0123456789abcdef';
export const ORIGINAL = Array.from({ length: 40 }, (_, i) => `row ${i + 1}: ${i === 17 ? 'ERROR disk full' : 'ok'}`).join('\n');
export const MARKER = `[leeway: 38 of 40 rows omitted; retrieve key=${KEY}]`;

export const ADAPTERS: Record<WireApi, ProviderAdapter> = {
  'anthropic-messages': anthropicMessagesAdapter,
  'openai-chat': openAiChatAdapter,
  'openai-responses': openAiResponsesAdapter,
};

export const ROUTES: Record<WireApi, { path: string; route: FakeRoute }> = {
  'anthropic-messages': { path: '/v1/messages', route: 'anthropic-messages' },
  'openai-chat': { path: '/v1/chat/completions', route: 'openai-chat' },
  'openai-responses': { path: '/v1/responses', route: 'openai-responses' },
};

/** The store of originals the resolver reads (tenant-scoped in the proxy). */
export function storeResolver(entries: Record<string, string> = { [KEY]: ORIGINAL }): RetrieveResolver {
  return originalResolver((key) => entries[key] ?? null);
}

/** A first request of each API: a tool output compressed with a marker, Leeway's retrieve tool added. */
export function firstRequest(api: WireApi, stream: boolean, extra: Record<string, unknown> = {}): Buffer {
  let body: Record<string, unknown>;
  if (api === 'anthropic-messages') {
    body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      stream,
      tools: [{ name: 'bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Why does the job fail?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_prev', name: 'bash', input: { command: 'cat log' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_prev', content: `row 1: ok\n${MARKER}` }] },
      ],
    };
  } else if (api === 'openai-chat') {
    body = {
      model: 'gpt-5',
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'You are an agent.' },
        { role: 'user', content: 'Why does the job fail?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_prev', type: 'function', function: { name: 'bash', arguments: '{"command":"cat log"}' } }] },
        { role: 'tool', tool_call_id: 'call_prev', content: `row 1: ok\n${MARKER}` },
      ],
    };
  } else {
    body = {
      model: 'gpt-5',
      stream,
      instructions: 'You are an agent.',
      tools: [{ type: 'function', name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } }],
      input: [
        { role: 'user', content: 'Why does the job fail?' },
        { type: 'function_call', call_id: 'call_prev', name: 'bash', arguments: '{"command":"cat log"}' },
        { type: 'function_call_output', call_id: 'call_prev', output: `row 1: ok\n${MARKER}` },
      ],
    };
  }
  const raw = Buffer.from(JSON.stringify({ ...body, ...extra }));
  const edit = addRetrieveToolEdit(raw, ADAPTERS[api].parseRequest(raw));
  return applyEdits(raw, edit ? [edit] : []);
}

function headers(api: WireApi): Record<string, string> {
  return api === 'anthropic-messages'
    ? { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' }
    : { 'content-type': 'application/json', authorization: 'Bearer sk-test' };
}

export async function post(upstream: FakeUpstream, api: WireApi, body: Buffer): Promise<Response> {
  return fetch(`${upstream.url}${ROUTES[api].path}`, { method: 'POST', headers: headers(api), body });
}

async function* tee(body: AsyncIterable<Uint8Array>, into: Buffer[]): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    into.push(Buffer.from(chunk));
    yield chunk;
  }
}

export interface StreamRun {
  readonly result: StreamingRetrieveLoopResult;
  /** What the client receives. */
  readonly clientBytes: Buffer;
  /** Round 1's upstream bytes. */
  readonly firstUpstreamBytes: Buffer;
}

/** Plays the proxy for a streaming request: round 1 upstream, then the retrieve loop. */
export async function runStream(
  upstream: FakeUpstream,
  api: WireApi,
  body: Buffer,
  options: { resolve?: RetrieveResolver; maxRounds?: number; clientWantsUsage?: boolean } = {},
): Promise<StreamRun> {
  const res = await post(upstream, api, body);
  if (res.status !== 200 || res.body === null) throw new Error(`round 1 failed: ${res.status} ${await res.text()}`);
  const first: Buffer[] = [];
  const client: Buffer[] = [];
  const result = await runStreamingRetrieveLoop({
    api,
    body,
    firstStream: tee(res.body, first),
    send: async (next) => {
      const r = await post(upstream, api, next);
      return { status: r.status, body: r.body ?? (async function* () {})() };
    },
    resolve: options.resolve ?? storeResolver(),
    write: (bytes) => {
      client.push(bytes);
    },
    ...(options.maxRounds !== undefined ? { maxRounds: options.maxRounds } : {}),
    ...(options.clientWantsUsage !== undefined ? { clientWantsUsage: options.clientWantsUsage } : {}),
  });
  return { result, clientBytes: Buffer.concat(client), firstUpstreamBytes: Buffer.concat(first) };
}

/** Plays the proxy for a non-streaming request. */
export async function runNonStream(
  upstream: FakeUpstream,
  api: WireApi,
  body: Buffer,
  options: { resolve?: RetrieveResolver; maxRounds?: number } = {},
): Promise<NonStreamingRetrieveLoopResult> {
  const res = await post(upstream, api, body);
  const first = JSON.parse(await res.text()) as unknown;
  return runRetrieveLoop({
    api,
    body,
    firstResponse: first,
    send: async (next) => {
      const r = await post(upstream, api, next);
      return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
    },
    resolve: options.resolve ?? storeResolver(),
    ...(options.maxRounds !== undefined ? { maxRounds: options.maxRounds } : {}),
  });
}

/** Queues the client-facing bytes so the next SDK call on that route receives them (in small chunks). */
export function serveToClient(upstream: FakeUpstream, api: WireApi, body: Buffer, contentType: string, status = 200): void {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += 7) chunks.push(body.subarray(i, i + 7)); // splits multibyte characters too
  const item: ScriptedResponse = { type: 'raw', route: ROUTES[api].route, status, headers: { 'content-type': contentType }, body: chunks, chunkBytes: 7 };
  upstream.script(item);
}

/** Sum of a numeric usage field over the fake's recorded replies (the billed rounds). */
export function recordedUsageSum(upstream: FakeUpstream, from: number, to: number, field: string, nested?: string): number {
  let n = 0;
  for (const req of upstream.requests.slice(from, to)) {
    const usage = req.reply?.usage ?? {};
    const v = nested ? (usage[field] as Record<string, unknown> | undefined)?.[nested] : usage[field];
    n += typeof v === 'number' ? v : 0;
  }
  return n;
}

/** Whether `next` is `prev` with bytes inserted just before the end of its messages / input array. */
export function extendsBody(api: WireApi, prev: Buffer, next: Buffer): boolean {
  const span = ADAPTERS[api].parseRequest(prev).messagesSpan;
  if (!span) return false;
  const cut = span.end - 1;
  const tail = prev.length - cut;
  return next.subarray(0, cut).equals(prev.subarray(0, cut)) && next.subarray(next.length - tail).equals(prev.subarray(cut));
}
