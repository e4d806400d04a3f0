/**
 * The retrieve loop, with every I/O step injected (so it stays pure and testable): after round 1's
 * response, answer `leeway_retrieve` calls via `resolve`, send the continuation via `send`, and repeat
 * until a round ends without a retrieve call or `maxRounds` upstream requests were made.
 *
 * - Streaming: round 1's stream is relayed through the splicer as it arrives (no buffering, no downgrade
 *   to non-streaming); continuations are streamed through the same splicer. A continuation that fails
 *   upstream (HTTP error or network error) ends the client stream with a provider-shaped error event of
 *   the upstream's error type, so SDKs raise and agents retry as they would against the provider.
 * - Non-streaming: the client receives one merged body (`mergeResponseBodies`); a continuation that fails
 *   upstream is answered with that upstream error (status and body), untouched.
 * - Round limit: the last round's retrieve calls stay hidden (any withheld client calls are released)
 *   and the response ends normally.
 */
import type { WireApi } from '../providers/provider-adapter';
import { SseParser } from '../sse-parser';
import { UNKNOWN_USAGE, usageFromAnthropic, usageFromOpenAiChat, usageFromOpenAiResponses, type NormalizedUsage, type StreamOutcome } from '../usage';
import { buildContinuation } from './continuation';
import { inspectResponse, mergeResponseBodies, scrubResponsesToolEcho } from './response-rounds';
import { resolveRetrieveCalls, type RetrieveAnswer, type RetrieveResolver } from './retrieve-calls';
import { createStreamSplicer, type SpliceError } from './stream-splicer';
import { sumNormalizedUsage } from './usage-sum';

/** Default cap on upstream requests per client request (round 1 + up to 3 continuations). */
export const DEFAULT_MAX_RETRIEVE_ROUNDS = 4;

export type RetrieveLoopEnd = 'done' | 'round-limit' | 'upstream-error';

export interface RetrieveLoopResult {
  /** Upstream requests made (1 = no retrieve happened). */
  readonly rounds: number;
  readonly end: RetrieveLoopEnd;
  /** The answers given, per continued round. */
  readonly answers: readonly (readonly RetrieveAnswer[])[];
  /** Usage per round and summed (what the client was told). */
  readonly roundUsages: readonly NormalizedUsage[];
  readonly usage: NormalizedUsage;
  /** The bodies sent upstream for continuations (round 2 onwards). */
  readonly continuationBodies: readonly Buffer[];
}

export interface StreamingRetrieveLoopInput {
  readonly api: WireApi;
  /** Round 1's body as forwarded upstream. */
  readonly body: Buffer;
  /** Round 1's upstream SSE body (a 2xx response). */
  readonly firstStream: AsyncIterable<Uint8Array>;
  /** Sends a continuation body upstream (streaming). */
  readonly send: (body: Buffer) => Promise<{ readonly status: number; readonly body: AsyncIterable<Uint8Array> }>;
  readonly resolve: RetrieveResolver;
  /** Writes bytes to the client. */
  readonly write: (bytes: Buffer) => void | Promise<void>;
  readonly maxRounds?: number;
  /** Chat: whether the client asked for usage itself (default true). */
  readonly clientWantsUsage?: boolean;
}

