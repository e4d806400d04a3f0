import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { CompressionMode } from '@leeway/compression';
import type { SegmentDecision, StateStores } from '@leeway/state';
import { segmentEdit } from '@leeway/wire';
import type { ByteEdit, MessageRef, ParsedRequest, RetrieveResolver, Segment } from '@leeway/wire';
import { tenantResolver } from '../ccr/retrieve-resolver';
import type { ProxyConfig } from '../config/proxy.config';
import type { OptimizationOutcome } from '../exchange/exchange.sink';
import type { CallerIdentity } from '../identity/identity.resolver';
import { ProxyMetrics } from '../observability/proxy.metrics';
import { PROXY_CONFIG, STATE_STORES } from '../tokens';
import { CompressionPool } from './compression.pool';
import type { CompressionOutcome } from './compression.pool';

/** Bump when the meaning of a recorded decision changes (engine options, segment rules). */
const POLICY_REVISION = 1;

export interface OptimizePlan {
  /** Byte edits to splice into the original body (empty: forward the original bytes, I1). */
  readonly edits: readonly ByteEdit[];
  readonly outcome: OptimizationOutcome;
  readonly failOpenReason: string | null;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly segments: { readonly total: number; readonly protected: number; readonly replayed: number; readonly compressed: number };
  /** CCR keys named by the markers of the edits (replayed and new): a marker exists in the session. */
  readonly markerKeys?: readonly string[];
  /**
   * The session had a marker on this or an earlier turn (recorded under `stickyKey` in prefix state): the
   * retrieve tool must be in the forwarded body, byte-identical, from now on.
   */
  readonly retrieveSticky?: boolean;
}

export interface PlanOptions {
  /**
   * Prefix-state key of the conversation's "retrieve tool is in" flag (`stickyRetrieveKey`). Looked up and
   * recorded in the same round trips as the segment decisions.
   */
  readonly stickyKey?: string;
  /** Make the retrieve tool sticky now even without a marker (first turn of a conversation with tools). */
  readonly stickyNow?: boolean;
}

/** The recorded "retrieve tool added" flag of a conversation (a decision under a synthetic hash). */
const STICKY: SegmentDecision = { replacement: 'leeway_retrieve', tokensBefore: 0, tokensAfter: 0, kind: 'retrieve-tool', lossless: true, markerKeys: [] };

const EMPTY_SEGMENTS = { total: 0, protected: 0, replayed: 0, compressed: 0 };

/** "Forward as is" — recorded for outputs sent unchanged (protected, over budget, originals not storable). */
const KEEP: SegmentDecision = { replacement: null, tokensBefore: 0, tokensAfter: 0, kind: 'unknown', lossless: true, markerKeys: [] };

interface Candidate {
  readonly segment: Segment;
  readonly hash: string;
  /** After the model's last turn: first seen in this request, so nothing upstream may hold it cached yet. */
  readonly fresh: boolean;
}

/**
 * Plans the edits for one request (DESIGN.md lifecycle step 6):
 * segments → skip protected (I3) → look up recorded decisions (prefix state) → compress new segments
 * within the time budget → store originals of lossy results in CCR before anything is sent (I4) →
 * record the decisions (first writer wins; a loser adopts the winner's) → edits.
 *
 * Only segments after the model's last turn ("fresh") are ever decided: older ones were sent in an
 * earlier turn, and if no decision is known for them their original bytes are what the provider saw (so a
 * fresh segment whose text was already sent as is earlier in the request is not decided either). A fresh
 * segment sent unchanged for any other reason (protected, over the time budget, compressor failure,
 * originals not storable) is recorded as "keep", so identical text replays unchanged wherever it recurs.
 * When the shared store cannot be asked, nothing new is decided (I5); known decisions still replay.
 * Never throws: an unexpected failure returns `failed-open` with no edits.
 */
