/**
 * Codex CLI rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`), two layouts:
 *
 * - current (`RolloutLine`): every line is `{timestamp, type, payload}` with `type` one of `session_meta`,
 *   `response_item` (a Responses API item: message, reasoning, function_call, function_call_output,
 *   custom_tool_call(_output), local_shell_call, web_search_call…), `turn_context` (model, cwd…),
 *   `event_msg` (UI events; `token_count` carries usage) and `compacted` (history replaced by a summary);
 * - older (codex-rs before the RolloutLine wrapper): the first line is the `SessionMeta`
 *   (`{id, timestamp, instructions?}`), every later line a bare `ResponseItem`, plus
 *   `{"record_type":"state"}` lines.
 *
 * Neither holds Codex's base instructions (system prompt) nor its tool schemas; `instructions` in the older
 * meta are the user's instructions only (the request sent the base prompt before them).
 */
import type { Conversation, Message, RecordedUsage } from '../conversation';
import { asArray, asRecord, asString, type ReaderHint } from './json-util';
import { ResponsesItemReader } from './openai-responses';

const CURRENT_TYPES = new Set(['session_meta', 'response_item', 'turn_context', 'event_msg', 'compacted']);
const ITEM_TYPES = new Set([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'web_search_call',
]);

export function isCodexRollout(lines: readonly unknown[]): boolean {
  return lines.some((l) => {
    const r = asRecord(l);
    return r !== null && CURRENT_TYPES.has(asString(r['type']) ?? '') && 'payload' in r;
  });
}

export function isLegacyCodexRollout(lines: readonly unknown[]): boolean {
  const meta = asRecord(lines[0]);
  if (!meta || typeof meta['id'] !== 'string' || typeof meta['timestamp'] !== 'string' || 'type' in meta)
    return false;
  return lines.slice(1).some((l) => {
    const r = asRecord(l);
    return r !== null && (ITEM_TYPES.has(asString(r['type']) ?? '') || r['record_type'] === 'state');
  });
}

interface Segment {
  reader: ResponsesItemReader;
}

export function readCodexRollout(lines: readonly unknown[], hint: ReaderHint): Conversation[] {
  let sessionId = hint.baseName;
  let model: string | null = null;
  let system: string | null = null;
  let systemIsBase = false;
  let usage: RecordedUsage | undefined;
  const segments: Segment[] = [{ reader: new ResponsesItemReader() }];
  for (const raw of lines) {
    const line = asRecord(raw);
    const payload = asRecord(line?.['payload']);
    if (!line || !payload) continue;
    switch (line['type']) {
      case 'session_meta': {
        sessionId = asString(payload['id']) ?? sessionId;
        const base = asRecord(payload['base_instructions']);
        const baseText = asString(base?.['text']) ?? asString(payload['base_instructions']);
        if (baseText !== null) {
          system = baseText;
          systemIsBase = true;
        } else if (asString(payload['instructions']) !== null && system === null) {
          system = asString(payload['instructions']);
        }
        break;
      }
      case 'turn_context':
        model = asString(payload['model']) ?? model;
        break;
      case 'response_item':
        segments[segments.length - 1]!.reader.add(payload);
        break;
      case 'compacted': {
        const next = new ResponsesItemReader();
        const replacement = asArray(payload['replacement_history']);
        if (replacement.length > 0) for (const item of replacement) next.add(item);
        else
          next.add({
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: asString(payload['message']) ?? '' }],
          });
        segments.push({ reader: next });
        break;
      }
      case 'event_msg':
        if (payload['type'] === 'token_count') usage = tokenCountUsage(payload) ?? usage;
        break;
      default:
        break;
    }
  }
  const notes = [
    systemIsBase
      ? 'Codex rollouts hold no tool schemas (reconstructed from the calls)'
      : 'Codex rollouts hold neither the base instructions (system prompt) nor the tool schemas (reconstructed from the calls)',
  ];
  return toConversations(
    segments,
    sessionId,
    model ?? hint.modelHint,
    system,
    !systemIsBase,
    notes,
    'codex-rollout',
    usage,
  );
}

export function readLegacyCodexRollout(lines: readonly unknown[], hint: ReaderHint): Conversation[] {
  const meta = asRecord(lines[0]) ?? {};
  const reader = new ResponsesItemReader();
  for (const raw of lines.slice(1)) {
    const r = asRecord(raw);
    if (!r || r['record_type'] !== undefined) continue;
    reader.add(r);
  }
  const notes = [
    "older Codex rollouts hold neither the base instructions nor the tool schemas; `instructions` (the user's own) stand in for the system prompt",
  ];
  return toConversations(
    [{ reader }],
    asString(meta['id']) ?? hint.baseName,
    hint.modelHint,
    asString(meta['instructions']),
    true,
    notes,
    'codex-rollout-legacy',
    undefined,
  );
}

function toConversations(
  segments: Segment[],
  sessionId: string,
  model: string | null,
  system: string | null,
  systemPartial: boolean,
  notes: string[],
  format: 'codex-rollout' | 'codex-rollout-legacy',
  usage: RecordedUsage | undefined,
): Conversation[] {
  const out: Conversation[] = [];
  const usable = segments.filter((s) => s.reader.messages.some((m) => m.role === 'assistant'));
  usable.forEach((s, i) => {
    const messages: Message[] = [...s.reader.messages];
    while (messages.length > 0 && messages[0]!.role !== 'user') messages.shift();
    out.push({
      id:
        usable.length > 1
          ? `${sessionId.slice(0, 8)} segment ${i + 1}/${usable.length}`
          : sessionId.slice(0, 8),
      format,
      model,
      system,
      ...(system !== null && systemPartial ? { systemPartial: true } : {}),
      tools: null,
      messages,
      ...(usage && i === usable.length - 1 ? { recordedUsage: usage } : {}),
      notes: [...notes, ...s.reader.notes()],
    });
  });
  return out;
}

/** The session's cumulative usage from the last `token_count` event (`info.total_token_usage`). */
function tokenCountUsage(payload: Record<string, unknown>): RecordedUsage | undefined {
  const info = asRecord(payload['info']);
  const total = asRecord(info?.['total_token_usage']);
  if (!total) return undefined;
  const n = (k: string): number => (typeof total[k] === 'number' ? total[k] : 0);
  const cached = n('cached_input_tokens');
  return {
    responses: 0,
    inputTokens: Math.max(0, n('input_tokens') - cached),
    cacheWriteTokens: 0,
    cacheReadTokens: cached,
    outputTokens: n('output_tokens'),
  };
}
