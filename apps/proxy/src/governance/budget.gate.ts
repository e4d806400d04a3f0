/**
 * Budget enforcement on the request path: reserve an estimate on every budget that applies (team, and
 * team × model pattern) before forwarding, settle to the real cost after. Counters live in the shared
 * ledger (Redis: one Lua script each way), keyed by the budget's calendar window in its time zone.
 */
import { applicableBudgets, computeCost } from '@leeway/contracts';
import type { BudgetApplication, BudgetView, ModelPrice } from '@leeway/contracts';
import type { BudgetCounter, BudgetLedger, BudgetReservation } from '@leeway/state';
import type { NormalizedUsage } from '@leeway/wire';
import { GovernanceError } from './governance.errors';
import type { GovernanceCache } from './governance.cache';
import type { GovernanceSource } from './governance.source';

/** Counters outlive their window by this much (late settles still land), then expire: no sweeper. */
const WINDOW_GRACE_MS = 2 * 24 * 3_600_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export interface BudgetTicket {
  readonly reservation: BudgetReservation;
  readonly budgets: readonly BudgetApplication<BudgetView>[];
  readonly price: ModelPrice | null;
  readonly estimateMicros: number;
}

export interface BudgetAdmission {
  /** Null when no budget applies, or the ledger was unreachable and every budget fails open. */
  readonly ticket: BudgetTicket | null;
  /** `x-leeway-budget-warning` value, when a soft budget is exhausted. */
  readonly warning: string | null;
  /** A stronger compression mode a soft budget switches the team to once exhausted. */
  readonly compression: BudgetView['softCompression'];
}

export interface BudgetAlert {
  readonly budgetId: string;
  readonly teamId: string;
  readonly threshold: number;
  readonly usedUsd: string;
  readonly limitUsd: string;
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
}

export interface BudgetGateOptions {
  readonly cache: GovernanceCache;
  readonly source: GovernanceSource;
  readonly ledger: BudgetLedger;
  readonly now?: () => number;
  /** Delivers threshold alerts (default: POST JSON to the budget's webhook, 2 s timeout). */
  readonly alert?: (url: string, alert: BudgetAlert) => Promise<void>;
  readonly onError?: (error: unknown, what: string) => void;
  /** Spent / limit of the team's tightest budget, each time this replica learns it (reserve and settle). */
  readonly onUtilisation?: (team: string, ratio: number) => void;
}

export function usdToMicros(usd: string): number {
  return Math.round(Number(usd) * 1_000_000);
}

function microsToUsd(micros: number): string {
  return (micros / 1_000_000).toFixed(6);
}

/** Pico-USD (exact) rounded up to micro-USD. */
function picoToMicros(pico: bigint): number {
  return Number((pico + 999_999n) / 1_000_000n);
}

/** `max_tokens` / `max_completion_tokens` / `max_output_tokens` of the body, when present. */
function maxOutputTokens(raw: Buffer): number {
  const m = /"max_(?:completion_|output_)?tokens"\s*:\s*(\d{1,9})/.exec(raw.toString('latin1', 0, Math.min(raw.length, 1 << 20)));
  if (!m) return DEFAULT_MAX_OUTPUT_TOKENS;
  return Number(m[1]);
}

/**
 * An upper-ish estimate: every body byte a third of a token at the input price, plus the full output
 * allowance at the output price. Reserving at least the real cost keeps a hard budget's overshoot near 0.
 */
export function estimateMicros(raw: Buffer, price: ModelPrice): number {
  const inputTokens = BigInt(Math.ceil(raw.length / 3));
  const outputTokens = BigInt(maxOutputTokens(raw));
  return picoToMicros(inputTokens * price.input + outputTokens * price.output);
}

export class BudgetGate {
  private readonly now: () => number;

  constructor(private readonly options: BudgetGateOptions) {
    this.now = options.now ?? Date.now;
  }

  async admit(input: { teamId: string; provider: string; model: string | null; requestId: string; raw: Buffer }): Promise<BudgetAdmission> {
    const budgets = await this.options.cache.budgets(input.teamId);
    if (budgets.length === 0) return { ticket: null, warning: null, compression: null };
    const at = new Date(this.now());
    const applied = applicableBudgets(budgets, input.teamId, input.model ?? '', at);
    if (applied.length === 0) return { ticket: null, warning: null, compression: null };
    const book = await this.options.cache.prices();
    const price = input.model === null ? null : book.findPrice(input.provider, input.model, at);
    const estimate = price ? estimateMicros(input.raw, price) : 0;
    const counters = applied.map((a) => counterOf(a, at.getTime()));
    const reservation: BudgetReservation = { team: input.teamId, requestId: input.requestId, estimateMicros: estimate, counters };
    let result;
    try {
      result = await this.options.ledger.reserve(reservation);
      if (result.status === 'missing') {
        await Promise.all(result.missing.map((i) => this.seed(input.teamId, applied[i]!, counters[i]!)));
        result = await this.options.ledger.reserve(reservation);
      }
    } catch (error) {
      this.options.onError?.(error, 'budget reserve');
      const closed = applied.find((a) => a.budget.mode === 'hard' && a.budget.onRedisLoss === 'closed');
      if (closed) {
        throw new GovernanceError('PRX_NOT_READY', 'Budget state is unavailable and this budget fails closed; try again shortly.', { 'retry-after': '1' });
      }
      return { ticket: null, warning: null, compression: null };
    }
    if (result.status === 'missing') {
      this.options.onError?.(new Error('budget counters missing after seeding'), 'budget reserve');
      return { ticket: null, warning: null, compression: null };
    }
    if (result.status === 'rejected') {
      const a = applied[result.index]!;
      const headers: Record<string, string> = { 'x-leeway-budget': a.budget.id };
      if (a.window.end) headers['retry-after'] = String(Math.max(1, Math.ceil((a.window.end.getTime() - at.getTime()) / 1000)));
      throw new GovernanceError(
        'PRX_BUDGET_EXCEEDED',
        `The ${a.budget.period} budget of this team${a.budget.modelPattern ? ` for models "${a.budget.modelPattern}"` : ''} ` +
          `(${a.budget.limitUsd} USD) is exhausted${a.window.end ? ` until ${a.window.end.toISOString()}` : ''}.`,
        headers,
      );
    }
    this.reportUtilisation(input.teamId, counters, result.used);
    let warning: string | null = null;
    let compression: BudgetView['softCompression'] = null;
    applied.forEach((a, i) => {
      const used = result.used[i] ?? 0;
      if (a.budget.mode === 'soft' && used >= counters[i]!.limitMicros) {
        warning ??= `budget=${a.budget.id}; used=${microsToUsd(used)}; limit=${a.budget.limitUsd}; period=${a.budget.period}`;
        compression ??= a.budget.softCompression;
      }
    });
    return { ticket: { reservation, budgets: applied, price, estimateMicros: estimate }, warning, compression };
  }