@Injectable()
export class OptimizerService implements OnApplicationShutdown {
  constructor(
    @Inject(PROXY_CONFIG) private readonly config: ProxyConfig,
    @Inject(STATE_STORES) private readonly stores: Pick<StateStores, 'prefixState' | 'ccr'>,
    @Inject(ProxyMetrics) private readonly metrics: ProxyMetrics,
    @Inject(CompressionPool) private readonly pool: CompressionPool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** Answers `leeway_retrieve` calls for one tenant from the CCR store (I6). */
  retrieveResolver(tenant: string): RetrieveResolver {
    return tenantResolver(this.stores.ccr, tenant);
  }

  get mode(): CompressionMode | 'off' {
    return this.config.compression.mode;
  }

  async plan(parsed: ParsedRequest, identity: CallerIdentity, options: PlanOptions = {}): Promise<OptimizePlan> {
    const mode = identity.policy?.compression ?? this.config.compression.mode;
    if (mode === 'off') return this.skipped();
    try {
      return await this.planOrThrow(parsed, identity, mode, performance.now() + this.config.compression.budgetMs, options.stickyKey ?? null, options.stickyNow === true);
    } catch (error) {
      return this.failOpen(error instanceof Error && 'code' in error ? String(error.code) : 'internal', parsed.segments.length);
    }
  }

  private async planOrThrow(
    parsed: ParsedRequest,
    identity: CallerIdentity,
    mode: CompressionMode,
    deadline: number,
    stickyKey: string | null,
    stickyNow = false,
  ): Promise<OptimizePlan> {
    const total = parsed.segments.length;
    const lastModelTurn = lastModelTurnIndex(parsed.messages);
    const isFresh = (s: Segment): boolean => s.messageIndex > lastModelTurn;
    // Protected for this request: cache-protected outputs of earlier turns (replay only) and other protections.
    const protectedCount = parsed.segments.filter((s) => s.protected && (!isFresh(s) || !isCacheProtection(s))).length;
    // I3 as the lead decided it: bytes the provider may have cached are bytes sent in an *earlier* turn.
    // A client breakpoint (or `cache_control` on the block itself) therefore does not freeze a tool output
    // of the newest turn: its text may be compressed (the marker's own bytes never change) and the
    // compressed text is what gets cached. Outputs of earlier turns only replay recorded decisions.
    const open = parsed.segments.filter((s) => s.text.length > 0 && (!s.protected || isCacheProtection(s)));
    const freshProtected = parsed.segments.filter((s) => s.protected && s.text.length > 0 && isFresh(s) && !isCacheProtection(s));
    if (open.length === 0 && freshProtected.length === 0 && stickyKey === null) {
      return { edits: [], outcome: total === 0 ? 'skipped' : 'unchanged', failOpenReason: null, tokensBefore: 0, tokensAfter: 0, segments: { ...EMPTY_SEGMENTS, total, protected: protectedCount } };
    }
    const candidates: Candidate[] = open.map((segment) => ({ segment, hash: contentHash(segment.text), fresh: isFresh(segment) }));
    const protectedHashes = unique(freshProtected.map((s) => contentHash(s.text)));
    const policyVersion = `${mode}.${POLICY_REVISION}`;
    const { prefixState, ccr } = this.stores;
    const tenant = identity.tenant;

    const stickyHashes = stickyKey === null ? [] : [stickyKey];
    const lookup = await prefixState.lookup(tenant, policyVersion, unique([...candidates.map((c) => c.hash), ...protectedHashes, ...stickyHashes]));
    const stickyKnown = stickyKey !== null && lookup.found.has(stickyKey);
    let failOpenReason: string | null = lookup.complete ? null : 'state-unavailable';

    // Decide fresh segments nobody decided yet: compress within the time budget (off the event loop).
    const fresh = new Map<string, SegmentDecision>();
    const originals: Record<string, string> = {};
    if (lookup.complete) {
      for (const hash of protectedHashes) if (!lookup.found.has(hash)) fresh.set(hash, KEEP);
      // Text already sent as is earlier in this conversation (no decision known) must stay as is everywhere.
      const sentAsIs = new Set(candidates.filter((c) => !c.fresh && !lookup.found.has(c.hash)).map((c) => c.hash));
      const todo = new Map<string, Candidate>();
      for (const c of candidates) {
        if (c.fresh && !lookup.found.has(c.hash) && !sentAsIs.has(c.hash) && !fresh.has(c.hash)) todo.set(c.hash, c);
      }
      const job = (c: Candidate) => ({
        text: c.segment.text,
        mode,
        query: parsed.taskQuery,
        keySecret: identity.keySecret,
        model: parsed.model ?? '',
      });
      const outcomes: [string, CompressionOutcome][] = [];
      if (this.pool.size === 0) {
        for (const [hash, c] of todo) outcomes.push([hash, await this.pool.compress(job(c), deadline - performance.now())]);
      } else {
        const entries = [...todo];
        const results = await Promise.all(entries.map(([, c]) => this.pool.compress(job(c), deadline - performance.now())));
        entries.forEach(([hash], i) => outcomes.push([hash, results[i] as CompressionOutcome]));
      }
      for (const [hash, outcome] of outcomes) {
        if (outcome.status !== 'done') {
          // Sent as is now, so decided as "keep": a decision is made once (I2).
          failOpenReason = outcome.status === 'timeout' ? 'budget-exceeded' : 'compressor-failed';
          fresh.set(hash, KEEP);
          continue;
        }
        const result = outcome.result;
        fresh.set(hash, {
          replacement: result.changed ? result.output : null,
          tokensBefore: result.tokensBefore,
          tokensAfter: result.tokensAfter,
          kind: result.kind,
          lossless: result.lossless,
          markerKeys: Object.keys(result.originals),
        });
        Object.assign(originals, result.originals);
      }
    }

    // The first marker of a conversation brings the retrieve tool, which rewrites the whole cached prefix
    // once (tools come first). Mid-session, lossy results are only kept when they pay for that.
    if (stickyKey !== null && !stickyKnown && !stickyNow && lastModelTurn >= 0 && lookup.complete) {
      const replayedMarker = candidates.some((c) => (lookup.found.get(c.hash)?.markerKeys.length ?? 0) > 0);
      const lossy = [...fresh].filter(([, d]) => d.markerKeys.length > 0);
      if (!replayedMarker && lossy.length > 0) {
        const saved = lossy.reduce((sum, [, d]) => sum + Math.max(0, d.tokensBefore - d.tokensAfter), 0);
        const firstNew = parsed.messages.find((m) => m.index > lastModelTurn);
        const prefixTokens = Math.round((firstNew?.span.start ?? parsed.raw.length) / 4);
        const modelTurns = parsed.messages.filter((m) => isModelTurn(m)).length;
        if (!toolPaysOff(parsed, saved, prefixTokens, modelTurns)) {
          for (const [hash, d] of lossy) {
            fresh.set(hash, KEEP);
            for (const key of d.markerKeys) delete originals[key];
          }
        }
      }
    }

    // Originals first (I4): if they cannot be stored, no lossy decision is recorded or sent.
    if (Object.keys(originals).length > 0) {
      try {
        await ccr.put(tenant, originals);
      } catch (error) {
        this.metrics.stateErrors.inc({ code: (error as { code?: string }).code ?? 'unknown' });
        failOpenReason = 'ccr-unavailable';
        for (const [hash, decision] of fresh) if (decision.markerKeys.length > 0) fresh.set(hash, KEEP);
      }
    }

    // A marker in the forwarded body (new or replayed) makes the retrieve tool sticky for the conversation.
    const anyMarker = candidates.some((c) => ((lookup.found.get(c.hash) ?? fresh.get(c.hash))?.markerKeys.length ?? 0) > 0);
    if (stickyKey !== null && !stickyKnown && (anyMarker || stickyNow) && lookup.complete) fresh.set(stickyKey, STICKY);

    let decided: ReadonlyMap<string, SegmentDecision> = new Map();
    if (fresh.size > 0) {
      const recorded = await prefixState.record(tenant, policyVersion, fresh);
      decided = recorded.decided;
      if (!recorded.complete) failOpenReason ??= 'state-unavailable';
    }

    const edits: ByteEdit[] = [];
    let tokensBefore = 0;
    let tokensAfter = 0;
    let replayed = 0;
    let compressed = 0;
    const markerKeys = new Set<string>();
    const replayedKeys = new Set<string>();
    for (const c of candidates) {
      const known = lookup.found.get(c.hash);
      const decision = known ?? decided.get(c.hash);
      if (decision === undefined) continue;
      tokensBefore += decision.tokensBefore;
      tokensAfter += decision.replacement === null ? decision.tokensBefore : decision.tokensAfter;
      if (decision.replacement === null) continue;
      edits.push(segmentEdit(c.segment, decision.replacement));
      for (const key of decision.markerKeys) {
        markerKeys.add(key);
        if (known) replayedKeys.add(key);
      }
      if (known) replayed++;
      else compressed++;
    }
    // Originals named by replayed markers live on as long as the conversation does (I4; best effort).
    if (replayedKeys.size > 0) void ccr.touch(tenant, [...replayedKeys]);
    this.metrics.segments.inc({ result: 'protected' }, protectedCount);
    this.metrics.segments.inc({ result: 'replayed' }, replayed);
    this.metrics.segments.inc({ result: 'compressed' }, compressed);
    this.metrics.segments.inc({ result: 'kept' }, candidates.length - replayed - compressed);
    if (failOpenReason) this.metrics.failOpen.inc({ reason: failOpenReason });
    return {
      edits,
      outcome: edits.length > 0 ? 'applied' : failOpenReason ? 'failed-open' : 'unchanged',
      failOpenReason,
      tokensBefore,
      tokensAfter,
      segments: { total, protected: protectedCount, replayed, compressed },
      markerKeys: [...markerKeys],
      retrieveSticky: stickyKnown || markerKeys.size > 0 || (stickyNow && stickyKey !== null && decided.has(stickyKey)),
    };
  }

  private skipped(): OptimizePlan {
    return { edits: [], outcome: 'skipped', failOpenReason: null, tokensBefore: 0, tokensAfter: 0, segments: EMPTY_SEGMENTS };
  }

  private failOpen(reason: string, total: number): OptimizePlan {
    this.metrics.failOpen.inc({ reason });
    return {
      edits: [],
      outcome: 'failed-open',
      failOpenReason: reason,
      tokensBefore: 0,
      tokensAfter: 0,
      segments: { ...EMPTY_SEGMENTS, total },
    };
  }
}

/** Whether a message / input item was produced by the model. */
function isModelTurn(m: MessageRef): boolean {
  return m.role === 'assistant' || (m.type !== null && (m.type.endsWith('_call') || m.type === 'reasoning'));
}

/**
 * Net-cost gate for the first marker of a conversation (the retrieve tool comes with it and rewrites the
 * cached prefix once): the saving of the lossy results over this request and the expected later reads
 * (as many turns again as the conversation has had — the best guess from the request alone) must beat
 * re-writing the prefix instead of reading it. Prices relative to uncached input: Anthropic write 1.25×,
 * read 0.1×; OpenAI (no write premium) read 0.5× for gpt-4o / o1, 0.25× for gpt-4.1, 0.1× otherwise.
 */
function toolPaysOff(parsed: ParsedRequest, saved: number, prefixTokens: number, modelTurns: number): boolean {
  const model = parsed.model ?? '';
  const anthropic = parsed.provider === 'anthropic';
  const write = anthropic ? 1.25 : 1;
  const read = anthropic ? 0.1 : /gpt-4o|^o1/.test(model) ? 0.5 : /gpt-4\.1/.test(model) ? 0.25 : 0.1;
  const expectedReads = Math.max(1, modelTurns);
  const saving = saved * (write + expectedReads * read);
  const cost = prefixTokens * (write - read);
  return saving > cost;
}

/**
 * Protection that only stems from prompt caching (a client breakpoint after the segment, or `cache_control`
 * on its own block). It covers bytes sent in an earlier turn, which are replay-only anyway (candidates
 * that are not fresh are never newly decided); a segment of the newest turn may be decided.
 */
function isCacheProtection(segment: Segment): boolean {
  return segment.protectedReason === 'before-cache-breakpoint' || segment.protectedReason === 'cache-control';
}

/** Index of the last message the model produced (assistant message, tool call, reasoning item); -1 if none. */
export function lastModelTurnIndex(messages: readonly MessageRef[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as MessageRef;
    if (m.role === 'assistant') return m.index;
    if (m.type !== null && (m.type.endsWith('_call') || m.type === 'reasoning')) return m.index;
  }
  return -1;
}

function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 32);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
