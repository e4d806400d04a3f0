import type { Readable } from 'node:stream';
import { Agent, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import type { ProviderName } from '../exchange/exchange.sink';
import { ProxyError } from '../proxy.errors';

export interface UpstreamOptions {
  readonly anthropicBaseUrl: string;
  readonly openaiBaseUrl: string;
  readonly connectTimeoutMs: number;
  /** Time to response headers, and the longest silence between body chunks. */
  readonly timeoutMs: number;
  /** Connections per upstream origin. */
  readonly connections: number;
}

export interface UpstreamRequest {
  readonly provider: ProviderName;
  readonly method: string;
  /** Path and query as the client sent them (`/v1/messages?beta=true`). */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | Readable | null;
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Dispatcher.ResponseData['body'];
}

interface Base {
  readonly origin: string;
  readonly pathPrefix: string;
}

/**
 * Pooled keep-alive client to the providers (one undici Agent: a pool per origin). Connection failures
 * become `PRX_UPSTREAM_UNREACHABLE` (502), timeouts before the response `PRX_UPSTREAM_TIMEOUT` (504);
 * an aborted signal (client gone) rejects with the abort reason.
 */
export class UpstreamClient {
  private readonly agent: Agent;
  private readonly bases: Record<ProviderName, Base>;

  constructor(options: UpstreamOptions) {
    this.agent = new Agent({
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.connectTimeoutMs },
    });
    this.bases = { anthropic: parseBase(options.anthropicBaseUrl), openai: parseBase(options.openaiBaseUrl) };
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const base = this.bases[request.provider];
    try {
      const response = await this.agent.request({
        origin: base.origin,
        path: base.pathPrefix + request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw toProxyError(error);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Map an undici / socket failure before the response to a Leeway error code. */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  if (error instanceof undiciErrors.ConnectTimeoutError || error instanceof undiciErrors.HeadersTimeoutError) {
    return new ProxyError('PRX_UPSTREAM_TIMEOUT', 'The upstream API did not respond in time.', { cause: error });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new ProxyError('PRX_UPSTREAM_TIMEOUT', 'The upstream API stopped sending.', { cause: error });
  }
  if (error instanceof undiciErrors.RequestContentLengthMismatchError) {
    return new ProxyError('PRX_BAD_REQUEST', 'The request body does not match its content-length.', { cause: error });
  }
  return new ProxyError('PRX_UPSTREAM_UNREACHABLE', 'The upstream API could not be reached.', { cause: error });
}

function parseBase(url: string): Base {
  const parsed = new URL(url);
  return { origin: parsed.origin, pathPrefix: parsed.pathname.replace(/\/+$/, '') };
}
