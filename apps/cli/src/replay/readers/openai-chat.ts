import { argumentsToInput, pushPart, type Message, type ToolSpec, type UserPart } from '../conversation';
import { asArray, asRecord, asString } from './json-util';

export interface ParsedChat {
  readonly system: string | null;
  readonly tools: ToolSpec[] | null;
  readonly messages: Message[];
  readonly notes: string[];
}

/** Chat Completions `tools` (`[{type:'function', function:{name, description, parameters}}]`) → specs. */
export function chatToolsToSpecs(tools: unknown): ToolSpec[] | null {
  const list = asArray(tools);
  if (list.length === 0) return null;
  const specs: ToolSpec[] = [];
  for (const raw of list) {
    const t = asRecord(raw);
    const fn = asRecord(t?.['function']) ?? t;
    const name = asString(fn?.['name']);
    if (!fn || !name) continue;
    const description = asString(fn['description']);
    specs.push({
      name,
      ...(description !== null ? { description } : {}),
      parameters: asRecord(fn['parameters']) ?? { type: 'object', properties: {} },
    });
  }
  return specs.length > 0 ? specs : null;
}

/** The text of a Chat Completions `content` (a string, or parts of which the text ones count). */
export function chatContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((p) => asRecord(p))
    .filter((p): p is Record<string, unknown> => p !== null && typeof p['text'] === 'string')
    .map((p) => p['text'] as string)
    .join('\n');
}

function userParts(content: unknown): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const parts: UserPart[] = [];
  for (const raw of asArray(content)) {
    const p = asRecord(raw);
    if (!p) continue;
    if (typeof p['text'] === 'string') parts.push({ type: 'text', text: p['text'] });
    else if (p['type'] === 'image_url' || p['type'] === 'input_image')
      parts.push({ type: 'image', block: p as { type: string } });
  }
  return parts;
}

/**
 * Chat Completions messages → neutral messages. Leading `system` / `developer` messages form the system
 * prompt; `role: tool` messages become tool results of the user turn that follows the calls.
 */
export function parseChatMessages(rawMessages: unknown, rawTools: unknown): ParsedChat {
  const notes: string[] = [];
  const messages: Message[] = [];
  const systemParts: string[] = [];
  let seenConversation = false;
  for (const raw of asArray(rawMessages)) {
    const m = asRecord(raw);
    if (!m) continue;
    const role = m['role'];
    if (role === 'system' || role === 'developer') {
      const text = chatContentText(m['content']);
      if (!seenConversation) systemParts.push(text);
      else pushPart(messages, 'user', { type: 'text', text });
      continue;
    }
    seenConversation = true;
    if (role === 'user') {
      for (const part of userParts(m['content'])) pushPart(messages, 'user', part);
    } else if (role === 'tool' || role === 'function') {
      const callId = asString(m['tool_call_id']) ?? asString(m['name']) ?? 'call_unknown';
      const content = typeof m['content'] === 'string' ? m['content'] : chatContentText(m['content']);
      pushPart(messages, 'user', { type: 'tool_result', callId, content });
    } else if (role === 'assistant') {
      const text = chatContentText(m['content']);
      if (text.length > 0) pushPart(messages, 'assistant', { type: 'text', text });
      const calls = asArray(m['tool_calls']);
      const legacy = asRecord(m['function_call']);
      if (legacy) calls.push({ id: `call_fn_${messages.length}`, function: legacy });
      for (const rawCall of calls) {
        const call = asRecord(rawCall);
        const fn = asRecord(call?.['function']);
        const name = asString(fn?.['name']);
        if (!call || !fn || !name) continue;
        const id = asString(call['id']) ?? `call_${messages.length}_${name}`;
        pushPart(messages, 'assistant', {
          type: 'tool_call',
          id,
          name,
          ...argumentsToInput(fn['arguments']),
        });
      }
      const last = messages[messages.length - 1];
      if (!last || last.role !== 'assistant') {
        pushPart(messages, 'assistant', { type: 'text', text: '…' });
        notes.push('an empty assistant message was replayed as "…"');
      }
    }
  }
  return {
    system: systemParts.length > 0 ? systemParts.join('\n\n') : null,
    tools: chatToolsToSpecs(rawTools),
    messages,
    notes,
  };
}
