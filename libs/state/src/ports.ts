/**
 * Ports of the state library. The proxy depends on these interfaces only; adapters (in-memory for the
 * embedded stack, Redis for replicas) live beside them. Every method takes the tenant first: state never
 * crosses tenants (I6).
 */

/** The recorded decision for one compressible segment (keyed by tenant, policy version, content hash). */
export interface SegmentDecision {
  /**
   * The text that replaces the segment's original text, or null when the segment is forwarded as is.
   * Replayed byte-for-byte on every later turn, on every replica (I2).
   */
  readonly replacement: string | null;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** Detected kind of the segment (`json`, `logs`, ...), for reporting. */
  readonly kind: string;
  /** True when nothing was elided behind a marker. */
  readonly lossless: boolean;
  /** CCR keys the replacement's markers name (their originals must outlive the decision, I4). */
  readonly markerKeys: readonly string[];
}

/** Result of a prefix-state lookup. Never an exception: losing the shared store degrades, it does not fail. */
export interface PrefixLookup {
  /** Content hash → recorded decision, for the hashes that have one. */
  readonly found: ReadonlyMap<string, SegmentDecision>;
  /**
   * False when the shared store could not be asked (down, timed out): hashes missing from `found` may
   * still be decided elsewhere, so the caller must forward their originals and decide nothing new (I5).
   */
  readonly complete: boolean;
}

/** Result of recording decisions (first writer wins across replicas). */
export interface PrefixRecord {
  /**
   * Content hash → the decision in force: ours when we were first, the earlier writer's otherwise (adopt it).
   * A hash missing here was not recorded; the caller must forward that segment's original.
   */
  readonly decided: ReadonlyMap<string, SegmentDecision>;
  readonly complete: boolean;
}

export interface ReadinessStatus {
  readonly ready: boolean;
  /** Adapter name: `memory`, `redis`. */
  readonly adapter: string;
  readonly detail?: string;
}

/** Something `/readyz` can ask. */
export interface ReadinessCheck {
  checkReady(): Promise<ReadinessStatus>;
}

/**
 * Compression decisions per segment, recorded once and replayed byte-identically. Implementations
 * never reject: failures come back as `complete: false` (the request path fails open, I5).
 */
export interface PrefixStateStore extends ReadinessCheck {
  lookup(tenant: string, policyVersion: string, hashes: readonly string[]): Promise<PrefixLookup>;
  /** SET-NX semantics per hash: the first decision wins; the winner comes back for every hash recorded. */
  record(
    tenant: string,
    policyVersion: string,
    decisions: ReadonlyMap<string, SegmentDecision>,
  ): Promise<PrefixRecord>;
  close(): Promise<void>;
}

/**
 * Originals of lossy elisions (CCR = compress, cache, retrieve): marker key → exact original text,
 * tenant-scoped, kept at least as long as the provider cache TTL (I4).
 */
export interface CcrStore extends ReadinessCheck {
  /** Store originals. Rejects with a `StateError` when they could not be stored: then no marker may be sent. */
  put(tenant: string, originals: Readonly<Record<string, string>>): Promise<void>;
  /** The exact original for a key, or null when unknown (or expired, or another tenant's). */
  findOriginal(tenant: string, key: string): Promise<string | null>;
  /** Extend the lifetime of originals still referenced by replayed decisions. Best effort, never rejects. */
  touch(tenant: string, keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Time-to-live settings shared by the adapters. */
export interface StateTtl {
  /** Lifetime of a prefix decision after its last use (ms). */
  readonly prefixTtlMs: number;
  /** Lifetime of a CCR original after its last use (ms); never shorter than `prefixTtlMs`. */
  readonly ccrTtlMs: number;
}

/** One hour (the longest provider prompt-cache TTL, Anthropic's `1h`) plus a 10 minute margin. */
export const DEFAULT_STATE_TTL_MS = 70 * 60 * 1000;
