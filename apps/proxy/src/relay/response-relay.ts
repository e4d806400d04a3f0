import type { ServerResponse } from 'node:http';
import { isOpenAiUsageOnlyChunk } from '@leeway/wire';
import type { ResponseSummary } from '@leeway/wire';
import type { UpstreamResponse } from '../upstream/upstream.client';
import { clientResponseHeaders, headerValue } from './relay-headers';
import { ResponseTap } from './response-tap';
import type { TapKind } from './response-tap';

export interface RelayInput {
  readonly res: ServerResponse;
  readonly upstream: UpstreamResponse;
  /** Leeway's response headers (`x-leeway-*`). */
  readonly leewayHeaders: Readonly<Record<string, string>>;
  /** Read usage off a copy of the response as this provider format; null relays without reading. */
  readonly tapKind: TapKind | null;
  /**
   * Drop the OpenAI usage-only chunk (Leeway added `stream_options.include_usage` for a client that did
   * not ask for it). Only possible on an identity-encoded event stream; otherwise the bytes go through.
   */
  readonly stripUsageChunk: boolean;
  /** Aborted when the client goes away: cancels the upstream request. */
  readonly abort: AbortController;
  readonly startedAt: number;
}

export interface RelayResult {
  readonly summary: ResponseSummary | null;
  readonly bytesOut: number;
  readonly ttfbMs: number | null;
  readonly clientAborted: boolean;
  /** The upstream body failed before its end (reset, read timeout). */
  readonly upstreamFailed: boolean;
}

/**
 * Relay an upstream response to the client byte-for-byte as it arrives (I1): status, headers minus
 * hop-by-hop, body chunks written unchanged with backpressure. A tap reads usage off a copy. When the
 * upstream body breaks, the client connection is destroyed so the client sees a cut response, never a
 * clean end.
 */
export async function relayResponse(input: RelayInput): Promise<RelayResult> {
  const { res, upstream, abort } = input;
  const contentType = headerValue(upstream.headers, 'content-type');
  const contentEncoding = headerValue(upstream.headers, 'content-encoding');
  const tap = input.tapKind ? new ResponseTap(input.tapKind, contentType, contentEncoding) : null;
  const filtering = input.stripUsageChunk && tap !== null && tap.incremental;

  let clientAborted = false;
  const onClose = (): void => {
    if (!res.writableFinished) {
      clientAborted = true;
      abort.abort();
    }
  };
  res.on('close', onClose);

  res.writeHead(
    upstream.status,
    clientResponseHeaders(upstream.headers, input.leewayHeaders, { dropContentLength: filtering }),
  );

  let bytesOut = 0;
  let ttfbMs: number | null = null;
  let upstreamFailed = false;
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (bytes.length === 0 || res.destroyed) return;
    if (ttfbMs === null) ttfbMs = performance.now() - input.startedAt;
    bytesOut += bytes.length;
    if (!res.write(bytes)) await drained(res);
  };

  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      if (clientAborted) break;
      if (filtering && tap) {
        for (const event of tap.push(chunk)) {
          if (!isOpenAiUsageOnlyChunk(event)) await write(event.raw);
        }
      } else {
        await write(chunk);
        tap?.push(chunk);
      }
    }
    const rest = tap?.end() ?? [];
    if (filtering) for (const event of rest) if (!isOpenAiUsageOnlyChunk(event)) await write(event.raw);
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
  return { summary: tap?.finish() ?? null, bytesOut, ttfbMs, clientAborted, upstreamFailed };
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
