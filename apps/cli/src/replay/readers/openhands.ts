import type { Conversation } from '../conversation';
import { asArray, asRecord, asString, stripNulls, type ReaderHint } from './json-util';
import { parseChatMessages } from './openai-chat';
import { parseXmlFunctionAction } from './text-actions';
import { messagesFromTextEntries, type TextEntry } from './text-transcript';

function trajectories(data: unknown): Record<string, unknown>[] {
  const list = Array.isArray(data) ? data : [data];
  return list.map(asRecord).filter((t): t is Record<string, unknown> => t !== null);
}

function hasChatMessages(t: Record<string, unknown> | undefined): boolean {
  const first = asRecord(asArray(t?.['messages'])[0]);
  return first !== null && typeof first['role'] === 'string';
}

/** Whether an assistant message holds SWE-smith style `<function=…>` calls in its text. */
function usesXmlCalls(t: Record<string, unknown>): boolean {
  return asArray(t['messages']).some((raw) => {
    const m = asRecord(raw);
    return (
      m?.['role'] === 'assistant' && typeof m['content'] === 'string' && m['content'].includes('<function=')
    );
  });
}

/** SWE-smith trajectories: `[{messages: [{role, content}], model, instance_id}]`, calls as `<function=…>` text. */
export function isSweSmith(data: unknown): boolean {
  const list = trajectories(data);
  return list.length > 0 && hasChatMessages(list[0]) && !('tools' in list[0]!) && usesXmlCalls(list[0]!);
}

/** OpenHands (SWE-Gym) trajectories: `[{messages: [...OpenAI chat with tool_calls], tools, run_id}]`. */
export function isOpenHands(data: unknown): boolean {
  const list = trajectories(data);
  if (list.length === 0 || !hasChatMessages(list[0])) return false;
  const t = list[0]!;
  // A single raw request body is not a trajectory list.
  if (!Array.isArray(data) && ('max_tokens' in t || 'model' in t) && !('instance_id' in t)) return false;
  return Array.isArray(t['tools']) || asArray(t['messages']).some((m) => asRecord(m)?.['role'] === 'tool');
}

export function readOpenHands(data: unknown, hint: ReaderHint): Conversation[] {
  return trajectories(data).map((t, index) => {
    const parsed = parseChatMessages(stripNulls(t['messages']), stripNulls(t['tools']));
    const runId = asString(t['run_id']);
    const model = asString(t['model']) ?? (runId ? runId.split('_')[0]! : null) ?? hint.modelHint;
    return {
      id: asString(t['instance_id']) ?? `${hint.baseName}#${index + 1}`,
      format: 'openhands' as const,
      model,
      system: parsed.system,
      tools: parsed.tools,
      messages: parsed.messages,
      notes: parsed.notes,
    };
  });
}

export function readSweSmith(data: unknown, hint: ReaderHint): Conversation[] {
  return trajectories(data).map((t, index) => {
    let system: string | null = null;
    const entries: TextEntry[] = [];
    for (const raw of asArray(t['messages'])) {
      const m = asRecord(raw);
      if (!m) continue;
      const text = asString(m['content']) ?? '';
      if (m['role'] === 'system') system = system === null ? text : `${system}\n\n${text}`;
      else if (m['role'] === 'user') entries.push({ role: 'user', text });
      else if (m['role'] === 'assistant')
        entries.push({ role: 'assistant', text, action: parseXmlFunctionAction(text) });
    }
    return {
      id: asString(t['instance_id']) ?? asString(t['id']) ?? `${hint.baseName}#${index + 1}`,
      format: 'swe-smith' as const,
      model: asString(t['model']) ?? hint.modelHint,
      system,
      tools: null,
      messages: messagesFromTextEntries(entries, `call_${index}_`),
      notes: [
        'SWE-smith calls tools in text (`<function=…>`, described in its system prompt): replayed as native tool calls (schemas reconstructed), observations as tool results',
      ],
    };
  });
}
