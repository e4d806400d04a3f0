import { Inject, Injectable } from '@nestjs/common';
import { BudgetRepository, PolicyRepository, TeamRepository, canSeeTeam, teamScope } from '@leeway/db';
import {
  applicableBudgets,
  resolvePolicy,
  type BudgetCreate,
  type BudgetUpdate,
  type BudgetView,
  type PolicyCreate,
  type PolicyUpdate,
  type PolicyView,
} from '@leeway/contracts';
import type { Access } from '../auth/principal';
import { AdminHttpError, notFound } from '../http/admin-http.error';
import { AdminStore } from '../http/admin-store';

@Injectable()
export class GovernanceService {
  constructor(@Inject(AdminStore) private readonly store: AdminStore) {}

  // ---------------------------------------------------------------- policies

  createPolicy(access: Access, input: PolicyCreate): Promise<PolicyView> {
    const teamId = input.teamId ?? null;
    if (teamId === null && !access.isAdmin) throw new AdminHttpError('GEN_FORBIDDEN', 'only admins create organisation-wide policies');
    if (teamId !== null && !canSeeTeam(access.visibility, teamId)) throw new AdminHttpError('GEN_FORBIDDEN', 'you may only manage your own team');
    return this.store.change(access, async (tx, rec) => {
      const policy = await new PolicyRepository(tx).create(input);
      await rec.audit({ action: 'policy.created', targetType: 'policy', targetId: policy.id, teamId, before: null, after: policy });
      rec.notify({ kind: 'policy', action: 'created', id: policy.id, teamId });
      return policy;
    });
  }

  listPolicies(access: Access, teamId: string | undefined): Promise<PolicyView[]> {
    return new PolicyRepository(this.store.sql).list(access.visibility, { teamId });
  }

  /** A policy the caller may change: 404 for other teams' (never revealed), 403 for org-wide ones. */
  private async ownedPolicy(access: Access, repo: PolicyRepository, id: string): Promise<PolicyView> {
    const policy = await repo.findById(id);
    if (!policy) throw notFound(`policy ${id}`);
    if (policy.teamId === null) {
      if (!access.isAdmin) throw new AdminHttpError('GEN_FORBIDDEN', 'only admins change organisation-wide policies');
    } else if (!canSeeTeam(access.visibility, policy.teamId)) {
      throw notFound(`policy ${id}`);
    }
    return policy;
  }

  updatePolicy(access: Access, id: string, patch: PolicyUpdate): Promise<PolicyView> {
    return this.store.change(access, async (tx, rec) => {
      const repo = new PolicyRepository(tx);
      const before = await this.ownedPolicy(access, repo, id);
      const after = (await repo.update(id, patch))!;
      await rec.audit({ action: 'policy.updated', targetType: 'policy', targetId: id, teamId: before.teamId, before, after });
      rec.notify({ kind: 'policy', action: 'updated', id, teamId: before.teamId });
      return after;
    });
  }

  deletePolicy(access: Access, id: string): Promise<{ id: string; deleted: true }> {
    return this.store.change(access, async (tx, rec) => {
      const repo = new PolicyRepository(tx);
      const before = await this.ownedPolicy(access, repo, id);
      await repo.delete(id);
      await rec.audit({ action: 'policy.deleted', targetType: 'policy', targetId: id, teamId: before.teamId, before, after: null });
      rec.notify({ kind: 'policy', action: 'deleted', id, teamId: before.teamId });
      return { id, deleted: true as const };
    });
  }

  // ---------------------------------------------------------------- budgets

  createBudget(access: Access, input: BudgetCreate): Promise<BudgetView> {
    return this.store.change(access, async (tx, rec) => {
      const budget = await new BudgetRepository(tx).create(input);
      await rec.audit({ action: 'budget.created', targetType: 'budget', targetId: budget.id, teamId: budget.teamId, before: null, after: budget });
      rec.notify({ kind: 'budget', action: 'created', id: budget.id, teamId: budget.teamId });
      return budget;
    });
  }

  listBudgets(access: Access, teamId: string | undefined): Promise<BudgetView[]> {
    return new BudgetRepository(this.store.sql).list(access.visibility, { teamId });
  }

  updateBudget(access: Access, id: string, patch: BudgetUpdate): Promise<BudgetView> {
    return this.store.change(access, async (tx, rec) => {
      const repo = new BudgetRepository(tx);
      const before = await repo.findById(id);
      if (!before || !canSeeTeam(access.visibility, before.teamId)) throw notFound(`budget ${id}`);
      const after = (await repo.update(id, patch))!;
      await rec.audit({ action: 'budget.updated', targetType: 'budget', targetId: id, teamId: before.teamId, before, after });
      rec.notify({ kind: 'budget', action: 'updated', id, teamId: before.teamId });
      return after;
    });
  }

  deleteBudget(access: Access, id: string): Promise<{ id: string; deleted: true }> {
    return this.store.change(access, async (tx, rec) => {
      const repo = new BudgetRepository(tx);
      const before = await repo.findById(id);
      if (!before || !canSeeTeam(access.visibility, before.teamId)) throw notFound(`budget ${id}`);
      await repo.delete(id);
      await rec.audit({ action: 'budget.deleted', targetType: 'budget', targetId: id, teamId: before.teamId, before, after: null });
      rec.notify({ kind: 'budget', action: 'deleted', id, teamId: before.teamId });
      return { id, deleted: true as const };
    });
  }

  // ---------------------------------------------------------------- explain

  async explain(access: Access, teamId: string, model: string) {
    if (!canSeeTeam(access.visibility, teamId)) throw new AdminHttpError('GEN_FORBIDDEN', 'you may only inspect your own team');
    const team = await new TeamRepository(this.store.sql).findById(teamId);
    if (!team) throw new AdminHttpError('ADM_TEAM_NOT_FOUND', `team ${teamId} not found`);
    const scope = teamScope(teamId);
    const [policies, budgets] = await Promise.all([
      new PolicyRepository(this.store.sql).listForTeam(scope),
      new BudgetRepository(this.store.sql).listForTeam(scope),
    ]);
    const at = this.store.now();
    const resolution = resolvePolicy(policies, teamId, model);
    const applied = applicableBudgets(budgets, teamId, model, at);
    const p = resolution.policy;
    return {
      team: { id: team.id, slug: team.slug, name: team.name, disabled: team.disabled },
      model,
      at: at.toISOString(),
      policy: {
        selected: p,
        reason: resolution.reason,
        candidates: resolution.candidates,
        effective: p
          ? { source: 'policy', compression: p.compression, shadow: p.shadow, retrieval: p.retrieval, cachePlanner: p.cachePlanner, excludedTools: p.excludedTools }
          : { source: 'proxy-default' },
      },
      budgets: applied.map((a) => ({
        budget: a.budget,
        reason: a.reason,
        window: { start: a.window.start?.toISOString() ?? null, end: a.window.end?.toISOString() ?? null },
      })),
    };
  }
}
