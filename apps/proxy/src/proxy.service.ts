import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import {
  applyEdits,
  leewayCodeForWireError,
  mergeAnthropicBeta,
  planStreamUsage,
  providerError,
  UNKNOWN_USAGE,
  WireError,
} from '@leeway/wire';
import type { ByteEdit, LeewayErrorCode, ParsedRequest, ProviderAdapter, ResponseSummary, StreamOutcome } from '@leeway/wire';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProxyConfig } from './config/proxy.config';
import type { ExchangeRecord, ExchangeSink, OptimizationOutcome, ProviderName, RouteName } from './exchange/exchange.sink';
import { readRequestBody } from './http/request-body';
import type { CallerIdentity, IdentityResolver } from './identity/identity.resolver';
import { errorHeaders } from './governance/governance.errors';
import { GOVERNANCE, withPolicy } from './governance/governance.service';
import type { Governance, GovernedRequest } from './governance/governance.service';
import type { ProxyLogger } from './observability/proxy.logger';
import { ProxyMetrics } from './observability/proxy.metrics';
import { OptimizerService } from './pipeline/optimizer.service';
import type { OptimizePlan } from './pipeline/optimizer.service';
import { ProxyError } from './proxy.errors';
import { headerValue, upstreamRequestHeaders } from './relay/relay-headers';
import { relayResponse } from './relay/response-relay';
import { canAnswerRetrieve, relayWithRetrieve } from './relay/retrieve-relay';
import { finishOutgoingBody } from './cache/outgoing-body';
import { cacheMetrics } from './cache/cache.metrics';
import { stickyRetrieveKey } from './ccr/retrieve-tool';
import type { RelayResult } from './relay/response-relay';
import type { TapKind } from './relay/response-tap';
import { EXCHANGE_SINK, IDENTITY_RESOLVER, PROXY_CONFIG, PROXY_LOGGER } from './tokens';
import { UpstreamClient } from './upstream/upstream.client';

/** How a route is served. */
export interface RouteSpec {
  readonly route: RouteName;
  /** Fixed provider, or null to infer it (pass-through paths). */
  readonly provider: ProviderName | null;
  /** Parse the body with this adapter (null: relay the body as a stream, untouched). */
  readonly adapter: ProviderAdapter | null;
  /** Plan compression edits (false: parse only, e.g. count_tokens). */
  readonly optimize: boolean;
  readonly tapKind: TapKind | null;
}

const NO_PLAN: OptimizePlan = {
  edits: [],
  outcome: 'skipped',
  failOpenReason: null,
  tokensBefore: 0,
  tokensAfter: 0,
  segments: { total: 0, protected: 0, replayed: 0, compressed: 0 },
};

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

/**
 * The request path (DESIGN.md lifecycle): raw bytes in → identity → parse once → plan edits → splice →
 * forward over the pooled client → relay the response bytes unchanged with a usage tap → exchange record.
 * Never throws: Leeway's own failures are answered in the provider's error shape; optimisation failures
 * forward the original bytes (I5).
 */
@Injectable()
export class ProxyService implements OnApplicationShutdown {
  constructor(
    @Inject(PROXY_CONFIG) private readonly config: ProxyConfig,
    @Inject(IDENTITY_RESOLVER) private readonly identities: IdentityResolver,
    @Inject(EXCHANGE_SINK) private readonly sink: ExchangeSink,
    @Inject(PROXY_LOGGER) private readonly logger: ProxyLogger,
    @Inject(ProxyMetrics) private readonly metrics: ProxyMetrics,
    @Inject(UpstreamClient) private readonly upstream: UpstreamClient,
    @Inject(OptimizerService) private readonly optimizer: OptimizerService,
    @Inject(GOVERNANCE) private readonly governance: Governance | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.upstream.close();
  }

  async serve(req: FastifyRequest, reply: FastifyReply, spec: RouteSpec): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    const t0 = performance.now();
    const startedAt = Date.now();
    const requestId = String(req.id);
    const provider = spec.provider ?? inferProvider(req.url, req.headers);
    const abort = new AbortController();
    let clientAborted = false;
    const onClose = (): void => {
      if (!res.writableFinished) {
        clientAborted = true;
        abort.abort();
      }
    };
    res.on('close', onClose);

    let identity: CallerIdentity | null = null;
    let parsed: ParsedRequest | null = null;
    let plan = NO_PLAN;
    let optimizeMs = 0;
    let requestBytes = 0;
    let forwardedBytes = 0;
    let leewayError: LeewayErrorCode | null = null;
    let status = 0;
    let relay: RelayResult | null = null;
    let failOpenReason: string | null = null;
    // Cache planner / retrieve tool (issue 4): what the outgoing body carries.
    let volatileHeader: string | null = null;
    let answerRetrieve = false;
    let governed: GovernedRequest | null = null;
    /** Shadow policy: what compression would have sent (tokens), reported but not applied. */
    let shadowTokensAfter: number | null = null;

