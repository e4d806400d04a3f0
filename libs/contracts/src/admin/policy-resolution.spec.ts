import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applicableBudgets, budgetWindow, resolvePolicy, type BudgetRule, type PolicyRule } from './policy-resolution';
import { budgetCreateSchema, policyCreateSchema, spendQuerySchema } from './admin-schemas';

const TEAM = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function policy(id: string, over: Partial<PolicyRule> = {}): PolicyRule {
  return {
    id,
    teamId: null,
    modelPattern: null,
    compression: 'balanced',
    shadow: false,
    retrieval: true,
    cachePlanner: true,
    excludedTools: [],
    priority: 0,
    enabled: true,
    version: 1,
    ...over,
  };
}

describe('resolvePolicy', () => {
  const orgDefault = policy('p-org', { compression: 'balanced' });
  const orgOpus = policy('p-org-opus', { modelPattern: 'claude-opus-*', compression: 'lossless' });
  const teamAll = policy('p-team', { teamId: TEAM, compression: 'aggressive' });
  const teamOpus = policy('p-team-opus', { teamId: TEAM, modelPattern: 'claude-opus-*', compression: 'lossless' });
  const teamExact = policy('p-team-exact', { teamId: TEAM, modelPattern: 'claude-opus-4-1', compression: 'off' });
  const otherTeam = policy('p-other', { teamId: OTHER, modelPattern: 'claude-opus-4-1', compression: 'aggressive' });

  it('falls back to the organisation default', () => {
    const r = resolvePolicy([orgDefault, otherTeam], TEAM, 'gpt-5');
    expect(r.policy?.id).toBe('p-org');
    expect(r.candidates.map((c) => c.id)).toEqual(['p-org']);
  });

  it('a team policy beats an org policy even with a more specific org pattern', () => {
    const r = resolvePolicy([orgDefault, orgOpus, teamAll], TEAM, 'claude-opus-4-1');
    expect(r.policy?.id).toBe('p-team');
    const outranked = r.candidates.find((c) => c.id === 'p-org-opus');
    expect(outranked?.outcome).toBe('outranked');
    expect(outranked?.reason).toContain('team policy beats');
  });

  it('exact model beats glob beats every-model within a team', () => {
    const all = [orgDefault, teamAll, teamOpus, teamExact, otherTeam];
    expect(resolvePolicy(all, TEAM, 'claude-opus-4-1').policy?.id).toBe('p-team-exact');
    expect(resolvePolicy(all, TEAM, 'claude-opus-4-5').policy?.id).toBe('p-team-opus');
    expect(resolvePolicy(all, TEAM, 'claude-sonnet-4-5').policy?.id).toBe('p-team');
  });

  it('never applies or lists another team policy', () => {
    const r = resolvePolicy([otherTeam], TEAM, 'claude-opus-4-1');
    expect(r.policy).toBeNull();
    expect(r.candidates).toEqual([]);
    expect(r.reason).toContain('default');
  });

  it('skips disabled policies and reports them', () => {
    const r = resolvePolicy([orgDefault, { ...teamExact, enabled: false }], TEAM, 'claude-opus-4-1');
    expect(r.policy?.id).toBe('p-org');
    expect(r.candidates.find((c) => c.id === 'p-team-exact')?.outcome).toBe('disabled');
  });

  it('priority breaks ties of equal scope', () => {
    const a = policy('a', { teamId: TEAM, modelPattern: 'gpt-*', priority: 1 });
    const b = policy('b', { teamId: TEAM, modelPattern: 'gpt-*', priority: 5 });
    expect(resolvePolicy([a, b], TEAM, 'gpt-5').policy?.id).toBe('b');
  });

  it('is independent of input order (property)', () => {
    const all = [orgDefault, orgOpus, teamAll, teamOpus, teamExact, otherTeam];
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: 0, maxLength: all.length }), fc.constantFrom('claude-opus-4-1', 'claude-opus-4-5', 'gpt-5'), (subset, model) => {
        const forward = resolvePolicy(subset, TEAM, model).policy?.id ?? null;
        const backward = resolvePolicy([...subset].reverse(), TEAM, model).policy?.id ?? null;
        expect(forward).toBe(backward);
        if (forward !== null) expect(forward).not.toBe('p-other');
      }),
    );
  });
});