  /** Settle a ticket to the real cost (release it with unknown usage and no response: `usage` null). */
  async settle(ticket: BudgetTicket, usage: NormalizedUsage | null, forwarded: boolean): Promise<void> {
    let actual: number;
    if (!forwarded) actual = 0;
    else if (!ticket.price || usage === null || usage.inputTokens === null) actual = ticket.estimateMicros;
    else {
      const cost = computeCost(
        {
          usage: { ...usage, estimated: false },
          compression: { tokensBefore: 0, tokensAfter: 0, replayedTokensBefore: 0, replayedTokensAfter: 0 },
          cacheBreakpointsAdded: 0,
        },
        ticket.price,
      );
      const pico = cost.billed ?? cost.billedKnown;
      actual = pico === null ? ticket.estimateMicros : picoToMicros(pico);
    }
    try {
      const settled = await this.options.ledger.settle(ticket.reservation, actual);
      this.reportUtilisation(ticket.reservation.team, ticket.reservation.counters, settled.used);
      if (settled.applied) await this.alerts(ticket, settled.used);
    } catch (error) {
      this.options.onError?.(error, 'budget settle');
    }
  }

  private reportUtilisation(team: string, counters: readonly BudgetCounter[], used: readonly number[]): void {
    if (!this.options.onUtilisation) return;
    let tightest = -1;
    counters.forEach((c, i) => {
      const spent = used[i];
      if (c.limitMicros > 0 && spent !== undefined && spent >= 0) tightest = Math.max(tightest, spent / c.limitMicros);
    });
    if (tightest >= 0) this.options.onUtilisation(team, tightest);
  }

  private async seed(teamId: string, a: BudgetApplication<BudgetView>, counter: BudgetCounter): Promise<void> {
    // A new window, a new budget or a lost Redis: start from the settled spend in the ledger.
    const spent = await this.options.source.spendMicros(teamId, a.budget.modelPattern, a.window.start, a.window.end);
    await this.options.ledger.seed(teamId, counter, spent);
  }

  private async alerts(ticket: BudgetTicket, used: readonly number[]): Promise<void> {
    const { reservation } = ticket;
    for (let i = 0; i < ticket.budgets.length; i++) {
      const a = ticket.budgets[i]!;
      const counter = reservation.counters[i]!;
      const value = used[i] ?? -1;
      if (!a.budget.webhookUrl || a.budget.alertThresholds.length === 0 || value < 0 || counter.limitMicros === 0) continue;
      const pct = (value / counter.limitMicros) * 100;
      const crossed = a.budget.alertThresholds.filter((t) => pct >= t).sort((x, y) => y - x)[0];
      if (crossed === undefined) continue;
      // Each threshold at most once per window, across every replica.
      for (const t of a.budget.alertThresholds.filter((x) => x <= crossed)) {
        const first = await this.options.ledger.once(reservation.team, `${counter.key}:alert:${t}`, counter.ttlMs > 0 ? counter.ttlMs : 366 * 24 * 3_600_000);
        if (!first) continue;
        const alert: BudgetAlert = {
          budgetId: a.budget.id,
          teamId: reservation.team,
          threshold: t,
          usedUsd: microsToUsd(value),
          limitUsd: a.budget.limitUsd,
          windowStart: a.window.start?.toISOString() ?? null,
          windowEnd: a.window.end?.toISOString() ?? null,
        };
        (this.options.alert ?? postAlert)(a.budget.webhookUrl, alert).catch((error: unknown) => this.options.onError?.(error, 'budget alert'));
      }
    }
  }
}

function counterOf(a: BudgetApplication<BudgetView>, nowMs: number): BudgetCounter {
  const window = a.window.start ? a.window.start.toISOString() : 'total';
  return {
    key: `${a.budget.id}:${window}`,
    limitMicros: usdToMicros(a.budget.limitUsd),
    hard: a.budget.mode === 'hard',
    ttlMs: a.window.end ? a.window.end.getTime() - nowMs + WINDOW_GRACE_MS : 0,
  };
}

async function postAlert(url: string, alert: BudgetAlert): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'leeway.budget.threshold', ...alert }),
    signal: AbortSignal.timeout(2000),
  });
  await res.arrayBuffer();
}