    const leewayHeaders = (): Record<string, string> => ({
      ...governed?.headers,
      ...(shadowTokensAfter !== null ? { 'x-leeway-shadow-tokens-after': String(shadowTokensAfter) } : {}),
      'x-leeway-request-id': requestId,
      'x-leeway-tokens-before': String(plan.tokensBefore),
      'x-leeway-tokens-after': String(plan.tokensAfter),
      ...(volatileHeader !== null ? { 'x-leeway-volatile-prefix': volatileHeader } : {}),
    });

    try {
      identity = await this.identities.resolve(req.headers);
      const set: Record<string, string> = {};
      let body: Buffer | Readable | null = null;
      let stripUsageChunk = false;
      if (spec.adapter) {
        const raw = await readRequestBody(requestStream(req), this.config.bodyLimitBytes, headerValue(req.headers, 'content-length'));
        requestBytes = raw.length;
        body = raw;
        if (!isContentEncoded(req.headers)) {
          parsed = parseBody(spec.adapter, raw);
          if (this.governance && spec.optimize) {
            governed = await this.governance.admit(identity, parsed, requestId);
            ({ identity, parsed } = withPolicy(identity, parsed, governed.policy));
          }
          const tPlan = performance.now();
          const retrieveOn = this.config.retrieve.enabled && spec.optimize && identity.policy?.retrieval !== false && identity.policy?.shadow !== true;
          const stickyKey = retrieveOn ? stickyRetrieveKey(parsed, headerValue(req.headers, 'x-leeway-session')) : undefined;
          if (spec.optimize) plan = await this.optimizer.plan(parsed, identity, stickyKey !== undefined ? { stickyKey } : {});
          // Shadow policy: measure what compression would do, forward the original bytes.
          if (identity.policy?.shadow) {
            shadowTokensAfter = plan.tokensAfter;
            plan = { ...plan, edits: [], tokensAfter: plan.tokensBefore };
          }
          const edits: ByteEdit[] = [...plan.edits];
          const usagePlan = spec.adapter.api === 'openai-chat' ? planStreamUsage(parsed) : null;
          if (usagePlan && usagePlan.edits.length > 0) edits.push(...usagePlan.edits);
          if (edits.length > 0) {
            try {
              body = applyEdits(raw, edits);
              if (usagePlan && usagePlan.edits.length > 0) {
                stripUsageChunk = true;
                set['accept-encoding'] = 'identity';
              }
            } catch (error) {
              failOpenReason = error instanceof WireError ? error.code : 'splice-failed';
              this.metrics.failOpen.inc({ reason: failOpenReason });
              plan = { ...NO_PLAN, outcome: 'failed-open', failOpenReason };
              body = raw;
            }
          }
          // Also after a failed-open compression (its bytes are the original's, I5): the cache shape (markers,
          // prompt_cache_key, the sticky tool) must not flicker between turns, or the next turn misses the cache.
          if (spec.optimize && Buffer.isBuffer(body) && identity.policy?.shadow !== true) {
            const outgoing = finishOutgoingBody(body, body === raw ? parsed : spec.adapter.parseRequest(body), spec.adapter, {
              tenant: identity.tenant,
              addRetrieveTool: retrieveOn && plan.retrieveSticky === true,
              anthropicCachePlan: this.config.cachePlan.anthropic && spec.route === 'anthropic.messages' && identity.policy?.cachePlanner !== false,
              openAiCacheKey: this.config.cachePlan.openAiKey && identity.policy?.cachePlanner !== false,
            });
            body = outgoing.body;
            volatileHeader = outgoing.volatileHeader;
            answerRetrieve = retrieveOn && outgoing.retrieveTool && spec.tapKind !== null;
            if (answerRetrieve) set['accept-encoding'] = 'identity';
            const cm = cacheMetrics(this.metrics.registry);
            for (const reason of outgoing.breakpoints) cm.breakpoints.inc({ reason });
            for (const code of outgoing.markerProblems) cm.markerProblems.inc({ code });
            for (const f of outgoing.volatile) cm.volatilePrefix.inc({ kind: f.kind, where: f.where.replace(/\[\d+\]$/, '') });
            if (outgoing.retrieveTool) cm.retrieveToolAdded.inc({ api: spec.adapter.api });
            const planner = this.metrics.telemetry;
            planner.observeCachePlannerAction(provider, 'breakpoint_added', outgoing.breakpoints.length);
            if (outgoing.promptCacheKey !== null) planner.observeCachePlannerAction(provider, 'prompt_cache_key_set');
            if (outgoing.volatile.length > 0) planner.observeCachePlannerAction(provider, 'volatile_prefix_warning');
            if (parsed.cacheBreakpoints.length > 0) planner.observeCachePlannerAction(provider, 'client_breakpoints_respected');
          }
          optimizeMs = performance.now() - tPlan;
          this.metrics.optimizeSeconds.observe(optimizeMs / 1000);
        }
        forwardedBytes = body.length;
      } else if (!BODYLESS_METHODS.has(req.method) || hasDeclaredBody(req.headers)) {
        body = requestStream(req) ?? null;
      }
      if (provider === 'anthropic' && this.config.anthropicBetaFlags.length > 0) {
        const merged = mergeAnthropicBeta(req.headers['anthropic-beta'], this.config.anthropicBetaFlags);
        if (merged !== null) set['anthropic-beta'] = merged;
      }

      const inbound = this.governance ? await this.governance.upstreamHeaders(identity, provider, req.headers) : req.headers;
      const upstream = await this.upstream.request({
        provider,
        method: req.method,
        path: req.url,
        headers: upstreamRequestHeaders(inbound, { bufferedBody: Buffer.isBuffer(body), set }),
        body,
        signal: abort.signal,
      });
      status = upstream.status;
      if (answerRetrieve && spec.adapter && spec.tapKind && Buffer.isBuffer(body) && canAnswerRetrieve(upstream)) {
        const firstBody = body;
        const continuationHeaders = upstreamRequestHeaders(inbound, { bufferedBody: true, set });
        const retrieved = await relayWithRetrieve({
          res,
          upstream,
          api: spec.adapter.api,
          tapKind: spec.tapKind,
          body: firstBody,
          send: (next) =>
            this.upstream.request({ provider, method: req.method, path: req.url, headers: continuationHeaders, body: next, signal: abort.signal }),
          resolve: this.optimizer.retrieveResolver(identity.tenant),
          maxRounds: this.config.retrieve.maxRounds,
          leewayHeaders: leewayHeaders(),
          clientWantsUsage: !stripUsageChunk,
          abort,
          startedAt: t0,
        });
        relay = retrieved;
        const cm = cacheMetrics(this.metrics.registry);
        for (const a of retrieved.answers) {
          cm.retrieveCalls.inc({ api: spec.adapter.api, status: a.status });
          this.metrics.telemetry.observeRetrieveCall(provider, a.status === 'found' ? 'hit' : 'miss');
        }
        if (retrieved.end !== null) cm.retrieveRounds.inc({ api: spec.adapter.api, end: retrieved.end });
      } else relay = await relayResponse({
        res,
        upstream,
        leewayHeaders: leewayHeaders(),
        tapKind: spec.tapKind,
        stripUsageChunk,
        abort,
        startedAt: t0,
      });
    } catch (error) {
      if (!clientAborted) {
        const proxyError =
          error instanceof ProxyError
            ? error
            : error instanceof WireError
              ? wireToProxy(error)
              : new ProxyError('PRX_INTERNAL', 'Leeway could not process the request.', { cause: error });
        leewayError = proxyError.code;
        if (isUpstreamCode(proxyError.code)) this.metrics.upstreamErrors.inc({ code: proxyError.code });
        status = this.sendError(res, provider, proxyError, leewayHeaders());
        if (status >= 500) this.logger.warn({ requestId, code: proxyError.code, err: describe(error) }, 'request failed');
      }
    } finally {
      res.off('close', onClose);
    }

