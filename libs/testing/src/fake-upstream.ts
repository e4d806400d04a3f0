/**
 * A fake provider upstream for tests and benchmarks: one HTTP server speaking Anthropic
 * (`POST /v1/messages`, `/v1/messages/count_tokens`) and OpenAI (`POST /v1/chat/completions`,
 * `/v1/responses`), streaming and not, with usage that includes prompt caching as the providers define
 * it (see `prompt-cache.ts`). It records every request exactly as received and answers from a script.
 *
 *   const upstream = await startFakeUpstream();
 *   upstream.script({ text: 'hi', toolCalls: [{ name: 'grep', input: { q: 'x' } }] }, { type: 'error', status: 529 });
 *   // point a client or the proxy at upstream.url (Anthropic) / `${upstream.url}/v1` (OpenAI)
 *   upstream.requests[0].body  // the exact bytes received
 *   upstream.clock.advance(6 * 60_000) // expire 5-minute cache entries
 *   await upstream.close();
 *
 * The caches belong to the instance: two proxies pointed at one fake upstream share them.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { createFakeClock, type FakeClock } from './clock';
import {
  AnthropicRequestError,
  anthropicCounter,
  anthropicErrorBody,
  anthropicErrorEvent,
  anthropicMessageBody,
  anthropicOutputTokens,
  anthropicPromptBlocks,
  anthropicStreamEvents,
  validateAnthropicRequest,
  type AnthropicExchange,
} from './fake-anthropic';
import {
  chatCompletionBody,
  chatErrorEvent,
  chatPromptUnits,
  chatStreamEvents,
  openAiCounter,
  openAiErrorBody,
  openAiOutputTokens,
  OpenAiRequestError,
  PromptTokenizer,
  responsesBody,
  responsesErrorEvent,
  responsesPromptUnits,
  responsesStreamEvents,
  validateChatRequest,
  validateResponsesRequest,
  type OpenAiExchange,
} from './fake-openai';
import { AnthropicPromptCache, OPENAI_EXTENDED_TTL_MS, OPENAI_TTL_MS, OpenAiPromptCache } from './prompt-cache';
import {
  GENERATION_ROUTES,
  type FakeRoute,
  type Responder,
  type ScriptedError,
  type ScriptedMessage,
  type ScriptedRaw,
  type ScriptedResponse,
  type TokenizerMode,
} from './script';

export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Path with the query string. */
  readonly url: string;
  readonly route: FakeRoute;
  /** Lower-cased header map as Node parsed it. */
  readonly headers: IncomingHttpHeaders;
  /** Header names and values exactly as received, in order. */
  readonly rawHeaders: readonly string[];
  /** The body bytes exactly as received (still content-encoded if they were). */
  readonly body: Buffer;
  /** The parsed JSON body (after content decoding), or undefined. */
  readonly json: unknown;
  /** Simulated clock time at arrival. */
  readonly receivedAt: number;
  /** What the fake answered (status, and the usage object it reported), set once answered. */
  reply: { status: number; usage: Record<string, unknown> | null } | null;
}

export interface FakeUpstreamOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** The simulated clock for cache TTLs and timestamps (default: a new one at 2025-01-01). */
  readonly clock?: FakeClock;
  /** `exact` (default): real tokenizers; `approximate`: ≈ 4 chars a token, for load tests. */
  readonly tokenizer?: TokenizerMode;
  /** Simulate prompt caching (default true). */
  readonly promptCaching?: boolean;
  /** When set, requests must carry one of these keys (`x-api-key` or `Authorization: Bearer`), else 401. */
  readonly apiKeys?: readonly string[];
  /** The answer when no script item is queued (default: a short text message). */
  readonly respond?: Responder<RecordedRequest>;
  /** Keep at most this many recorded requests (oldest dropped; default unlimited). */
  readonly maxRecorded?: number;
}