export interface StreamingRetrieveLoopResult extends RetrieveLoopResult {
  readonly outcome: StreamOutcome;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** The provider error type in an error body (Anthropic or OpenAI shape), or a status-based default. */
export function upstreamErrorOf(status: number, body: Buffer | string): SpliceError {
  let type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  let message = `upstream answered the continuation with HTTP ${status}`;
  try {
    const json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as { error?: { type?: unknown; message?: unknown } };
    if (json.error && typeof json.error.type === 'string') type = json.error.type;
    if (json.error && typeof json.error.message === 'string') message = json.error.message;
  } catch {
    // not JSON: keep the defaults
  }
  return { type, message };
}

export async function runStreamingRetrieveLoop(input: StreamingRetrieveLoopInput): Promise<StreamingRetrieveLoopResult> {
  const maxRounds = Math.max(1, input.maxRounds ?? DEFAULT_MAX_RETRIEVE_ROUNDS);
  const splicer = createStreamSplicer(input.api, { clientWantsUsage: input.clientWantsUsage ?? true });
  const answers: RetrieveAnswer[][] = [];
  const continuationBodies: Buffer[] = [];
  let body = input.body;
  let stream: AsyncIterable<Uint8Array> = input.firstStream;
  let end: RetrieveLoopEnd = 'done';
  let outcome: StreamOutcome = 'truncated';
  const write = async (bytes: Buffer): Promise<void> => {
    if (bytes.length > 0) await input.write(bytes);
  };
  for (;;) {
    const parser = new SseParser();
    for await (const chunk of stream) {
      for (const event of parser.push(chunk)) await write(splicer.push(event));
    }
    for (const event of parser.end()) await write(splicer.push(event));
    const roundEnd = splicer.endRound();
    await write(roundEnd.out);
    if (roundEnd.status === 'done') {
      outcome = roundEnd.outcome;
      break;
    }
    if (splicer.round >= maxRounds) {
      await write(splicer.finish());
      end = 'round-limit';
      outcome = 'complete';
      break;
    }
    const given = await resolveRetrieveCalls(roundEnd.turn.retrieveCalls, input.resolve);
    answers.push(given);
    body = buildContinuation(body, roundEnd.turn, given);
    continuationBodies.push(body);
    let reply: { status: number; body: AsyncIterable<Uint8Array> };
    try {
      reply = await input.send(body);
    } catch (error) {
      await write(splicer.fail({ type: 'api_error', message: `continuation failed: ${error instanceof Error ? error.message : 'network error'}` }));
      end = 'upstream-error';
      outcome = 'error';
      break;
    }
    if (reply.status < 200 || reply.status >= 300) {
      await write(splicer.fail(upstreamErrorOf(reply.status, await collect(reply.body))));
      end = 'upstream-error';
      outcome = 'error';
      break;
    }
    splicer.beginRound();
    stream = reply.body;
  }
  return {
    rounds: splicer.round,
    end,
    outcome,
    answers,
    roundUsages: splicer.roundUsages(),
    usage: splicer.totalUsage(),
    continuationBodies,
  };
}

export interface RetrieveLoopInput {
  readonly api: WireApi;
  /** Round 1's body as forwarded upstream. */
  readonly body: Buffer;
  /** Round 1's parsed response body (a 2xx response). */
  readonly firstResponse: unknown;
  /** Sends a continuation body upstream (non-streaming). */
  readonly send: (body: Buffer) => Promise<{ readonly status: number; readonly body: Buffer }>;
  readonly resolve: RetrieveResolver;
  readonly maxRounds?: number;
}

export interface NonStreamingRetrieveLoopResult extends RetrieveLoopResult {
  /** What to answer the client: the merged body, or the failing continuation's upstream reply. */
  readonly status: number;
  readonly responseBody: Buffer;
  /** False when the first response needed no continuation: then forward round 1's bytes untouched. */
  readonly changed: boolean;
}

function normalized(api: WireApi, usage: unknown): NormalizedUsage {
  if (usage === undefined) return UNKNOWN_USAGE;
  return api === 'anthropic-messages' ? usageFromAnthropic(usage) : api === 'openai-chat' ? usageFromOpenAiChat(usage) : usageFromOpenAiResponses(usage);
}

function usageOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['usage'] : undefined;
}

export async function runRetrieveLoop(input: RetrieveLoopInput): Promise<NonStreamingRetrieveLoopResult> {
  const maxRounds = Math.max(1, input.maxRounds ?? DEFAULT_MAX_RETRIEVE_ROUNDS);
  const bodies: unknown[] = [input.firstResponse];
  const answers: RetrieveAnswer[][] = [];
  const continuationBodies: Buffer[] = [];
  let body = input.body;
  let end: RetrieveLoopEnd = 'done';
  let failure: { status: number; body: Buffer } | null = null;
  for (;;) {
    const inspection = inspectResponse(input.api, bodies[bodies.length - 1]);
    if (inspection.turn === null) break;
    if (bodies.length >= maxRounds) {
      end = 'round-limit';
      break;
    }
    const given = await resolveRetrieveCalls(inspection.turn.retrieveCalls, input.resolve);
    answers.push(given);
    body = buildContinuation(body, inspection.turn, given);
    continuationBodies.push(body);
    const reply = await input.send(body).catch((error: unknown) => {
      const message = `continuation failed: ${error instanceof Error ? error.message : 'network error'}`;
      return { status: 502, body: Buffer.from(JSON.stringify({ type: 'error', error: { type: 'api_error', message } })) };
    });
    if (reply.status < 200 || reply.status >= 300) {
      failure = reply;
      end = 'upstream-error';
      break;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(reply.body.toString('utf8')) as unknown;
    } catch {
      failure = { status: 502, body: Buffer.from(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'continuation answered with an unreadable body' } })) };
      end = 'upstream-error';
      break;
    }
    bodies.push(parsed);
  }
  const roundUsages = bodies.map((b) => normalized(input.api, usageOf(b)));
  const common = { rounds: bodies.length + (failure ? 1 : 0), end, answers, roundUsages, usage: sumNormalizedUsage(roundUsages), continuationBodies };
  if (failure) return { ...common, status: failure.status, responseBody: failure.body, changed: true };
  // Responses echo the request's tools: a body that needs no merge still loses Leeway's tool.
  const echo = input.api === 'openai-responses' ? scrubResponsesToolEcho(input.firstResponse) : null;
  const changed = bodies.length > 1 || end === 'round-limit' || echo !== null;
  const merged = bodies.length > 1 || end === 'round-limit' ? mergeResponseBodies(input.api, bodies) : (echo ?? input.firstResponse);
  return { ...common, status: 200, responseBody: Buffer.from(JSON.stringify(merged)), changed };
}
