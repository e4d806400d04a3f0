/**
 * The continuation request after a round that ended in `leeway_retrieve` call(s): the body sent in that
 * round, byte for byte, with the assistant turn and the tool results answering every retrieve call
 * appended to `messages` / `input` by splice. Round N+1's body therefore extends round N's, so the
 * provider's cache (the breakpoints already in the body) serves the retrieve loop too.
 */
import { WireError } from '../errors';
import { findMember, spanText } from '../json-scan';
import { anthropicMessagesAdapter } from '../providers/anthropic-messages';
import { openAiChatAdapter } from '../providers/openai-chat';
import { openAiResponsesAdapter } from '../providers/openai-responses';
import type { ProviderAdapter, WireApi } from '../providers/provider-adapter';
import { addMemberEdit, appendToArrayEdit, applyEdits, replaceValueEdit, type ByteEdit } from '../splice';
import type { AssistantTurn } from './assistant-turn';
import { unknownKeyText, type RetrieveAnswer } from './retrieve-calls';

const ADAPTERS: Record<WireApi, ProviderAdapter> = {
  'anthropic-messages': anthropicMessagesAdapter,
  'openai-chat': openAiChatAdapter,
  'openai-responses': openAiResponsesAdapter,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The answer text for each retrieve call (a call without an answer gets the "unknown key" text). */
function answerTexts(turn: AssistantTurn, answers: readonly RetrieveAnswer[]): { id: string; text: string }[] {
  const byId = new Map(answers.map((a) => [a.callId, a.text]));
  return turn.retrieveCalls.map((c) => ({ id: c.id, text: byId.get(c.id) ?? unknownKeyText(c.key ?? c.rawKey ?? '?') }));
}

/**
 * Responses items as input: with `store: false` nothing is persisted server-side, so item ids must not be
 * sent for messages and calls, and reasoning items are only replayable with their `encrypted_content`.
 */
function responsesInputItems(items: readonly unknown[], storeDisabled: boolean): unknown[] {
  if (!storeDisabled) return [...items];
  const out: unknown[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    if (item['type'] === 'reasoning') {
      if (typeof item['encrypted_content'] === 'string') out.push(item);
      continue;
    }
    const { id: _id, ...rest } = item;
    out.push(rest);
  }
  return out;
}

/**
 * Builds the next round's body: `raw` is the body sent upstream in the round that ended in the retrieve
 * call(s) (the proxy's forwarded bytes, not the client's). Throws `WireError('WIRE_BAD_REQUEST_SHAPE')`
 * when the body has no conversation to append to.
 */
export function buildContinuation(raw: Buffer, turn: AssistantTurn, answers: readonly RetrieveAnswer[]): Buffer {
  const parsed = ADAPTERS[turn.api].parseRequest(raw);
  const results = answerTexts(turn, answers);
  let appended: string[];
  switch (turn.api) {
    case 'anthropic-messages':
      appended = [
        ...turn.items.map((i) => JSON.stringify(i)),
        JSON.stringify({ role: 'user', content: results.map((r) => ({ type: 'tool_result', tool_use_id: r.id, content: r.text })) }),
      ];
      break;
    case 'openai-chat':
      appended = [...turn.items.map((i) => JSON.stringify(i)), ...results.map((r) => JSON.stringify({ role: 'tool', tool_call_id: r.id, content: r.text }))];
      break;
    case 'openai-responses': {
      const storeDisabled = findMember(parsed.root, 'store')?.kind === 'false';
      appended = [
        ...responsesInputItems(turn.items, storeDisabled).map((i) => JSON.stringify(i)),
        ...results.map((r) => JSON.stringify({ type: 'function_call_output', call_id: r.id, output: r.text })),
      ];
      break;
    }
  }
  const json = appended.join(',');
  let edit: ByteEdit;
  if (parsed.messagesSpan) {
    edit = appendToArrayEdit(parsed.messagesSpan, json);
  } else if (turn.api === 'openai-responses') {
    const input = findMember(parsed.root, 'input');
    if (input?.kind === 'string') {
      edit = replaceValueEdit(input, `[{"role":"user","content":${spanText(raw, input)}},${json}]`);
    } else if (!input || input.kind === 'null') {
      edit = input ? replaceValueEdit(input, `[${json}]`) : addMemberEdit(parsed.root, 'input', `[${json}]`);
    } else {
      throw new WireError('WIRE_BAD_REQUEST_SHAPE', 'responses input is neither a list nor a string');
    }
  } else {
    throw new WireError('WIRE_BAD_REQUEST_SHAPE', `${parsed.messagesKey} is not a list`);
  }
  return applyEdits(raw, [edit]);
}
