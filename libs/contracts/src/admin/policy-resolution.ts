/**
 * Which policy governs a request, and which budgets count it — shared by the admin API (`/v1/explain`)
 * and the proxy. Pure and deterministic.
 *
 * Most specific wins, in this order:
 *  1. a team's own policy beats the organisation-wide default (teamId null);
 *  2. then the model pattern: an exact model name beats any glob, a glob with more literal characters
 *     beats one with fewer, and any pattern beats "every model" (null);
 *  3. then the higher `priority`;
 *  4. then the lowest id (only to stay deterministic when two rows tie).
 * Disabled policies and policies of other teams never apply.
 */
import { modelPatternMatches, patternSpecificity } from '../pricing/price-catalogue';
import type { BudgetModeName, BudgetPeriodName, CompressionModeName } from './admin-schemas';

export interface PolicyRule {
  readonly id: string;
  readonly teamId: string | null;
  readonly modelPattern: string | null;
  readonly compression: CompressionModeName;
  readonly shadow: boolean;
  readonly retrieval: boolean;
  readonly cachePlanner: boolean;
  readonly excludedTools: readonly string[];
  readonly priority: number;
  readonly enabled: boolean;
  readonly version: number;
}

export type PolicyCandidateOutcome = 'selected' | 'outranked' | 'disabled' | 'other-team' | 'model-mismatch';

export interface PolicyCandidate {
  readonly id: string;
  readonly outcome: PolicyCandidateOutcome;
  readonly reason: string;
}

export interface PolicyResolution<P extends PolicyRule = PolicyRule> {
  /** The governing policy, or null when none matches (the proxy's configured default applies). */
  readonly policy: P | null;
  readonly reason: string;
  /** Every policy considered, with why it was or was not chosen (most specific first). */
  readonly candidates: readonly PolicyCandidate[];
}

/** Rank of a model pattern: null (every model) ranks below every glob. */
export function modelPatternRank(pattern: string | null): number {
  return pattern === null ? -1 : patternSpecificity(pattern);
}

function describeScope(p: PolicyRule): string {
  const team = p.teamId === null ? 'organisation-wide' : `team ${p.teamId}`;
  const model =
    p.modelPattern === null
      ? 'every model'
      : p.modelPattern.includes('*')
        ? `model pattern "${p.modelPattern}"`
        : `exact model "${p.modelPattern}"`;
  return `${team}, ${model}`;
}

