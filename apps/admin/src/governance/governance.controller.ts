import { Body, Controller, Inject, Param, Query } from '@nestjs/common';
import {
  budgetCreateSchema,
  budgetUpdateSchema,
  explainQuerySchema,
  idSchema,
  policyCreateSchema,
  policyUpdateSchema,
} from '@leeway/contracts';
import { AdminRoute, CallerAccess } from '../auth/admin-route.decorator';
import type { Access } from '../auth/principal';
import { validate } from '../http/admin-http.error';
import { routeSpec } from '../http/routes';
import { GovernanceService } from './governance.service';

const teamFilter = (query: unknown, id: string) => validate(routeSpec(id).query!, query, 'query') as { teamId?: string };

@Controller()
export class GovernanceController {
  constructor(@Inject(GovernanceService) private readonly governance: GovernanceService) {}

  @AdminRoute('policies.create')
  createPolicy(@CallerAccess() access: Access, @Body() body: unknown) {
    return this.governance.createPolicy(access, validate(policyCreateSchema, body, 'body'));
  }

  @AdminRoute('policies.list')
  async listPolicies(@CallerAccess() access: Access, @Query() query: unknown) {
    return { items: await this.governance.listPolicies(access, teamFilter(query, 'policies.list').teamId) };
  }

  @AdminRoute('policies.update')
  updatePolicy(@CallerAccess() access: Access, @Param('id') id: string, @Body() body: unknown) {
    return this.governance.updatePolicy(access, validate(idSchema, id, 'params'), validate(policyUpdateSchema, body, 'body'));
  }

  @AdminRoute('policies.delete')
  deletePolicy(@CallerAccess() access: Access, @Param('id') id: string) {
    return this.governance.deletePolicy(access, validate(idSchema, id, 'params'));
  }

  @AdminRoute('budgets.create')
  createBudget(@CallerAccess() access: Access, @Body() body: unknown) {
    return this.governance.createBudget(access, validate(budgetCreateSchema, body, 'body'));
  }

  @AdminRoute('budgets.list')
  async listBudgets(@CallerAccess() access: Access, @Query() query: unknown) {
    return { items: await this.governance.listBudgets(access, teamFilter(query, 'budgets.list').teamId) };
  }

  @AdminRoute('budgets.update')
  updateBudget(@CallerAccess() access: Access, @Param('id') id: string, @Body() body: unknown) {
    return this.governance.updateBudget(access, validate(idSchema, id, 'params'), validate(budgetUpdateSchema, body, 'body'));
  }

  @AdminRoute('budgets.delete')
  deleteBudget(@CallerAccess() access: Access, @Param('id') id: string) {
    return this.governance.deleteBudget(access, validate(idSchema, id, 'params'));
  }

  @AdminRoute('explain.get')
  explain(@CallerAccess() access: Access, @Query() query: unknown) {
    const q = validate(explainQuerySchema, query, 'query');
    return this.governance.explain(access, q.team, q.model);
  }
}
