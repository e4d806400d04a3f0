import {
  argumentsToInput,
  pushPart,
  type Message,
  type OpaqueBlock,
  type TextPart,
  type ToolResultPart,
  type ToolSpec,
} from '../conversation';
import { asArray, asRecord, asString } from './json-util';

/** Responses API `tools` (`[{type:'function', name, parameters}]`, `{type:'custom', name}`) → specs. */
export function responsesToolsToSpecs(tools: unknown): ToolSpec[] | null {
  const specs: ToolSpec[] = [];
  for (const raw of asArray(tools)) {
    const t = asRecord(raw);
    const name = asString(t?.['name']);
    if (!t || !name) continue;
    const description = asString(t['description']);
    specs.push({
      name,
      ...(description !== null ? { description } : {}),
      parameters: asRecord(t['parameters']) ?? { type: 'object', properties: {} },
    });
  }
  return specs.length > 0 ? specs : null;
}

function outputContent(output: unknown): { content: ToolResultPart['content']; isError: boolean } {
  if (typeof output === 'string') return { content: output, isError: false };
  const obj = asRecord(output);
  if (obj && typeof obj['content'] === 'string')
    return { content: obj['content'], isError: obj['success'] === false };
  const blocks: (TextPart | OpaqueBlock)[] = [];
  for (const raw of asArray(output)) {
    const p = asRecord(raw);
    if (!p) continue;
    if (typeof p['text'] === 'string') blocks.push({ type: 'text', text: p['text'] });
    else blocks.push(p as OpaqueBlock);
  }
  return { content: blocks, isError: false };
}

/** Accumulates Responses `input` / Codex `ResponseItem`s into neutral messages. */
export class ResponsesItemReader {
  readonly messages: Message[] = [];
  readonly skipped = new Map<string, number>();

  add(raw: unknown): void {
    const item = asRecord(raw);
    if (!item) return;
    const type = asString(item['type']) ?? (typeof item['role'] === 'string' ? 'message' : '');
    const messages = this.messages;
    switch (type) {
      case 'message': {
        const role = item['role'];
        const content = item['content'];
        if (role === 'assistant') {
          const text = typeof content === 'string' ? content : this.textOf(content);
          if (text.length > 0) pushPart(messages, 'assistant', { type: 'text', text });
          return;
        }
        if (typeof content === 'string') {
          pushPart(messages, 'user', { type: 'text', text: content });
          return;
        }
        for (const partRaw of asArray(content)) {
          const p = asRecord(partRaw);
          if (!p) continue;
          if (typeof p['text'] === 'string') pushPart(messages, 'user', { type: 'text', text: p['text'] });
          else if (p['type'] === 'input_image' || p['type'] === 'input_file')
            pushPart(messages, 'user', { type: 'image', block: p as OpaqueBlock });
        }
        return;
      }
      case 'reasoning':
        pushPart(messages, 'assistant', { type: 'reasoning', item: item as OpaqueBlock });
        return;
      case 'function_call': {
        const name = asString(item['name']) ?? 'tool';
        const id = asString(item['call_id']) ?? asString(item['id']) ?? `call_${messages.length}`;
        pushPart(messages, 'assistant', {
          type: 'tool_call',
          id,
          name,
          ...argumentsToInput(item['arguments']),
        });
        return;
      }
      case 'custom_tool_call': {
        const input = asString(item['input']) ?? '';
        pushPart(messages, 'assistant', {
          type: 'tool_call',
          id: asString(item['call_id']) ?? `call_${messages.length}`,
          name: asString(item['name']) ?? 'tool',
          input: { input },
          arguments: input,
          freeform: true,
        });
        return;
      }
      case 'local_shell_call': {
        const action = asRecord(item['action']) ?? {};
        pushPart(messages, 'assistant', {
          type: 'tool_call',
          id: asString(item['call_id']) ?? asString(item['id']) ?? `call_${messages.length}`,
          name: 'local_shell',
          input: action,
          arguments: JSON.stringify(action),
        });
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
      case 'local_shell_call_output': {
        const { content, isError } = outputContent(item['output']);
        pushPart(messages, 'user', {
          type: 'tool_result',
          callId: asString(item['call_id']) ?? 'call_unknown',
          content,
          ...(isError ? { isError: true } : {}),
        });
        return;
      }
      default: {
        // Server-side tools (web_search_call…), snapshots and compaction markers cannot be sent back.
        const key = type || 'unknown';
        this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
      }
    }
  }

  /** Notes on what was skipped. */
  notes(): string[] {
    return [...this.skipped.entries()].map(([type, n]) => `${n} \`${type}\` item(s) not replayable, skipped`);
  }

  private textOf(content: unknown): string {
    return asArray(content)
      .map((p) => asRecord(p))
      .filter((p): p is Record<string, unknown> => p !== null && typeof p['text'] === 'string')
      .map((p) => p['text'] as string)
      .join('\n');
  }
}
