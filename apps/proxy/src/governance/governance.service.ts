/**
 * Proxy-side governance (DESIGN.md lifecycle steps 3–5 and 12): virtual keys → team and the team's
 * stored provider credential, the policy of (team, model) from a local cache invalidated over pub/sub,
 * and the budget gate (reserve before forwarding, settle after).
 */
import { resolvePolicy } from '@leeway/contracts';
import type { BudgetLedger } from '@leeway/state';
import { MemoryBudgetLedger } from '@leeway/state';
import type { NormalizedUsage, ParsedRequest } from '@leeway/wire';
import type { CompressionSetting } from '../config/proxy.config';
import type { CallerIdentity, IdentityResolver, PolicyProvider, RequestHeaders, ResolvedPolicy } from '../identity/identity.resolver';
import { BudgetGate } from './budget.gate';
import type { BudgetAlert, BudgetTicket } from './budget.gate';
import type { ChangeFeed, GovernanceChange } from './change-feed';
import { GovernanceCache } from './governance.cache';
import type { GovernanceCacheOptions } from './governance.cache';
import { GovernanceError } from './governance.errors';
import type { GovernanceSource } from './governance.source';
import { VirtualKeyIdentityResolver } from './virtual-key.resolver';
import type { RawProviderKeys } from './virtual-key.resolver';

/** Injection token of the optional `Governance` in the proxy module. */
export const GOVERNANCE = Symbol('GOVERNANCE');

export interface GovernanceDefaults {
  readonly compression: CompressionSetting;
  readonly cachePlanner: boolean;
  readonly retrieval: boolean;
}

export interface GovernanceOptions {
  readonly source: GovernanceSource;
  /** Shared budget counters (Redis in split mode); default an in-process ledger (embedded, one process). */
  readonly ledger?: BudgetLedger;
  /** Change notifications (Redis pub/sub or the embedded bus); without one, entries expire after `maxAgeMs`. */
  readonly changes?: ChangeFeed;
  readonly secretKey: string;
  readonly rawProviderKeys?: RawProviderKeys;
  readonly defaults: GovernanceDefaults;
  readonly cache?: GovernanceCacheOptions;
  readonly now?: () => number;
  readonly alert?: (url: string, alert: BudgetAlert) => Promise<void>;
  readonly onError?: (error: unknown, what: string) => void;
  /** Budget utilisation as this replica learns it (the proxy's `leeway_proxy_budget_utilisation_ratio`). */
  readonly onBudgetUtilisation?: (team: string, ratio: number) => void;
}

/** What the gate decided for one parsed request. */
export interface GovernedRequest {
  readonly policy: ResolvedPolicy;
  readonly ticket: BudgetTicket | null;
  /** Response headers to add (`x-leeway-budget-warning`). */
  readonly headers: Readonly<Record<string, string>>;
}

const COMPRESSION_STRENGTH: Record<CompressionSetting, number> = { off: 0, lossless: 1, balanced: 2, aggressive: 3 };
const MAX_PINNED_SESSIONS = 50_000;

export class Governance implements PolicyProvider {
  readonly identities: IdentityResolver;
  readonly cache: GovernanceCache;
  private readonly gate: BudgetGate;
  private readonly defaultPolicy: ResolvedPolicy;
  private readonly memo = new Map<string, ResolvedPolicy>();
  private memoGeneration = -1;
  /** Session → credential it started on: a conversation never changes provider account (encrypted reasoning). */
  private readonly pinned = new Map<string, string>();
  private readonly unsubscribe: (() => void) | null;

  constructor(private readonly options: GovernanceOptions) {
    this.cache = new GovernanceCache(options.source, { ...options.cache, ...(options.now ? { now: options.now } : {}) });
    this.identities = new VirtualKeyIdentityResolver(this.cache, options.secretKey, options.rawProviderKeys ?? 'allow');
    this.gate = new BudgetGate({
      cache: this.cache,
      source: options.source,
      ledger: options.ledger ?? new MemoryBudgetLedger(options.now),
      ...(options.now ? { now: options.now } : {}),
      ...(options.alert ? { alert: options.alert } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onBudgetUtilisation ? { onUtilisation: options.onBudgetUtilisation } : {}),
    });
    this.defaultPolicy = Object.freeze({
      policyId: null,
      version: 0,
      compression: options.defaults.compression,
      shadow: false,
      retrieval: options.defaults.retrieval,
      cachePlanner: options.defaults.cachePlanner,
      excludedTools: [],
    });
    this.unsubscribe = options.changes ? options.changes.subscribe((change) => this.apply(change)) : null;
  }

  apply(change: GovernanceChange): void {
    // A rotated credential takes effect for new sessions; running ones keep theirs (see `upstreamHeaders`).
    this.cache.apply(change);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.options.changes?.close();
  }

