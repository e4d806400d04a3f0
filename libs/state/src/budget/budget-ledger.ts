/**
 * Budget counters shared by every proxy replica. Money is in integer micro-USD.
 *
 * A request reserves an estimate on every counter that applies to it before it is forwarded, and settles
 * to its real cost afterwards (the counter moves by `actual − estimate`). Reserve and settle are each one
 * atomic step (one Lua script in Redis) and idempotent by request id: a replayed reserve changes nothing,
 * a replayed settle changes nothing. Counters are keyed by their window (the caller names the window in
 * the counter key) and expire after it, so no sweeper ever resets anything.
 *
 * A counter that does not exist yet (new window, new budget, Redis lost) is reported as `missing`; the
 * caller seeds it (from the ledger of settled spend) with `seed`, which never overwrites a live counter.
 */
import { StateError } from '../errors';
import { assertKeyPart, assertTenant } from '../tenant';

export interface BudgetCounter {
  /** Names the budget and its window, e.g. `b_123:2026-12-01`; a new window is a new key. */
  readonly key: string;
  readonly limitMicros: number;
  /** Hard counters refuse a reservation that would exceed the limit; soft ones only count. */
  readonly hard: boolean;
  /** How long the counter lives from its creation (window end + grace); 0 = forever (`total`). */
  readonly ttlMs: number;
}

export interface BudgetReservation {
  readonly team: string;
  readonly requestId: string;
  readonly estimateMicros: number;
  readonly counters: readonly BudgetCounter[];
}

export type ReserveResult =
  /** Reserved (or already reserved by this request id: `replayed`). `used` includes the reservation. */
  | { readonly status: 'admitted'; readonly used: readonly number[]; readonly replayed: boolean }
  /** A hard counter refused: `index` names it; `used` is the counters' current value. */
  | { readonly status: 'rejected'; readonly index: number; readonly used: readonly number[] }
  /** These counters (indexes) do not exist: seed them and reserve again. Nothing was changed. */
  | { readonly status: 'missing'; readonly missing: readonly number[] };

export interface SettleResult {
  /** False when this request id was already settled (nothing changed). */
  readonly applied: boolean;
  /** Counter values after settling; -1 for a counter that no longer exists. */
  readonly used: readonly number[];
}

export interface BudgetLedger {
  reserve(reservation: BudgetReservation): Promise<ReserveResult>;
  /** Settle to the real cost (0 to release a reservation whose request never reached the provider). */
  settle(reservation: BudgetReservation, actualMicros: number): Promise<SettleResult>;
  /** Create a counter at `micros` unless it exists; returns whether it was created. */
  seed(team: string, counter: BudgetCounter, micros: number): Promise<boolean>;
  /** Current value of a counter, or null when it does not exist. */
  read(team: string, counterKey: string): Promise<number | null>;
  /** Mark a one-off event of a window (alert thresholds); true only for the first caller. */
  once(team: string, key: string, ttlMs: number): Promise<boolean>;
}

/** How long a reservation record is kept so a replayed settle is recognised. */
export const RESERVATION_TTL_MS = 24 * 3_600_000;

export function assertReservation(r: BudgetReservation): void {
  assertTenant(r.team);
  assertKeyPart(r.requestId, 'request id');
  if (!Number.isSafeInteger(r.estimateMicros) || r.estimateMicros < 0) {
    throw new StateError('STA_BAD_VALUE', 'budget estimate must be a non-negative integer (micro-USD)');
  }
  for (const c of r.counters) {
    assertKeyPart(c.key, 'budget counter key');
    if (!Number.isSafeInteger(c.limitMicros) || c.limitMicros < 0) throw new StateError('STA_BAD_VALUE', 'budget limit must be a non-negative integer');
  }
}

interface MemoryCounter {
  value: number;
  expiresAt: number;
}

interface MemoryReservation {
  state: 'reserved' | 'settled';
  estimate: number;
  expiresAt: number;
}