export interface FakeUpstream {
  /** `http://host:port` — Anthropic base URL; OpenAI clients use `${url}/v1`. */
  readonly url: string;
  readonly port: number;
  readonly clock: FakeClock;
  readonly requests: RecordedRequest[];
  readonly anthropicCache: AnthropicPromptCache;
  readonly openAiCache: OpenAiPromptCache;
  /** Queues answers, consumed in order (an item with `route` waits for a request on that route). */
  script(...responses: (ScriptedResponse | Responder<RecordedRequest>)[]): void;
  /** Sets the default answer used when the queue has nothing for a request. */
  setResponder(responder: Responder<RecordedRequest> | null): void;
  /** Queued, not yet used script items. */
  pendingScripts(): number;
  /** Recorded requests on one route. */
  requestsFor(route: FakeRoute): RecordedRequest[];
  clearRequests(): void;
  resetCaches(): void;
  close(): Promise<void>;
}

const DEFAULT_TEXT = 'Hello from the fake upstream.';

type QueueItem = ScriptedResponse | Responder<RecordedRequest>;

function routeOf(method: string, path: string): FakeRoute {
  if (method !== 'POST') return 'other';
  switch (path) {
    case '/v1/messages':
      return 'anthropic-messages';
    case '/v1/messages/count_tokens':
      return 'anthropic-count-tokens';
    case '/v1/chat/completions':
      return 'openai-chat';
    case '/v1/responses':
      return 'openai-responses';
    default:
      return 'other';
  }
}

function isAnthropicFlavoured(route: FakeRoute, headers: IncomingHttpHeaders): boolean {
  return route === 'anthropic-messages' || route === 'anthropic-count-tokens' || (route === 'other' && headers['anthropic-version'] !== undefined);
}

function apiKeyOf(headers: IncomingHttpHeaders): string | null {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x;
  const auth = headers['authorization'];
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '');
  return null;
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  switch (enc) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new UnsupportedEncodingError(enc);
  }
}

class UnsupportedEncodingError extends Error {}

