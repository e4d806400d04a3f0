import type { ServerResponse } from 'node:http';
import { isUsageUnknown, runRetrieveLoop, runStreamingRetrieveLoop } from '@leeway/wire';
import type { NormalizedUsage, RetrieveAnswer, RetrieveLoopEnd, RetrieveResolver, WireApi } from '@leeway/wire';
import type { UpstreamResponse } from '../upstream/upstream.client';
import { clientResponseHeaders, headerValue } from './relay-headers';
import type { RelayResult } from './response-relay';
import { ResponseTap } from './response-tap';
import type { TapKind } from './response-tap';

export interface RetrieveRelayInput {
  readonly res: ServerResponse;
  /** Round 1's upstream response (2xx, identity-encoded: check `canAnswerRetrieve` first). */
  readonly upstream: UpstreamResponse;
  readonly api: WireApi;
  readonly tapKind: TapKind;
  /** Round 1's forwarded body. */
  readonly body: Buffer;
  /** Sends a continuation body upstream (same route, headers and credential as round 1). */
  readonly send: (body: Buffer) => Promise<UpstreamResponse>;
  readonly resolve: RetrieveResolver;
  readonly maxRounds: number;
  readonly leewayHeaders: Readonly<Record<string, string>>;
  /** Chat streams: whether the client asked for the usage chunk itself. */
  readonly clientWantsUsage: boolean;
  readonly abort: AbortController;
  readonly startedAt: number;
}

export interface RetrieveRelayResult extends RelayResult {
  /** Upstream requests made (1: no retrieve happened). */
  readonly rounds: number;
  readonly end: RetrieveLoopEnd | null;
  readonly answers: readonly RetrieveAnswer[];
}

/** Whether a round-1 response can go through the retrieve loop (else it is relayed untouched). */
export function canAnswerRetrieve(upstream: UpstreamResponse): boolean {
  const encoding = headerValue(upstream.headers, 'content-encoding')?.trim().toLowerCase();
  return upstream.status >= 200 && upstream.status < 300 && (encoding === undefined || encoding === '' || encoding === 'identity');
}

function isEventStream(upstream: UpstreamResponse): boolean {
  return (headerValue(upstream.headers, 'content-type') ?? '').toLowerCase().includes('text/event-stream');
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/**
 * Relays a response of a request that carries Leeway's retrieve tool, answering `leeway_retrieve` calls
 * in the proxy (DESIGN.md lifecycle step 11) so the client never sees the tool:
 *
 * - event stream: round 1 is relayed through the stream splicer as it arrives (no buffering, never a
 *   downgrade to non-streaming); continuations stream through the same splicer, so the client gets one
 *   coherent stream with consistent indices / ids and summed usage. A stream with no retrieve call passes
 *   event by event, so time to first byte is unchanged.
 * - JSON: the body is read, continued while the model calls the tool, and the merged body (usage summed
 *   over rounds) is sent; a response that needed no continuation is sent byte-identical.
 *
 * Usage for the exchange record is read off the bytes the client received (a tap on the output).
 */
export async function relayWithRetrieve(input: RetrieveRelayInput): Promise<RetrieveRelayResult> {
  const { res, upstream, abort } = input;
  let clientAborted = false;
  const onClose = (): void => {
    if (!res.writableFinished) {
      clientAborted = true;
      abort.abort();
    }
  };
  res.on('close', onClose);
  let bytesOut = 0;
  let ttfbMs: number | null = null;
  let upstreamFailed = false;
  const sse = isEventStream(upstream);
  const tap = new ResponseTap(input.tapKind, sse ? 'text/event-stream' : 'application/json', undefined);
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (bytes.length === 0 || res.destroyed) return;
    if (ttfbMs === null) ttfbMs = performance.now() - input.startedAt;
    bytesOut += bytes.length;
    tap.push(Buffer.from(bytes));
    if (!res.write(bytes)) await drained(res);
  };
  let rounds = 1;
  let end: RetrieveLoopEnd | null = null;
  /** Provider usage summed over rounds, as the loop read it upstream (also when the client's copy drops it). */
  let loopUsage: NormalizedUsage | null = null;
  const answers: RetrieveAnswer[] = [];
  try {
    if (sse) {
      res.writeHead(upstream.status, clientResponseHeaders(upstream.headers, input.leewayHeaders, { dropContentLength: true }));
      const result = await runStreamingRetrieveLoop({
        api: input.api,
        body: input.body,
        firstStream: upstream.body as AsyncIterable<Uint8Array>,
        send: async (body) => {
          const reply = await input.send(body);
          return { status: reply.status, body: reply.body as AsyncIterable<Uint8Array> };
        },
        resolve: input.resolve,
        write,
        maxRounds: input.maxRounds,
        clientWantsUsage: input.clientWantsUsage,
      });
      rounds = result.rounds;
      end = result.rounds > 1 || result.end !== 'done' ? result.end : null;
      for (const given of result.answers) answers.push(...given);
      loopUsage = result.usage;
    } else {
      const first = await collect(upstream.body as AsyncIterable<Uint8Array>);
      let parsed: unknown;
      try {
        parsed = JSON.parse(first.toString('utf8')) as unknown;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined) {
        res.writeHead(upstream.status, clientResponseHeaders(upstream.headers, input.leewayHeaders, { dropContentLength: false }));
        await write(first);
      } else {
        const result = await runRetrieveLoop({
          api: input.api,
          body: input.body,
          firstResponse: parsed,
          send: async (body) => {
            const reply = await input.send(body);
            return { status: reply.status, body: await collect(reply.body as AsyncIterable<Uint8Array>) };
          },
          resolve: input.resolve,
          maxRounds: input.maxRounds,
        });
        rounds = result.rounds;
        end = result.rounds > 1 || result.end !== 'done' ? result.end : null;
        for (const given of result.answers) answers.push(...given);
        if (result.status >= 200 && result.status < 300) loopUsage = result.usage;
        const out = result.changed ? result.responseBody : first;
        const headers = clientResponseHeaders(upstream.headers, input.leewayHeaders, { dropContentLength: true });
        headers['content-length'] = String(out.length);
        if (result.changed && result.status !== upstream.status) headers['content-type'] = 'application/json';
        res.writeHead(result.changed ? result.status : upstream.status, headers);
        await write(out);
      }
    }
  } catch {
    if (!clientAborted) upstreamFailed = true;
  } finally {
    res.off('close', onClose);
  }
  if (upstreamFailed || clientAborted) {
    upstream.body.destroy();
    if (!res.destroyed) res.destroy();
  } else if (!res.writableEnded) {
    res.end();
  }
  let summary = tap.finish();
  // A chat client that did not ask for usage gets no usage chunk; the record keeps the real figures (I8).
  if (summary !== null && loopUsage !== null && isUsageUnknown(summary.usage) && !isUsageUnknown(loopUsage)) summary = { ...summary, usage: loopUsage };
  return { summary, bytesOut, ttfbMs, clientAborted, upstreamFailed, rounds, end, answers };
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
