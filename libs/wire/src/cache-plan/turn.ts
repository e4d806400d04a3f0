/**
 * Turn boundaries and the protection decision for compression.
 *
 * Bytes a provider may hold in its prompt cache are bytes **sent in an earlier turn**. Everything after
 * the model's last turn (the last assistant message, tool call or reasoning item) is new in this request:
 * it has never been sent, so nothing upstream can have cached it yet — even when it lies before the
 * client's last `cache_control` breakpoint or its block carries `cache_control` (the marker's own bytes are
 * never touched, and the compressed text is what gets cached). Segments of earlier turns are never newly
 * decided: the proxy only replays a decision recorded when they were new (prefix state, invariant I2).
 *
 * Never segments at all, so never compressed in any turn: thinking / redacted_thinking blocks, images and
 * documents, encrypted reasoning, user and system text.
 */
import type { MessageRef, ParsedRequest, Segment } from '../providers/provider-adapter';

/** Responses item types the model produces (besides `role: "assistant"` messages). */
function isModelItemType(type: string | null): boolean {
  return type !== null && (type === 'reasoning' || type.endsWith('_call'));
}

/** Whether a message / input item was produced by the model. */
export function isModelTurn(message: MessageRef): boolean {
  return message.role === 'assistant' || isModelItemType(message.type);
}

/** Index of the last message the model produced (assistant message, tool call, reasoning item); -1 if none. */
export function lastModelTurnIndex(messages: readonly MessageRef[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (isModelTurn(messages[i]!)) return messages[i]!.index;
  }
  return -1;
}

/**
 * Whether a segment is new in this request (it lies after the model's last turn), so it may be compressed
 * now even when the adapter marked it protected because of a client cache breakpoint. Older segments are
 * only ever replayed from prefix state.
 */
export function isNewThisTurn(segment: Segment, parsed: ParsedRequest): boolean {
  return segment.messageIndex > lastModelTurnIndex(parsed.messages);
}

/**
 * The segments that may be newly decided in this request: new this turn (whatever their `protected`
 * flag says about client breakpoints) and not empty. Segments of earlier turns are replay-only.
 */
export function segmentsDecidableThisTurn(parsed: ParsedRequest): Segment[] {
  const last = lastModelTurnIndex(parsed.messages);
  return parsed.segments.filter((s) => s.messageIndex > last && s.text.length > 0);
}
