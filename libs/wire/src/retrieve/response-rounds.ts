/**
 * Non-streaming retrieve rounds: find `leeway_retrieve` calls in a completed response body (Anthropic
 * Messages, Chat Completions, Responses), separate them from client tool calls, build the assistant turn
 * for the continuation, and merge the rounds' bodies into the one response the client receives (usage
 * summed over rounds, no retrieve call anywhere).
 */
import type { WireApi } from '../providers/provider-adapter';
import { joinRoundText, type AssistantTurn, type WithheldCall } from './assistant-turn';
import { parseRetrieveCall, type RetrieveCall } from './retrieve-calls';
import { RETRIEVE_TOOL_NAME } from './tool-definitions';
import { sumUsageObjects } from './usage-sum';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

export interface RoundInspection {
  readonly retrieveCalls: readonly RetrieveCall[];
  /** Client tool calls in the same response (withheld when there are retrieve calls). */
  readonly clientCalls: readonly WithheldCall[];
  /** The turn to continue with: non-null exactly when the response must be continued. */
  readonly turn: AssistantTurn | null;
}

/** Stop reasons after which a response's calls may be incomplete: never continued. */
const TRUNCATED = new Set(['max_tokens', 'length', 'model_context_window_exceeded']);

function isRetrieveBlock(block: unknown): boolean {
  return isRecord(block) && block['type'] === 'tool_use' && block['name'] === RETRIEVE_TOOL_NAME;
}

function isClientToolBlock(block: unknown): boolean {
  return isRecord(block) && block['type'] === 'tool_use' && block['name'] !== RETRIEVE_TOOL_NAME;
}

function isEmptyText(block: unknown): boolean {
  return isRecord(block) && block['type'] === 'text' && (typeof block['text'] !== 'string' || block['text'].length === 0);
}

function chatCalls(message: Json): Json[] {
  return list(message['tool_calls']).filter(isRecord);
}

function chatCallName(call: Json): string | null {
  return isRecord(call['function']) ? str(call['function']['name']) : null;
}

function isRetrieveItem(item: unknown): boolean {
  return isRecord(item) && item['type'] === 'function_call' && item['name'] === RETRIEVE_TOOL_NAME;
}

function isClientCallItem(item: unknown): boolean {
  if (!isRecord(item) || isRetrieveItem(item)) return false;
  const t = str(item['type']);
  return t === 'function_call' || t === 'custom_tool_call' || t === 'local_shell_call' || t === 'computer_call';
}

/**
 * A Responses response object echoes the request's `tools`: the copy without Leeway's retrieve tool, or
 * null when it is not there (the client never sees the tool Leeway added).
 */
export function scrubResponsesToolEcho(response: unknown): Json | null {
  if (!isRecord(response) || !Array.isArray(response['tools'])) return null;
  const tools = (response['tools'] as unknown[]).filter((t) => !(isRecord(t) && t['name'] === RETRIEVE_TOOL_NAME));
  return tools.length === (response['tools'] as unknown[]).length ? null : { ...response, tools };
}

/** Finds retrieve calls in a completed (non-streamed) response body and builds the continuation turn. */
export function inspectResponse(api: WireApi, body: unknown): RoundInspection {
  const none: RoundInspection = { retrieveCalls: [], clientCalls: [], turn: null };
  if (!isRecord(body)) return none;
  if (api === 'anthropic-messages') {
    const content = list(body['content']);
    const retrieveCalls = content.filter(isRetrieveBlock).map((b) => parseRetrieveCall(str((b as Json)['id']) ?? '', (b as Json)['input']));
    const clientCalls = content.filter(isClientToolBlock).map((b) => ({ id: str((b as Json)['id']), name: str((b as Json)['name']) ?? '' }));
    if (retrieveCalls.length === 0 || TRUNCATED.has(str(body['stop_reason']) ?? '')) return { retrieveCalls, clientCalls, turn: null };
    const kept = content.filter((b) => !isClientToolBlock(b) && !isEmptyText(b));
    return { retrieveCalls, clientCalls, turn: { api, items: [{ role: 'assistant', content: kept }], retrieveCalls, withheldCalls: clientCalls } };
  }
  if (api === 'openai-chat') {
    const choice = list(body['choices']).find((c) => isRecord(c) && (c['index'] ?? 0) === 0);
    const message = isRecord(choice) && isRecord(choice['message']) ? choice['message'] : null;
    if (!message) return none;
    const calls = chatCalls(message);
    const retrieve = calls.filter((c) => chatCallName(c) === RETRIEVE_TOOL_NAME);
    const retrieveCalls = retrieve.map((c) => parseRetrieveCall(str(c['id']) ?? '', isRecord(c['function']) ? c['function']['arguments'] : undefined));
    const clientCalls = calls.filter((c) => chatCallName(c) !== RETRIEVE_TOOL_NAME).map((c) => ({ id: str(c['id']), name: chatCallName(c) ?? '' }));
    if (retrieveCalls.length === 0 || TRUNCATED.has(str((choice as Json)['finish_reason']) ?? '')) return { retrieveCalls, clientCalls, turn: null };
    const text = str(message['content']);
    const item = { role: 'assistant', content: text !== null && text.length > 0 ? text : null, tool_calls: retrieve };
    return { retrieveCalls, clientCalls, turn: { api, items: [item], retrieveCalls, withheldCalls: clientCalls } };
  }
  const output = list(body['output']);
  const retrieveCalls = output.filter(isRetrieveItem).map((i) => parseRetrieveCall(str((i as Json)['call_id']) ?? '', (i as Json)['arguments']));
  const clientCalls = output.filter(isClientCallItem).map((i) => ({ id: str((i as Json)['call_id']) ?? str((i as Json)['id']), name: str((i as Json)['name']) ?? str((i as Json)['type']) ?? '' }));
  if (retrieveCalls.length === 0 || str(body['status']) !== 'completed') return { retrieveCalls, clientCalls, turn: null };
  const items = output.filter((i) => !isClientCallItem(i));
  return { retrieveCalls, clientCalls, turn: { api, items, retrieveCalls, withheldCalls: clientCalls } };
}

