/**
 * One round's assistant turn, as the continuation request must replay it, and helpers shared by the
 * non-streaming and streaming paths.
 *
 * Mixed turns ("retrieve first"): when the model calls `leeway_retrieve` together with client tools, Leeway
 * answers only the retrieve calls and continues upstream with an assistant turn holding the round's
 * thinking, text and retrieve calls — the client calls are withheld: never shown to the client and not
 * part of the continuation. With the retrieved text in hand the model issues again whichever client calls
 * it still wants; those reach the client with their own ids and the client answers them as usual. Every
 * request stays valid for the provider (each tool_use / tool call has its result in the next request), the
 * client's history never holds a call it cannot answer or one it did not see, and no state is kept between
 * client turns. Cost: the withheld calls' output tokens (counted in the summed usage). When no further
 * round is possible (round limit), the withheld calls are released to the client as they were.
 */
import type { WireApi } from '../providers/provider-adapter';
import type { RetrieveCall } from './retrieve-calls';

export interface WithheldCall {
  readonly id: string | null;
  readonly name: string;
}

export interface AssistantTurn {
  readonly api: WireApi;
  /** JSON values appended to `messages` (Anthropic, chat: one assistant message) or `input` (Responses: output items). */
  readonly items: readonly unknown[];
  readonly retrieveCalls: readonly RetrieveCall[];
  /** Client tool calls made in the same turn and withheld ("retrieve first"). */
  readonly withheldCalls: readonly WithheldCall[];
}

/** Joins the text of two rounds in one chat message: a blank line between them unless the first ends in whitespace. */
export function joinRoundText(before: string, after: string): string {
  return before + roundSeparator(before, after) + after;
}

/** The separator `joinRoundText` puts between `before` and `after`. */
export function roundSeparator(before: string, after: string): string {
  return before.length === 0 || after.length === 0 || /\s$/.test(before) ? '' : '\n\n';
}