    const latencyMs = performance.now() - t0;
    const record: ExchangeRecord = {
      requestId,
      provider,
      route: spec.route,
      method: req.method,
      path: pathOf(req.url),
      tenant: identity?.tenant ?? 'unknown',
      keyId: identity?.keyId ?? null,
      session: headerValue(req.headers, 'x-leeway-session') ?? null,
      model: parsed?.model ?? relay?.summary?.model ?? null,
      stream: parsed?.stream ?? false,
      status,
      outcome: outcomeOf(status, leewayError, relay, clientAborted),
      usage: relay?.summary?.usage ?? UNKNOWN_USAGE,
      stopReason: relay?.summary?.stopReason ?? null,
      error: relay?.summary?.error ?? (leewayError ? { type: leewayError, message: '' } : null),
      leewayError,
      clientAborted: clientAborted || (relay?.clientAborted ?? false),
      optimization: optimizationOf(plan.outcome, failOpenReason, parsed),
      failOpenReason: failOpenReason ?? plan.failOpenReason,
      tokensBefore: plan.tokensBefore,
      tokensAfter: plan.tokensAfter,
      segments: plan.segments,
      startedAt,
      latencyMs,
      ttfbMs: relay?.ttfbMs ?? null,
      optimizeMs,
      requestBytes,
      forwardedBytes,
      responseBytes: relay?.bytesOut ?? 0,
    };
    this.metrics.requests.inc({ route: spec.route, status: statusClass(status), outcome: record.outcome });
    this.metrics.requestSeconds.observe({ route: spec.route }, latencyMs / 1000);
    if (plan.tokensBefore > plan.tokensAfter) this.metrics.tokensSaved.inc({ provider }, plan.tokensBefore - plan.tokensAfter);
    if (governed?.ticket && this.governance) void this.governance.settle(governed.ticket, relay?.summary?.usage ?? null, relay !== null && status < 400);
    try {
      this.sink.record(record);
    } catch (error) {
      this.logger.error({ requestId, err: describe(error) }, 'exchange sink failed');
    }
  }

  /** Answer with Leeway's own error in the provider's shape; returns the status sent (0 if none could be). */
  private sendError(
    res: FastifyReply['raw'],
    provider: ProviderName,
    error: ProxyError,
    leewayHeaders: Record<string, string>,
  ): number {
    if (res.headersSent) {
      res.destroy();
      return res.statusCode;
    }
    if (res.destroyed) return 0;
    const body = providerError(provider, error.code, error.message);
    res.writeHead(body.status, {
      'content-type': body.contentType,
      'content-length': String(Buffer.byteLength(body.bodyText)),
      'x-leeway-error-code': error.code,
      ...leewayHeaders,
      ...errorHeaders(error),
      ...(error.code === 'PRX_BODY_TOO_LARGE' ? { connection: 'close' } : {}),
    });
    res.end(body.bodyText);
    return body.status;
  }
}