/** In-process ledger for the embedded stack and tests: same semantics as the Redis one, one process only. */
export class MemoryBudgetLedger implements BudgetLedger {
  private readonly counters = new Map<string, MemoryCounter>();
  private readonly reservations = new Map<string, MemoryReservation>();
  private readonly flags = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  reserve(r: BudgetReservation): Promise<ReserveResult> {
    assertReservation(r);
    const prior = this.reservation(r.team, r.requestId);
    if (prior) return Promise.resolve({ status: 'admitted', used: r.counters.map((c) => this.value(r.team, c.key) ?? 0), replayed: true });
    const values = r.counters.map((c) => this.value(r.team, c.key));
    const missing = values.flatMap((v, i) => (v === null ? [i] : []));
    if (missing.length > 0) return Promise.resolve({ status: 'missing', missing });
    const used = values.map((v) => v ?? 0);
    for (let i = 0; i < r.counters.length; i++) {
      const c = r.counters[i]!;
      if (c.hard && used[i]! + r.estimateMicros > c.limitMicros) return Promise.resolve({ status: 'rejected', index: i, used });
    }
    const after = r.counters.map((c) => this.add(r.team, c.key, r.estimateMicros));
    this.reservations.set(`${r.team}\u0000${r.requestId}`, { state: 'reserved', estimate: r.estimateMicros, expiresAt: this.now() + RESERVATION_TTL_MS });
    return Promise.resolve({ status: 'admitted', used: after, replayed: false });
  }

  settle(r: BudgetReservation, actualMicros: number): Promise<SettleResult> {
    assertReservation(r);
    const id = `${r.team}\u0000${r.requestId}`;
    const prior = this.reservation(r.team, r.requestId);
    if (prior?.state === 'settled') return Promise.resolve({ applied: false, used: r.counters.map((c) => this.value(r.team, c.key) ?? -1) });
    const delta = Math.max(0, Math.round(actualMicros)) - (prior?.estimate ?? 0);
    const used = r.counters.map((c) => (this.value(r.team, c.key) === null ? -1 : this.add(r.team, c.key, delta)));
    this.reservations.set(id, { state: 'settled', estimate: 0, expiresAt: this.now() + RESERVATION_TTL_MS });
    return Promise.resolve({ applied: true, used });
  }

  seed(team: string, counter: BudgetCounter, micros: number): Promise<boolean> {
    assertTenant(team);
    if (this.value(team, counter.key) !== null) return Promise.resolve(false);
    this.counters.set(`${team}\u0000${counter.key}`, {
      value: Math.max(0, Math.round(micros)),
      expiresAt: counter.ttlMs > 0 ? this.now() + counter.ttlMs : Number.POSITIVE_INFINITY,
    });
    return Promise.resolve(true);
  }

  read(team: string, counterKey: string): Promise<number | null> {
    return Promise.resolve(this.value(team, counterKey));
  }

  once(team: string, key: string, ttlMs: number): Promise<boolean> {
    const id = `${team}\u0000${key}`;
    const until = this.flags.get(id);
    if (until !== undefined && until > this.now()) return Promise.resolve(false);
    this.flags.set(id, this.now() + ttlMs);
    return Promise.resolve(true);
  }

  /** Forget every counter (what a Redis loss looks like). */
  clear(): void {
    this.counters.clear();
    this.reservations.clear();
  }

  private value(team: string, key: string): number | null {
    const id = `${team}\u0000${key}`;
    const c = this.counters.get(id);
    if (!c) return null;
    if (c.expiresAt <= this.now()) {
      this.counters.delete(id);
      return null;
    }
    return c.value;
  }

  private add(team: string, key: string, delta: number): number {
    const c = this.counters.get(`${team}\u0000${key}`);
    if (!c) return -1;
    c.value += delta;
    return c.value;
  }

  private reservation(team: string, requestId: string): MemoryReservation | null {
    const id = `${team}\u0000${requestId}`;
    const r = this.reservations.get(id);
    if (!r) return null;
    if (r.expiresAt <= this.now()) {
      this.reservations.delete(id);
      return null;
    }
    return r;
  }
}
