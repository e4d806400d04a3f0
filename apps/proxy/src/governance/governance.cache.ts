/**
 * The proxy's local view of the control plane: keys, credentials, policies, budgets and prices, loaded
 * on first use and dropped when a change arrives (pub/sub, so within a second on every replica) or, as a
 * safety net for a lost message, after `maxAgeMs`. Concurrent misses share one load.
 */
import { PriceBook } from '@leeway/contracts';
import type { BudgetView, PolicyRule } from '@leeway/contracts';
import type { GovernanceChange } from './change-feed';
import type { CredentialRecord, GovernanceSource, VirtualKeyRecord } from './governance.source';

interface Entry<T> {
  readonly value: Promise<T>;
  readonly loadedAt: number;
}

interface KeyEntry extends Entry<VirtualKeyRecord | null> {
  /** Resolved to "no such active key". */
  unknown: boolean;
}

export interface GovernanceCacheOptions {
  /** Reload an entry after this long even without a change message (default 60 s). */
  readonly maxAgeMs?: number;
  /** Unknown keys are remembered this long (default 5 s), and forgotten on any key change. */
  readonly negativeKeyTtlMs?: number;
  readonly now?: () => number;
}

const MAX_KEYS = 100_000;
const MAX_ENTRIES = 10_000;

export class GovernanceCache {
  private readonly keys = new Map<string, KeyEntry>();
  private readonly credentials = new Map<string, Entry<CredentialRecord | null>>();
  private readonly policyLists = new Map<string, Entry<readonly PolicyRule[]>>();
  private readonly budgetLists = new Map<string, Entry<readonly BudgetView[]>>();
  private priceBook: Entry<PriceBook> | null = null;
  /** Bumped on every change: derived memos (resolved policies) compare it. */
  private generationValue = 0;
  private readonly maxAgeMs: number;
  private readonly negativeKeyTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: GovernanceSource,
    options: GovernanceCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.negativeKeyTtlMs = options.negativeKeyTtlMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  get generation(): number {
    return this.generationValue;
  }

  key(hash: string): Promise<VirtualKeyRecord | null> {
    const now = this.now();
    let entry = this.keys.get(hash);
    if (!entry || now - entry.loadedAt >= (entry.unknown ? this.negativeKeyTtlMs : this.maxAgeMs)) {
      const value = this.source.findKey(hash, new Date(now));
      const fresh: KeyEntry = { value, loadedAt: now, unknown: false };
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      this.keys.set(hash, fresh);
      value.then(
        (k) => {
          if (k === null) fresh.unknown = true;
        },
        () => {
          if (this.keys.get(hash) === fresh) this.keys.delete(hash);
        },
      );
      entry = fresh;
    }
    return entry.value.then((k) => {
      // Expiry is checked on every use, not only at load.
      if (k && k.expiresAt && k.expiresAt.getTime() <= this.now()) return null;
      return k;
    });
  }

  credential(teamId: string, provider: string): Promise<CredentialRecord | null> {
    return this.get(this.credentials, `${teamId}\u0000${provider}`, () => this.source.findCredential(teamId, provider));
  }

  policies(teamId: string): Promise<readonly PolicyRule[]> {
    return this.get(this.policyLists, teamId, () => this.source.policies(teamId));
  }

  budgets(teamId: string): Promise<readonly BudgetView[]> {
    return this.get(this.budgetLists, teamId, () => this.source.budgets(teamId));
  }

  prices(): Promise<PriceBook> {
    const entry = this.priceBook;
    if (entry && this.now() - entry.loadedAt < this.maxAgeMs) return entry.value;
    const value = this.source.prices().then((rows) => new PriceBook(rows));
    const fresh = { value, loadedAt: this.now() };
    this.priceBook = fresh;
    value.catch(() => {
      if (this.priceBook === fresh) this.priceBook = null;
    });
    return value;
  }

  /** Drop what a change makes stale. */
  apply(change: GovernanceChange): void {
    this.generationValue++;
    switch (change.kind) {
      case 'policy':
        if (change.teamId === null) this.policyLists.clear();
        else this.policyLists.delete(change.teamId);
        return;
      case 'budget':
        if (change.teamId === null) this.budgetLists.clear();
        else this.budgetLists.delete(change.teamId);
        return;
      case 'key':
        if (change.keyHash) this.keys.delete(change.keyHash);
        else this.dropKeysOf(change.teamId);
        for (const [hash, entry] of [...this.keys]) if (entry.unknown) this.keys.delete(hash);
        return;
      case 'credential':
        if (change.teamId === null) this.credentials.clear();
        else for (const k of [...this.credentials.keys()]) if (k.startsWith(`${change.teamId}\u0000`)) this.credentials.delete(k);
        return;
      case 'pricing':
        this.priceBook = null;
        return;
      default:
        // team changes (disable, delete) and resyncs: drop everything
        this.keys.clear();
        this.credentials.clear();
        this.policyLists.clear();
        this.budgetLists.clear();
        this.priceBook = null;
    }
  }

  private dropKeysOf(teamId: string | null): void {
    if (teamId === null) {
      this.keys.clear();
      return;
    }
    for (const [hash, entry] of [...this.keys]) {
      void entry.value.then(
        (k) => {
          if ((k === null || k.teamId === teamId) && this.keys.get(hash) === entry) this.keys.delete(hash);
        },
        () => undefined,
      );
    }
  }

  private get<T>(map: Map<string, Entry<T>>, id: string, load: () => Promise<T>): Promise<T> {
    const entry = map.get(id);
    const now = this.now();
    if (entry && now - entry.loadedAt < this.maxAgeMs) return entry.value;
    const value = load();
    const fresh: Entry<T> = { value, loadedAt: now };
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(id, fresh);
    value.catch(() => {
      if (map.get(id) === fresh) map.delete(id);
    });
    return value;
  }
}
