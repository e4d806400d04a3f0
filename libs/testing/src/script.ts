/** What a test can tell the fake upstream to answer. */

/** `exact`: real tokenizers (o200k for OpenAI, the Claude estimate for Anthropic); `approximate`: ≈ 4 chars a token, for load tests. */
export type TokenizerMode = 'exact' | 'approximate';

export type FakeRoute =
  | 'anthropic-messages'
  | 'anthropic-count-tokens'
  | 'openai-chat'
  | 'openai-responses'
  | 'other';

/** Routes that generate an assistant message (what an un-routed script item applies to). */
export const GENERATION_ROUTES: ReadonlySet<FakeRoute> = new Set(['anthropic-messages', 'openai-chat', 'openai-responses']);

export interface ScriptedToolCall {
  /** Defaults to a deterministic id (`toolu_fake_…` / `call_fake_…`). */
  readonly id?: string;
  readonly name: string;
  /** The arguments object. */
  readonly input?: unknown;
}

/** Stream delivery controls shared by all scripted answers. */
export interface DeliveryOptions {
  /** Wait this long (wall clock) before sending the status line. */
  readonly delayMs?: number;
  /** Wait this long between SSE events. */
  readonly eventDelayMs?: number;
  /** Write the body in pieces of this many bytes (to split multibyte characters across chunks). */
  readonly chunkBytes?: number;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An assistant message: text, optional thinking, tool calls. */
export interface ScriptedMessage extends DeliveryOptions {
  readonly type?: 'message';
  /** Restrict to a route (default: the next generation request of any provider). */
  readonly route?: FakeRoute;
  readonly text?: string;
  /** Anthropic: a thinking block (with a deterministic signature); OpenAI Responses: a reasoning item. */
  readonly thinking?: string;
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Override the stop reason / finish reason. */
  readonly stopReason?: string;
  /** Override the counted output tokens. */
  readonly outputTokens?: number;
  /** Anthropic streams: `official` (counts in message_start) or `deferred` (zeros there, real counts in message_delta). */
  readonly usageStyle?: 'official' | 'deferred';
  /** Answer a `stream: false` request with `text/event-stream` anyway. */
  readonly eventStreamForNonStream?: boolean;
  /** Streaming: destroy the connection after this many SSE events (no terminal event). */
  readonly dropAfterEvents?: number;
  /** Streaming: after this many events, send a provider error event and end the stream. */
  readonly errorAfterEvents?: { readonly after: number; readonly type?: string; readonly message?: string };
}

/** An HTTP error answer (status + body). */
export interface ScriptedError extends DeliveryOptions {
  readonly type: 'error';
  readonly route?: FakeRoute;
  readonly status: number;
  /** JSON body (serialised) or raw text. Default: the provider's error shape for the status. */
  readonly body?: unknown;
}

/** Close the connection without answering. */
export interface ScriptedDrop {
  readonly type: 'drop';
  readonly route?: FakeRoute;
  readonly delayMs?: number;
}

/** Never answer (until the client gives up or the server closes): timeout tests. */
export interface ScriptedHang {
  readonly type: 'hang';
  readonly route?: FakeRoute;
}

/** Full control: status, headers and body bytes as given. */
export interface ScriptedRaw extends DeliveryOptions {
  readonly type: 'raw';
  readonly route?: FakeRoute;
  readonly status: number;
  readonly body: string | Uint8Array | readonly (string | Uint8Array)[];
}

export type ScriptedResponse = ScriptedMessage | ScriptedError | ScriptedDrop | ScriptedHang | ScriptedRaw;

/** A response computed from the request (return undefined to fall back to the default answer). */
export type Responder<R> = (request: R) => ScriptedResponse | undefined;