function parseBody(adapter: ProviderAdapter, raw: Buffer): ParsedRequest {
  try {
    return adapter.parseRequest(raw);
  } catch (error) {
    if (error instanceof WireError) throw wireToProxy(error);
    throw error;
  }
}

function wireToProxy(error: WireError): ProxyError {
  const code = leewayCodeForWireError(error);
  const message =
    code === 'PRX_BAD_JSON'
      ? 'The request body is not valid JSON.'
      : code === 'PRX_BAD_REQUEST'
        ? 'The request body must be a JSON object.'
        : 'Leeway could not process the request.';
  return new ProxyError(code, message, { cause: error });
}

/** The request body stream as Fastify handed it over (the catch-all parser passes the raw stream on). */
function requestStream(req: FastifyRequest): Readable | undefined {
  const body: unknown = req.body;
  if (body && typeof (body as Readable).pipe === 'function') return body as Readable;
  return hasDeclaredBody(req.headers) ? req.raw : undefined;
}

function hasDeclaredBody(headers: FastifyRequest['headers']): boolean {
  const length = headerValue(headers, 'content-length');
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

function isContentEncoded(headers: FastifyRequest['headers']): boolean {
  const encoding = headerValue(headers, 'content-encoding')?.trim().toLowerCase();
  return encoding !== undefined && encoding !== '' && encoding !== 'identity';
}

/**
 * Provider of a pass-through request: Anthropic clients send `anthropic-version` / `x-api-key`; Anthropic-only
 * paths; everything else goes to OpenAI. Never decided by User-Agent.
 */
export function inferProvider(url: string, headers: FastifyRequest['headers']): ProviderName {
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined) return 'anthropic';
  const path = pathOf(url);
  if (path.startsWith('/v1/messages') || path === '/v1/complete') return 'anthropic';
  return 'openai';
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function isUpstreamCode(code: LeewayErrorCode): boolean {
  return code === 'PRX_UPSTREAM_TIMEOUT' || code === 'PRX_UPSTREAM_UNREACHABLE' || code === 'PRX_UPSTREAM_BAD_RESPONSE';
}

function outcomeOf(
  status: number,
  leewayError: LeewayErrorCode | null,
  relay: RelayResult | null,
  clientAborted: boolean,
): StreamOutcome {
  if (leewayError !== null) return 'error';
  if (relay === null) return clientAborted ? 'truncated' : 'error';
  const summary: ResponseSummary | null = relay.summary;
  if (status >= 400) return 'error';
  if (summary?.outcome === 'error') return 'error';
  if (relay.clientAborted || relay.upstreamFailed) return 'truncated';
  return summary?.outcome ?? 'complete';
}

function optimizationOf(outcome: OptimizationOutcome, failOpenReason: string | null, parsed: ParsedRequest | null): OptimizationOutcome {
  if (failOpenReason !== null) return 'failed-open';
  if (parsed === null) return 'skipped';
  return outcome;
}

function statusClass(status: number): string {
  return status === 0 ? '0' : `${Math.floor(status / 100)}xx`;
}

function describe(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { message: String(error) };
  const out: Record<string, string> = { name: error.name, message: error.message };
  const code = (error as unknown as { code?: unknown }).code;
  if (typeof code === 'string') out['code'] = code;
  const cause = error.cause;
  if (cause instanceof Error) out['cause'] = `${cause.name}: ${cause.message}`;
  return out;
}