  /** The policy of (team, model): most specific wins (`resolvePolicy`), memoised until the next change. */
  async policyFor(identity: CallerIdentity, model: string | null): Promise<ResolvedPolicy> {
    const teamId = identity.teamId;
    if (teamId === undefined) return this.defaultPolicy;
    if (this.memoGeneration !== this.cache.generation) {
      this.memo.clear();
      this.memoGeneration = this.cache.generation;
    }
    const memoKey = `${teamId}\u0000${model ?? ''}`;
    const known = this.memo.get(memoKey);
    if (known) return known;
    const generation = this.cache.generation;
    const rules = await this.cache.policies(teamId);
    const { policy } = resolvePolicy(rules, teamId, model ?? '');
    const resolved: ResolvedPolicy = policy
      ? Object.freeze({
          policyId: policy.id,
          version: policy.version,
          compression: policy.compression,
          shadow: policy.shadow,
          retrieval: policy.retrieval,
          cachePlanner: policy.cachePlanner,
          excludedTools: Object.freeze([...policy.excludedTools]),
        })
      : this.defaultPolicy;
    if (generation === this.cache.generation) {
      if (this.memo.size > 10_000) this.memo.clear();
      this.memo.set(memoKey, resolved);
    }
    return resolved;
  }

  /**
   * Request headers for the upstream: for a virtual key, the team's stored credential replaces the
   * client's (`x-api-key` for Anthropic, `Authorization: Bearer` for OpenAI). Other identities: unchanged.
   */
  async upstreamHeaders(identity: CallerIdentity, provider: 'anthropic' | 'openai', headers: RequestHeaders): Promise<RequestHeaders> {
    if (identity.credential !== 'virtual-key' || identity.teamId === undefined) return headers;
    const session = sessionOf(headers);
    const pinKey = session ? `${identity.teamId}\u0000${provider}\u0000${session}` : null;
    let apiKey = pinKey ? this.pinned.get(pinKey) : undefined;
    if (apiKey === undefined) {
      const credential = await this.cache.credential(identity.teamId, provider);
      if (!credential) throw new GovernanceError('PRX_UNAUTHORIZED', `This team has no ${provider} credential stored in Leeway.`);
      apiKey = credential.apiKey;
      if (pinKey) {
        if (this.pinned.size >= MAX_PINNED_SESSIONS) this.pinned.clear();
        this.pinned.set(pinKey, apiKey);
      }
    }
    const out: Record<string, string | string[] | undefined> = { ...headers };
    delete out['x-api-key'];
    delete out['authorization'];
    if (provider === 'anthropic') out['x-api-key'] = apiKey;
    else out['authorization'] = `Bearer ${apiKey}`;
    return out;
  }

  /** Policy and budget gate for a parsed request (after identity, before planning). Throws a `GovernanceError` to refuse. */
  async admit(identity: CallerIdentity, parsed: ParsedRequest, requestId: string): Promise<GovernedRequest> {
    const policy = await this.policyFor(identity, parsed.model);
    if (identity.teamId === undefined) return { policy, ticket: null, headers: {} };
    const admission = await this.gate.admit({
      teamId: identity.teamId,
      provider: parsed.provider,
      model: parsed.model,
      requestId: safeId(requestId),
      raw: parsed.raw,
    });
    const stronger =
      admission.compression && COMPRESSION_STRENGTH[admission.compression] > COMPRESSION_STRENGTH[policy.compression]
        ? Object.freeze({ ...policy, compression: admission.compression })
        : policy;
    return {
      policy: stronger,
      ticket: admission.ticket,
      headers: admission.warning ? { 'x-leeway-budget-warning': admission.warning } : {},
    };
  }

  /** Settle after the response (usage from the provider); `forwarded` false releases the reservation. */
  settle(ticket: BudgetTicket, usage: NormalizedUsage | null, forwarded: boolean): Promise<void> {
    return this.gate.settle(ticket, usage, forwarded);
  }
}

/**
 * The request as the optimizer sees it under a policy: the identity carries the policy (compression mode,
 * retrieval, cache planner, shadow), and outputs of excluded tools are not offered for compression.
 */
export function withPolicy(identity: CallerIdentity, parsed: ParsedRequest, policy: ResolvedPolicy): { identity: CallerIdentity; parsed: ParsedRequest } {
  const excluded = policy.excludedTools;
  const segments =
    excluded.length === 0 ? parsed.segments : parsed.segments.filter((s) => s.toolName === null || !excluded.includes(s.toolName));
  return {
    identity: { ...identity, policy },
    parsed: segments.length === parsed.segments.length ? parsed : { ...parsed, segments },
  };
}

function sessionOf(headers: RequestHeaders): string | undefined {
  const v = headers['x-leeway-session'];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s && s.length <= 256 ? s : undefined;
}

function safeId(id: string): string {
  return /^[A-Za-z0-9_.:-]{1,128}$/.test(id) ? id : id.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 128);
}
