/**
 * Stream splicer: a pure state machine that turns the SSE events of several upstream rounds — round 1
 * ending in `leeway_retrieve` call(s), then each continuation — into ONE coherent client stream.
 *
 *   const splicer = createStreamSplicer('anthropic-messages');
 *   for each upstream chunk → for each event of SseParser.push(chunk): write(splicer.push(event))
 *   const end = splicer.endRound();  write(end.out)
 *   if (end.status === 'continue') {            // the round ended in leeway_retrieve call(s)
 *     answers = await resolveRetrieveCalls(end.turn.retrieveCalls, resolve)
 *     body = buildContinuation(body, end.turn, answers)
 *     splicer.beginRound(); … feed the continuation's events the same way …
 *   }
 *   // no further round possible (round limit): write(splicer.finish());  upstream failed: write(splicer.fail(e))
 *
 * Guarantees (all APIs): content streamed before the retrieve call stays; the retrieve call is never shown;
 * the continuation's events are re-indexed to follow on (Anthropic content `index`; chat `tool_calls[].index`;
 * Responses `output_index` and `sequence_number`); the stream's opening event is sent once (round 1's, with
 * its real input and cache counts) and the terminal usage is summed over rounds; a text block is never opened
 * without text; one terminal event (`message_stop` / one `[DONE]` / one `response.completed`).
 * A round without a retrieve call passes through byte for byte (nothing is delayed but client tool calls,
 * which are held until the round's end: see `assistant-turn.ts`, "retrieve first").
 */
import type { WireApi } from '../providers/provider-adapter';
import type { SseEvent } from '../sse-parser';
import type { NormalizedUsage, StreamOutcome } from '../usage';
import type { AssistantTurn } from './assistant-turn';
import { AnthropicStreamSplicer } from './splicers/anthropic-splicer';
import { ChatStreamSplicer } from './splicers/chat-splicer';
import { ResponsesStreamSplicer } from './splicers/responses-splicer';

export interface SpliceError {
  /** Provider error type, e.g. `overloaded_error`, `api_error`. */
  readonly type: string;
  readonly message: string;
}

export type SpliceRoundEnd =
  /** The round ended in retrieve call(s): answer them, send `buildContinuation(…)`, then `beginRound()`. */
  | { readonly status: 'continue'; readonly turn: AssistantTurn; readonly out: Buffer }
  /** The client stream is complete (or failed / cut, as upstream's was): nothing more to send. */
  | { readonly status: 'done'; readonly outcome: StreamOutcome; readonly out: Buffer };

export interface StreamSplicer {
  readonly api: WireApi;
  /** The round being fed (1-based). */
  readonly round: number;
  /** Whether the client stream has been terminated (terminal event, error, or `finish`/`fail`). */
  readonly closed: boolean;
  /** Feeds one upstream event of the current round; returns the bytes to write to the client now. */
  push(event: SseEvent): Buffer;
  /** The current round's upstream stream ended. */
  endRound(): SpliceRoundEnd;
  /** Starts the next round (after a `continue`). */
  beginRound(): void;
  /** Ends the client stream coherently without another round (round limit reached). */
  finish(): Buffer;
  /** Ends the client stream with a provider-shaped error event (the continuation failed upstream). */
  fail(error: SpliceError): Buffer;
  /** Bytes that keep the client connection alive while a continuation is pending (ignored by SDKs). */
  keepAlive(): Buffer;
  /** Usage per round as reported (normalised). */
  roundUsages(): NormalizedUsage[];
  /** Usage summed over rounds (what the client's final event reports). */
  totalUsage(): NormalizedUsage;
}

export interface StreamSplicerOptions {
  /**
   * Chat Completions: whether the client itself asked for `stream_options.include_usage` (default true).
   * When false the usage-only chunk is dropped (the proxy may have turned usage on for its own ledger).
   */
  readonly clientWantsUsage?: boolean;
}

export function createStreamSplicer(api: WireApi, options: StreamSplicerOptions = {}): StreamSplicer {
  switch (api) {
    case 'anthropic-messages':
      return new AnthropicStreamSplicer();
    case 'openai-chat':
      return new ChatStreamSplicer(options.clientWantsUsage ?? true);
    case 'openai-responses':
      return new ResponsesStreamSplicer();
  }
}
