import { toolResultText, type Conversation, type Message, type UserPart } from '../conversation';

/** What a request needs besides what transcripts guarantee. */
export const MISSING_RESULT_TEXT = '[no result recorded]';

/**
 * Make a conversation sendable as it stands: every tool call answered in the next user message (a call the
 * transcript left unanswered — interrupted, or the agent's last action — gets an error result), every tool
 * result preceded by its call (an orphan result becomes user text, unchanged), tool results first in their
 * message, and the conversation starting with a user message.
 */
export function repairConversation(conversation: Conversation): Conversation {
  const messages: Message[] = [];
  let missing = 0;
  let orphans = 0;
  const src = conversation.messages;
  for (let i = 0; i < src.length; i++) {
    const m = src[i]!;
    if (m.role === 'assistant') {
      messages.push(m);
      continue;
    }
    const prev = messages[messages.length - 1];
    const callIds =
      prev && prev.role === 'assistant'
        ? prev.parts.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []))
        : [];
    const results: UserPart[] = [];
    const rest: UserPart[] = [];
    const answered = new Set<string>();
    for (const p of m.parts) {
      if (p.type === 'tool_result') {
        if (callIds.includes(p.callId) && !answered.has(p.callId)) {
          answered.add(p.callId);
          results.push(p);
        } else {
          orphans++;
          rest.push({ type: 'text', text: toolResultText(p.content) });
        }
      } else {
        rest.push(p);
      }
    }
    for (const id of callIds) {
      if (answered.has(id)) continue;
      missing++;
      results.push({ type: 'tool_result', callId: id, content: MISSING_RESULT_TEXT, isError: true });
    }
    // Keep the calls' order for the results.
    results.sort(
      (a, b) =>
        callIds.indexOf((a as { callId: string }).callId) - callIds.indexOf((b as { callId: string }).callId),
    );
    const parts = [...results, ...rest];
    if (parts.length > 0) messages.push({ role: 'user', parts });
  }
  // An assistant message whose calls were never answered because the next message is another assistant one.
  const fixed: Message[] = [];
  for (const m of messages) {
    const prev = fixed[fixed.length - 1];
    if (m.role === 'assistant' && prev?.role === 'assistant') {
      const ids = prev.parts.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []));
      if (ids.length > 0) {
        missing += ids.length;
        fixed.push({
          role: 'user',
          parts: ids.map((id) => ({
            type: 'tool_result' as const,
            callId: id,
            content: MISSING_RESULT_TEXT,
            isError: true,
          })),
        });
      } else {
        fixed[fixed.length - 1] = { role: 'assistant', parts: [...prev.parts, ...m.parts] };
        continue;
      }
    }
    fixed.push(m);
  }
  while (fixed.length > 0 && fixed[0]!.role !== 'user') fixed.shift();
  const notes = [...conversation.notes];
  // (The final response's calls are never part of a request: nothing to answer.)
  if (missing > 0)
    notes.push(`${missing} unanswered tool call(s) given an error result "${MISSING_RESULT_TEXT}"`);
  if (orphans > 0) notes.push(`${orphans} tool result(s) without a matching call sent as user text`);
  return { ...conversation, messages: fixed, notes };
}
