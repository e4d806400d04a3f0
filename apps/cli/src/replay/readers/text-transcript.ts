import { pushPart, type Message } from '../conversation';
import type { TextAction } from './text-actions';

/** One entry of a transcript whose tool calls live in the text (SWE-agent, nebius, SWE-smith). */
export type TextEntry =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'assistant'; readonly text: string; readonly action: TextAction | null };

/**
 * Turn text entries into messages: an assistant action becomes a tool call, and the user message that
 * follows it becomes that call's tool result, its text unchanged. A user message that follows no action
 * (the task, a format-error nudge after prose without an action) stays user text.
 */
export function messagesFromTextEntries(entries: readonly TextEntry[], idPrefix: string): Message[] {
  const messages: Message[] = [];
  let pendingCall: string | null = null;
  let calls = 0;
  for (const entry of entries) {
    if (entry.role === 'user') {
      if (pendingCall !== null) {
        pushPart(messages, 'user', { type: 'tool_result', callId: pendingCall, content: entry.text });
        pendingCall = null;
      } else {
        pushPart(messages, 'user', { type: 'text', text: entry.text });
      }
      continue;
    }
    if (pendingCall !== null) {
      // Two assistant entries in a row: the first call never got an observation.
      pushPart(messages, 'user', { type: 'tool_result', callId: pendingCall, content: '', isError: true });
      pendingCall = null;
    }
    const action = entry.action;
    const thought = action ? action.thought : entry.text;
    if (thought.length > 0) pushPart(messages, 'assistant', { type: 'text', text: thought });
    if (action) {
      calls += 1;
      const id = `${idPrefix}${String(calls).padStart(4, '0')}`;
      pushPart(messages, 'assistant', {
        type: 'tool_call',
        id,
        name: action.name,
        input: action.input,
        arguments: JSON.stringify(action.input),
      });
      pendingCall = id;
    } else if (thought.length === 0) {
      pushPart(messages, 'assistant', { type: 'text', text: entry.text.length > 0 ? entry.text : '…' });
    }
  }
  return messages;
}