/**
 * Merges the bodies of all rounds (oldest first) into the response the client receives: the visible
 * content of every round (retrieve calls removed everywhere, client calls withheld in all but the last
 * round), the last round's stop reason — `end_turn` / `stop` when the last round still ended in hidden
 * retrieve calls only (round limit) — and usage summed over rounds. Anthropic and chat keep the first
 * round's id; Responses uses the last round's id, the response stored with the whole exchange, so a
 * later `previous_response_id` chains from a valid conversation.
 */
export function mergeResponseBodies(api: WireApi, bodies: readonly unknown[]): unknown {
  const records = bodies.filter(isRecord);
  if (records.length === 0) return bodies[bodies.length - 1];
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const usage = sumUsageObjects(records.map((b) => b['usage']));
  const isLast = (i: number): boolean => i === records.length - 1;

  if (api === 'anthropic-messages') {
    const content = records.flatMap((b, i) =>
      list(b['content']).filter((block) => !isRetrieveBlock(block) && (isLast(i) || !isClientToolBlock(block))),
    );
    const hiddenOnly = list(last['content']).some(isRetrieveBlock) && !content.some(isClientToolBlock);
    return { ...last, id: first['id'], content, stop_reason: hiddenOnly ? 'end_turn' : last['stop_reason'], usage: usage ?? last['usage'] };
  }

  if (api === 'openai-chat') {
    let text: string | null = null;
    const choices = records.map((b) => list(b['choices']).find((c) => isRecord(c) && (c['index'] ?? 0) === 0) as Json | undefined);
    for (const choice of choices) {
      const t = isRecord(choice?.['message']) ? str(choice['message']['content']) : null;
      if (t !== null) text = text === null ? t : joinRoundText(text, t);
    }
    const lastChoice = choices[choices.length - 1] ?? { index: 0, message: { role: 'assistant', content: null }, finish_reason: 'stop' };
    const lastMessage = isRecord(lastChoice['message']) ? lastChoice['message'] : { role: 'assistant' };
    const calls = chatCalls(lastMessage);
    const visible = calls.filter((c) => chatCallName(c) !== RETRIEVE_TOOL_NAME);
    const { tool_calls: _dropped, ...rest } = lastMessage;
    const message = { ...rest, content: text, ...(visible.length > 0 ? { tool_calls: visible } : {}) };
    const hiddenOnly = calls.length > 0 && visible.length === 0;
    const choice = { ...lastChoice, message, finish_reason: hiddenOnly ? 'stop' : lastChoice['finish_reason'] };
    const otherChoices = list(last['choices']).filter((c) => !(isRecord(c) && (c['index'] ?? 0) === 0));
    return { ...last, id: first['id'], created: first['created'] ?? last['created'], choices: [choice, ...otherChoices], usage: usage ?? last['usage'] };
  }

  const output = records.flatMap((b, i) => list(b['output']).filter((item) => !isRetrieveItem(item) && (isLast(i) || !isClientCallItem(item))));
  const merged = { ...last, output, usage: usage ?? last['usage'] };
  return scrubResponsesToolEcho(merged) ?? merged;
}