describe('budgetWindow', () => {
  it('aligns day, week and month to the calendar in UTC', () => {
    const at = new Date('2026-12-03T20:00:00Z'); // a Thursday
    expect(budgetWindow('day', 'UTC', at)).toEqual({ start: new Date('2026-12-03T00:00:00Z'), end: new Date('2026-12-04T00:00:00Z') });
    expect(budgetWindow('week', 'UTC', at)).toEqual({ start: new Date('2026-11-30T00:00:00Z'), end: new Date('2026-12-07T00:00:00Z') });
    expect(budgetWindow('month', 'UTC', at)).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(budgetWindow('total', 'UTC', at)).toEqual({ start: null, end: null });
  });

  it('aligns to midnight in the configured zone', () => {
    // 23:30 UTC on Dec 31 is already Jan 1 in Paris (UTC+1).
    const at = new Date('2026-12-31T23:30:00Z');
    expect(budgetWindow('month', 'Europe/Paris', at)).toEqual({
      start: new Date('2026-12-31T23:00:00Z'),
      end: new Date('2027-01-31T23:00:00Z'),
    });
    expect(budgetWindow('day', 'America/New_York', at)).toEqual({
      start: new Date('2026-12-31T05:00:00Z'),
      end: new Date('2027-01-01T05:00:00Z'),
    });
  });

  it('handles a DST change inside the window', () => {
    // US DST starts 2026-03-08: the March window starts at UTC-5 and ends at UTC-4.
    const w = budgetWindow('month', 'America/New_York', new Date('2026-03-15T12:00:00Z'));
    expect(w.start).toEqual(new Date('2026-03-01T05:00:00Z'));
    expect(w.end).toEqual(new Date('2026-04-01T04:00:00Z'));
  });

  it('always contains the instant (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'),
        fc.constantFrom('day' as const, 'week' as const, 'month' as const),
        (at, zone, period) => {
          const w = budgetWindow(period, zone, at);
          expect(w.start!.getTime()).toBeLessThanOrEqual(at.getTime());
          expect(w.end!.getTime()).toBeGreaterThan(at.getTime());
        },
      ),
    );
  });
});

describe('applicableBudgets', () => {
  const base: BudgetRule = { id: 'b1', teamId: TEAM, modelPattern: null, period: 'month', timezone: 'UTC', mode: 'hard', enabled: true };
  it('returns every enabled matching budget of the team, most specific first', () => {
    const budgets: BudgetRule[] = [
      base,
      { ...base, id: 'b2', modelPattern: 'gpt-*' },
      { ...base, id: 'b3', modelPattern: 'claude-*' },
      { ...base, id: 'b4', enabled: false },
      { ...base, id: 'b5', teamId: OTHER },
    ];
    const applied = applicableBudgets(budgets, TEAM, 'gpt-5', new Date('2026-12-03T00:00:00Z'));
    expect(applied.map((a) => a.budget.id)).toEqual(['b2', 'b1']);
    expect(applied[0]?.window.end).toEqual(new Date('2027-01-01T00:00:00Z'));
  });
});

describe('request schemas', () => {
  it('rejects unknown fields, negative limits and invalid patterns', () => {
    expect(policyCreateSchema.safeParse({ compression: 'balanced', extra: 1 }).success).toBe(false);
    expect(policyCreateSchema.safeParse({ compression: 'balanced', modelPattern: 'gpt-(5' }).success).toBe(false);
    expect(policyCreateSchema.safeParse({ compression: 'max' }).success).toBe(false);
    const budget = { teamId: TEAM, period: 'month', limitUsd: 2000, mode: 'hard' };
    expect(budgetCreateSchema.parse(budget).limitUsd).toBe('2000');
    expect(budgetCreateSchema.safeParse({ ...budget, limitUsd: -5 }).success).toBe(false);
    expect(budgetCreateSchema.safeParse({ ...budget, limitUsd: '0' }).success).toBe(false);
    expect(budgetCreateSchema.safeParse({ ...budget, limitUsd: '1.1234567' }).success).toBe(false);
    expect(budgetCreateSchema.safeParse({ ...budget, timezone: 'Mars/Olympus' }).success).toBe(false);
    expect(budgetCreateSchema.safeParse({ ...budget, webhookUrl: 'ftp://x' }).success).toBe(false);
    expect(budgetCreateSchema.safeParse({ ...budget, alertThresholds: [50, 50] }).success).toBe(false);
  });

  it('parses report queries', () => {
    expect(spendQuerySchema.parse({ from: '2026-12-01', to: '2026-12-31', groupBy: 'team,day' }).groupBy).toEqual(['team', 'day']);
    expect(spendQuerySchema.safeParse({ from: '2026-12-31', to: '2026-12-01' }).success).toBe(false);
    expect(spendQuerySchema.safeParse({ from: '2026-12-01', to: '2026-12-31', groupBy: 'colour' }).success).toBe(false);
  });
});