function sleep(ms: number | undefined): Promise<void> {
  return ms && ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

function errorTypeForStatus(anthropic: boolean, status: number): string {
  if (anthropic) {
    if (status === 401) return 'authentication_error';
    if (status === 403) return 'permission_error';
    if (status === 404) return 'not_found_error';
    if (status === 413) return 'request_too_large';
    if (status === 429) return 'rate_limit_error';
    if (status === 529) return 'overloaded_error';
    return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const clock = options.clock ?? createFakeClock();
  const mode: TokenizerMode = options.tokenizer ?? 'exact';
  const caching = options.promptCaching ?? true;
  const anthropicCache = new AnthropicPromptCache(clock);
  const openAiCache = new OpenAiPromptCache(clock);
  const anthropicCount = anthropicCounter(mode);
  const openAiCount = openAiCounter(mode);
  const promptTokenizer = new PromptTokenizer(mode);
  const requests: RecordedRequest[] = [];
  const queue: QueueItem[] = [];
  const sockets = new Set<Socket>();
  let responder: Responder<RecordedRequest> | null = options.respond ?? null;
  let seq = 0;
  let ids = 0;
  const nextId = (): string => pad(++ids);

  function take(req: RecordedRequest): ScriptedResponse | undefined {
    const idx = queue.findIndex((item) => {
      if (typeof item === 'function') return GENERATION_ROUTES.has(req.route);
      return item.route !== undefined ? item.route === req.route : GENERATION_ROUTES.has(req.route);
    });
    if (idx < 0) return undefined;
    const [item] = queue.splice(idx, 1);
    return typeof item === 'function' ? item(req) : item;
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Uint8Array): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  function baseHeaders(anthropic: boolean, contentType: string, extra?: Readonly<Record<string, string>>): Record<string, string> {
    const id = `req_fake_${pad(seq)}`;
    return {
      'content-type': contentType,
      ...(anthropic ? { 'request-id': id, 'anthropic-organization-id': 'org_fake' } : { 'x-request-id': id, 'openai-processing-ms': '1' }),
      ...extra,
    };
  }

  function sendJsonError(res: ServerResponse, rec: RecordedRequest, status: number, type: string, message: string, param: string | null = null, code: string | null = null): void {
    const anthropic = isAnthropicFlavoured(rec.route, rec.headers);
    const body = anthropic ? anthropicErrorBody(type, message) : openAiErrorBody(type, message, param, code);
    rec.reply = { status, usage: null };
    send(res, status, baseHeaders(anthropic, 'application/json'), JSON.stringify(body));
  }

  async function writeEvents(res: ServerResponse, rec: RecordedRequest, events: readonly string[], script: ScriptedMessage, errorEvent: (type: string, message: string, index: number) => string): Promise<void> {
    const anthropic = isAnthropicFlavoured(rec.route, rec.headers);
    res.writeHead(200, baseHeaders(anthropic, 'text/event-stream; charset=utf-8', { 'cache-control': 'no-cache', ...script.headers }));
    const write = async (text: string): Promise<void> => {
      const bytes = Buffer.from(text, 'utf8');
      const size = script.chunkBytes && script.chunkBytes > 0 ? script.chunkBytes : bytes.length;
      for (let i = 0; i < bytes.length; i += size) {
        if (res.destroyed) return;
        res.write(bytes.subarray(i, i + size));
        if (script.chunkBytes) await sleep(1);
      }
    };
    for (let i = 0; i < events.length; i++) {
      if (res.destroyed) return;
      if (script.dropAfterEvents !== undefined && i >= script.dropAfterEvents) {
        // let written bytes reach the client, then cut the connection without a terminal event
        await new Promise<void>((r) => res.write('', () => r()));
        res.socket?.destroy();
        return;
      }
      if (script.errorAfterEvents !== undefined && i >= script.errorAfterEvents.after) {
        await write(errorEvent(script.errorAfterEvents.type ?? (anthropic ? 'overloaded_error' : 'server_error'), script.errorAfterEvents.message ?? 'Overloaded', i));
        res.end();
        return;
      }
      await write(events[i]!);
      if (script.eventDelayMs) await sleep(script.eventDelayMs);
    }
    res.end();
  }

  async function answerAnthropic(res: ServerResponse, rec: RecordedRequest, body: Record<string, unknown>, script: ScriptedMessage): Promise<void> {
    const model = body['model'] as string;
    const blocks = anthropicPromptBlocks(body, anthropicCount);
    const scope = apiKeyOf(rec.headers) ?? 'anonymous';
    const cache = caching
      ? anthropicCache.process(scope, model, blocks)
      : (() => {
          const total = blocks.reduce((n, b) => n + b.tokens, 0);
          return { inputTokens: total, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, totalTokens: total };
        })();
    const ex: AnthropicExchange = {
      id: `msg_fake_${nextId()}`,
      model,
      script,
      cache,
      outputTokens: anthropicOutputTokens(script, anthropicCount),
      toolIds: (script.toolCalls ?? []).map((c) => c.id ?? `toolu_fake_${nextId()}`),
    };
    const message = anthropicMessageBody(ex);
    rec.reply = { status: 200, usage: message['usage'] as Record<string, unknown> };
    await sleep(script.delayMs);
    if (body['stream'] === true || script.eventStreamForNonStream) {
      await writeEvents(res, rec, anthropicStreamEvents(ex), script, (type, msg) => anthropicErrorEvent(type, msg));
    } else {
      send(res, 200, baseHeaders(true, 'application/json', script.headers), JSON.stringify(message));
    }
  }

  async function answerOpenAi(res: ServerResponse, rec: RecordedRequest, body: Record<string, unknown>, script: ScriptedMessage, api: 'chat' | 'responses'): Promise<void> {
    const model = body['model'] as string;
    const units = api === 'chat' ? chatPromptUnits(body) : responsesPromptUnits(body);
    const tokens = promptTokenizer.tokenize(units);
    const key = typeof body['prompt_cache_key'] === 'string' ? body['prompt_cache_key'] : '';
    const ttl = body['prompt_cache_retention'] === '24h' ? OPENAI_EXTENDED_TTL_MS : OPENAI_TTL_MS;
    const scope = `${apiKeyOf(rec.headers) ?? 'anonymous'}\u0000${model}\u0000${key}`;
    const cachedTokens = caching ? openAiCache.process(scope, tokens, ttl) : 0;
    const out = openAiOutputTokens(script, openAiCount);
    const ex: OpenAiExchange = {
      id: api === 'chat' ? `chatcmpl-fake${nextId()}` : `resp_fake${nextId()}`,
      model,
      created: Math.floor(clock.now() / 1000),
      script,
      promptTokens: tokens.length,
      cachedTokens,
      outputTokens: out.output,
      reasoningTokens: out.reasoning,
      toolIds: (script.toolCalls ?? []).map((c) => c.id ?? `call_fake_${nextId()}`),
      itemIds: Array.from({ length: 2 + (script.toolCalls?.length ?? 0) }, () => `item_fake_${nextId()}`),
      request: body,
    };
    const full = api === 'chat' ? chatCompletionBody(ex) : responsesBody(ex);
    rec.reply = { status: 200, usage: full['usage'] as Record<string, unknown> };
    await sleep(script.delayMs);
    if (body['stream'] === true || script.eventStreamForNonStream) {
      const events = api === 'chat' ? chatStreamEvents(ex) : responsesStreamEvents(ex);
      await writeEvents(res, rec, events, script, (type, msg, i) => (api === 'chat' ? chatErrorEvent(type, msg) : responsesErrorEvent(type, msg, i)));
    } else {
      send(res, 200, baseHeaders(false, 'application/json', script.headers), JSON.stringify(full));
    }
  }

  function answerCountTokens(res: ServerResponse, rec: RecordedRequest, body: Record<string, unknown>): void {
    const blocks = anthropicPromptBlocks(body, anthropicCount);
    const total = blocks.reduce((n, b) => n + b.tokens, 0);
    rec.reply = { status: 200, usage: { input_tokens: total } };
    send(res, 200, baseHeaders(true, 'application/json'), JSON.stringify({ input_tokens: total }));
  }

  function answerOther(res: ServerResponse, rec: RecordedRequest): void {
    const anthropic = isAnthropicFlavoured(rec.route, rec.headers);
    const models = anthropic
      ? ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'].map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }))
      : ['gpt-4.1', 'gpt-4o-mini', 'gpt-5', 'gpt-5-codex'].map((id) => ({ id, object: 'model', created: 1735689600, owned_by: 'openai' }));
    if (rec.method === 'GET' && rec.path === '/v1/models') {
      const body = anthropic
        ? { data: models, has_more: false, first_id: models[0]!.id, last_id: models[models.length - 1]!.id }
        : { object: 'list', data: models };
      rec.reply = { status: 200, usage: null };
      send(res, 200, baseHeaders(anthropic, 'application/json'), JSON.stringify(body));
      return;
    }
    const one = rec.method === 'GET' && rec.path.startsWith('/v1/models/') ? models.find((m) => m.id === decodeURIComponent(rec.path.slice(11))) : undefined;
    if (one) {
      rec.reply = { status: 200, usage: null };
      send(res, 200, baseHeaders(anthropic, 'application/json'), JSON.stringify(one));
      return;
    }
    if (rec.method === 'POST' && rec.path === '/v1/embeddings') {
      const body = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 1, total_tokens: 1 } };
      rec.reply = { status: 200, usage: body.usage };
      send(res, 200, baseHeaders(false, 'application/json'), JSON.stringify(body));
      return;
    }
    sendJsonError(res, rec, 404, anthropic ? 'not_found_error' : 'invalid_request_error', `Unknown path: ${rec.method} ${rec.path}`);
  }

  async function sendScripted(res: ServerResponse, rec: RecordedRequest, item: ScriptedError | ScriptedRaw): Promise<void> {
    await sleep(item.delayMs);
    const anthropic = isAnthropicFlavoured(rec.route, rec.headers);
    if (item.type === 'raw') {
      rec.reply = { status: item.status, usage: null };
      const parts = (Array.isArray(item.body) ? item.body : [item.body]) as (string | Uint8Array)[];
      res.writeHead(item.status, { ...item.headers });
      for (const p of parts) {
        if (res.destroyed) return;
        res.write(p);
        if (item.chunkBytes) await sleep(1);
      }
      res.end();
      return;
    }
    const body =
      item.body === undefined
        ? JSON.stringify(
            anthropic
              ? anthropicErrorBody(errorTypeForStatus(true, item.status), `fake error ${item.status}`)
              : openAiErrorBody(errorTypeForStatus(false, item.status), `fake error ${item.status}`),
          )
        : typeof item.body === 'string'
          ? item.body
          : JSON.stringify(item.body);
    rec.reply = { status: item.status, usage: null };
    send(res, item.status, baseHeaders(anthropic, 'application/json', item.headers), body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const route = routeOf(method, path);
    let json: unknown;
    let decodeFailure: 'unsupported' | 'corrupt' | null = null;
    try {
      const decoded = decodeBody(raw, req.headers['content-encoding']);
      if (decoded.length > 0) {
        try {
          json = JSON.parse(decoded.toString('utf8'));
        } catch {
          json = undefined;
        }
      }
    } catch (e) {
      decodeFailure = e instanceof UnsupportedEncodingError ? 'unsupported' : 'corrupt';
    }
    const rec: RecordedRequest = {
      seq: ++seq,
      method,
      path,
      url,
      route,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: raw,
      json,
      receivedAt: clock.now(),
      reply: null,
    };
    requests.push(rec);
    if (options.maxRecorded !== undefined && requests.length > options.maxRecorded) requests.splice(0, requests.length - options.maxRecorded);

    if (decodeFailure !== null) {
      const encoding = String(req.headers['content-encoding']);
      if (decodeFailure === 'unsupported') sendJsonError(res, rec, 415, 'invalid_request_error', `Unsupported content-encoding: ${encoding}`);
      else sendJsonError(res, rec, 400, 'invalid_request_error', `Body could not be decoded as ${encoding}`);
      return;
    }
    if (options.apiKeys && !options.apiKeys.includes(apiKeyOf(req.headers) ?? '')) {
      const anthropic = isAnthropicFlavoured(route, req.headers);
      sendJsonError(res, rec, 401, anthropic ? 'authentication_error' : 'invalid_request_error', anthropic ? 'invalid x-api-key' : 'Incorrect API key provided.', null, anthropic ? null : 'invalid_api_key');
      return;
    }

    const scripted = take(rec) ?? (GENERATION_ROUTES.has(route) ? responder?.(rec) : undefined);
    if (scripted?.type === 'drop') {
      await sleep(scripted.delayMs);
      rec.reply = null;
      req.socket.destroy();
      return;
    }
    if (scripted?.type === 'hang') return;
    if (scripted?.type === 'error' || scripted?.type === 'raw') {
      await sendScripted(res, rec, scripted);
      return;
    }
    const message: ScriptedMessage = scripted ?? { text: DEFAULT_TEXT };

    if (route === 'other') {
      answerOther(res, rec);
      return;
    }
    if (raw.length > 0 && json === undefined) {
      sendJsonError(res, rec, 400, 'invalid_request_error', 'There was an error parsing the body: invalid JSON');
      return;
    }
    try {
      switch (route) {
        case 'anthropic-messages': {
          const body = validateAnthropicRequest(json, false);
          const filled = message.text === undefined && message.toolCalls === undefined && message.thinking === undefined ? { ...message, text: DEFAULT_TEXT } : message;
          await answerAnthropic(res, rec, body, filled);
          return;
        }
        case 'anthropic-count-tokens':
          answerCountTokens(res, rec, validateAnthropicRequest(json, true));
          return;
        case 'openai-chat':
        case 'openai-responses': {
          const body = route === 'openai-chat' ? validateChatRequest(json) : validateResponsesRequest(json);
          const filled = message.text === undefined && message.toolCalls === undefined ? { ...message, text: DEFAULT_TEXT } : message;
          await answerOpenAi(res, rec, body, filled, route === 'openai-chat' ? 'chat' : 'responses');
          return;
        }
      }
    } catch (e) {
      if (e instanceof AnthropicRequestError) {
        sendJsonError(res, rec, e.status, e.errorType, e.message);
        return;
      }
      if (e instanceof OpenAiRequestError) {
        sendJsonError(res, rec, e.status, e.errorType, e.message, e.param, e.code);
        return;
      }
      throw e;
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) {
          send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: { message: `fake upstream failure: ${String(err)}`, type: 'server_error' } }));
        } else {
          res.destroy();
        }
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    clock,
    requests,
    anthropicCache,
    openAiCache,
    script: (...items) => {
      queue.push(...items);
    },
    setResponder: (fn) => {
      responder = fn;
    },
    pendingScripts: () => queue.length,
    requestsFor: (route) => requests.filter((r) => r.route === route),
    clearRequests: () => {
      requests.length = 0;
    },
    resetCaches: () => {
      anthropicCache.clear();
      openAiCache.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

