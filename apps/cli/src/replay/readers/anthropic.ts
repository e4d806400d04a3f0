import { pushPart, type Message, type OpaqueBlock, type ToolSpec } from '../conversation';
import { asArray, asRecord, asString } from './json-util';

/** Anthropic `system` (a string or text blocks) → text. */
export function anthropicSystemText(system: unknown): string | null {
  if (typeof system === 'string') return system;
  const texts = asArray(system)
    .map(asRecord)
    .filter((b): b is Record<string, unknown> => b !== null && typeof b['text'] === 'string')
    .map((b) => b['text'] as string);
  return texts.length > 0 ? texts.join('\n\n') : null;
}

export function anthropicToolsToSpecs(tools: unknown): ToolSpec[] | null {
  const specs: ToolSpec[] = [];
  for (const raw of asArray(tools)) {
    const t = asRecord(raw);
    const name = asString(t?.['name']);
    if (!t || !name) continue;
    const description = asString(t['description']);
    specs.push({
      name,
      ...(description !== null ? { description } : {}),
      parameters: asRecord(t['input_schema']) ?? { type: 'object', properties: {} },
    });
  }
  return specs.length > 0 ? specs : null;
}

/** Anthropic Messages `messages` → neutral messages (content blocks kept as recorded). */
export function parseAnthropicMessages(raw: unknown): Message[] {
  const messages: Message[] = [];
  for (const mRaw of asArray(raw)) {
    const m = asRecord(mRaw);
    if (!m) continue;
    const role = m['role'] === 'assistant' ? 'assistant' : 'user';
    const content = m['content'];
    if (typeof content === 'string') {
      if (role === 'assistant') pushPart(messages, 'assistant', { type: 'text', text: content });
      else pushPart(messages, 'user', { type: 'text', text: content });
      continue;
    }
    for (const bRaw of asArray(content)) {
      const b = asRecord(bRaw);
      if (!b) continue;
      const type = b['type'];
      if (type === 'text' && typeof b['text'] === 'string') {
        if (role === 'assistant') pushPart(messages, 'assistant', { type: 'text', text: b['text'] });
        else pushPart(messages, 'user', { type: 'text', text: b['text'] });
      } else if (type === 'tool_use' && role === 'assistant') {
        const input = asRecord(b['input']) ?? {};
        pushPart(messages, 'assistant', {
          type: 'tool_call',
          id: asString(b['id']) ?? `toolu_${messages.length}`,
          name: asString(b['name']) ?? 'tool',
          input,
          arguments: JSON.stringify(input),
        });
      } else if ((type === 'thinking' || type === 'redacted_thinking') && role === 'assistant') {
        pushPart(messages, 'assistant', { type: 'thinking', block: b as OpaqueBlock });
      } else if (type === 'tool_result' && role === 'user') {
        const c = b['content'];
        pushPart(messages, 'user', {
          type: 'tool_result',
          callId: asString(b['tool_use_id']) ?? 'toolu_unknown',
          content:
            typeof c === 'string' ? c : (asArray(c).filter((x) => asRecord(x) !== null) as OpaqueBlock[]),
          ...(b['is_error'] === true ? { isError: true } : {}),
        });
      } else if ((type === 'image' || type === 'document') && role === 'user') {
        pushPart(messages, 'user', { type: 'image', block: b as OpaqueBlock });
      }
    }
  }
  return messages;
}