function compareSpecificity(a: PolicyRule, b: PolicyRule): number {
  const teamA = a.teamId === null ? 0 : 1;
  const teamB = b.teamId === null ? 0 : 1;
  if (teamA !== teamB) return teamB - teamA;
  const rankA = modelPatternRank(a.modelPattern);
  const rankB = modelPatternRank(b.modelPattern);
  if (rankA !== rankB) return rankB - rankA;
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function resolvePolicy<P extends PolicyRule>(policies: readonly P[], teamId: string, model: string): PolicyResolution<P> {
  const candidates: PolicyCandidate[] = [];
  const matching: P[] = [];
  for (const p of policies) {
    if (p.teamId !== null && p.teamId !== teamId) {
      continue; // another team's policy is not even listed (tenant isolation)
    }
    if (p.modelPattern !== null && !modelPatternMatches(p.modelPattern, model)) {
      candidates.push({ id: p.id, outcome: 'model-mismatch', reason: `${describeScope(p)} does not match model "${model}"` });
      continue;
    }
    if (!p.enabled) {
      candidates.push({ id: p.id, outcome: 'disabled', reason: `${describeScope(p)} matches but is disabled` });
      continue;
    }
    matching.push(p);
  }
  matching.sort(compareSpecificity);
  const [winner, ...rest] = matching;
  const ranked: PolicyCandidate[] = [];
  if (winner) {
    ranked.push({ id: winner.id, outcome: 'selected', reason: `most specific match: ${describeScope(winner)}` });
    for (const p of rest) {
      const why =
        (p.teamId === null) !== (winner.teamId === null)
          ? 'a team policy beats the organisation-wide default'
          : modelPatternRank(p.modelPattern) !== modelPatternRank(winner.modelPattern)
            ? 'a more specific model pattern wins'
            : p.priority !== winner.priority
              ? 'a higher priority wins'
              : 'tie broken by id';
      ranked.push({ id: p.id, outcome: 'outranked', reason: `${describeScope(p)} matches but ${why}` });
    }
  }
  return {
    policy: winner ?? null,
    reason: winner
      ? `policy ${winner.id} (${describeScope(winner)}) is the most specific enabled match for model "${model}"`
      : `no enabled policy matches team ${teamId} and model "${model}": the proxy's default compression applies`,
    candidates: [...ranked, ...candidates],
  };
}

// ------------------------------------------------------------------------------------------------
// Budgets

export interface BudgetRule {
  readonly id: string;
  readonly teamId: string;
  readonly modelPattern: string | null;
  readonly period: BudgetPeriodName;
  readonly timezone: string;
  readonly mode: BudgetModeName;
  readonly enabled: boolean;
}

export interface BudgetApplication<B extends BudgetRule = BudgetRule> {
  readonly budget: B;
  readonly reason: string;
  readonly window: BudgetWindow;
}

/** Every enabled budget of the team whose model pattern matches: all of them apply (each is enforced). */
export function applicableBudgets<B extends BudgetRule>(budgets: readonly B[], teamId: string, model: string, at: Date): BudgetApplication<B>[] {
  return budgets
    .filter((b) => b.teamId === teamId && b.enabled && (b.modelPattern === null || modelPatternMatches(b.modelPattern, model)))
    .sort((a, b) => modelPatternRank(b.modelPattern) - modelPatternRank(a.modelPattern) || (a.id < b.id ? -1 : 1))
    .map((budget) => ({
      budget,
      reason:
        budget.modelPattern === null
          ? `${budget.mode} ${budget.period} budget on every model of the team`
          : `${budget.mode} ${budget.period} budget on models matching "${budget.modelPattern}"`,
      window: budgetWindow(budget.period, budget.timezone, at),
    }));
}

export interface BudgetWindow {
  /** Inclusive start instant, null for `total`. */
  readonly start: Date | null;
  /** Exclusive end instant (the reset), null for `total`. */
  readonly end: Date | null;
}

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Monday
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function partsAt(timeZone: string, at: Date): WallClock & { hour: number; minute: number; second: number } {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
    weekday: WEEKDAYS.indexOf(parts['weekday'] ?? 'Mon'),
  };
}

/** Offset of the zone from UTC at an instant, in ms (wall clock − UTC). */
function offsetMs(timeZone: string, at: Date): number {
  const p = partsAt(timeZone, at);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant at which the wall clock in `timeZone` shows midnight of the given date. */
function midnightIn(timeZone: string, year: number, month: number, day: number): Date {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall - offsetMs(timeZone, new Date(wall));
  // Second pass settles DST transitions between the guess and the target.
  guess = wall - offsetMs(timeZone, new Date(guess));
  return new Date(guess);
}

/** The calendar window (in the budget's time zone) containing `at`. */
export function budgetWindow(period: BudgetPeriodName, timeZone: string, at: Date): BudgetWindow {
  if (period === 'total') return { start: null, end: null };
  const p = partsAt(timeZone, at);
  let start: { y: number; m: number; d: number };
  let end: { y: number; m: number; d: number };
  const shift = (y: number, m: number, d: number) => {
    const t = new Date(Date.UTC(y, m - 1, d));
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  };
  if (period === 'day') {
    start = { y: p.year, m: p.month, d: p.day };
    end = shift(p.year, p.month, p.day + 1);
  } else if (period === 'week') {
    start = shift(p.year, p.month, p.day - p.weekday);
    end = shift(start.y, start.m, start.d + 7);
  } else {
    start = { y: p.year, m: p.month, d: 1 };
    end = shift(p.year, p.month + 1, 1);
  }
  return { start: midnightIn(timeZone, start.y, start.m, start.d), end: midnightIn(timeZone, end.y, end.m, end.d) };
}
