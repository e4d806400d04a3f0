/**
 * The route table: one declaration per route (method, path, role set, schemas) used by the
 * controllers (`@AdminRoute('teams.create')`), the auth guard, the OpenAPI document and the role
 * matrix test. A handler without a declaration is refused by the guard (fail closed).
 */
import { z } from 'zod';
import {
  auditEntrySchema,
  auditQuerySchema,
  budgetCreateSchema,
  budgetSchema,
  budgetUpdateSchema,
  credentialPutSchema,
  credentialSchema,
  explainQuerySchema,
  keyCreateSchema,
  keyCreatedSchema,
  keySchema,
  policyCreateSchema,
  policySchema,
  policyUpdateSchema,
  priceCreateSchema,
  priceSchema,
  spendQuerySchema,
  spendReportSchema,
  teamCreateSchema,
  teamSchema,
  teamUpdateSchema,
  tokenCreateSchema,
  tokenCreatedSchema,
  userCreateSchema,
  userSchema,
  type AdminRole,
} from '@leeway/contracts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly id: string;
  readonly method: HttpMethod;
  /** OpenAPI form: `/v1/teams/{id}`. */
  readonly path: string;
  /** Roles allowed; `public` = no authentication. */
  readonly roles: readonly AdminRole[] | 'public';
  /**
   * The path parameter naming a team (`id` for `/v1/teams/{id}/…`): a team-admin may only reach
   * their own team through it. Admin and finance (where allowed) reach every team.
   */
  readonly teamParam?: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly response?: z.ZodType;
  readonly status: number;
  /** Non-JSON response media type. */
  readonly produces?: string;
}

const ALL: readonly AdminRole[] = ['admin', 'finance', 'team-admin'];
const ADMIN: readonly AdminRole[] = ['admin'];
const READERS: readonly AdminRole[] = ['admin', 'finance'];
const TEAM_OWNERS: readonly AdminRole[] = ['admin', 'team-admin'];

const list = (item: z.ZodType) => z.object({ items: z.array(item) });
const deleted = z.object({ id: z.string(), deleted: z.literal(true) });

const specs: RouteSpec[] = [
  // Teams
  { id: 'teams.create', method: 'POST', path: '/v1/teams', roles: ADMIN, summary: 'Create a team', tag: 'teams', body: teamCreateSchema, response: teamSchema, status: 201 },
  { id: 'teams.list', method: 'GET', path: '/v1/teams', roles: ALL, summary: 'List teams (a team-admin sees their own)', tag: 'teams', response: list(teamSchema), status: 200 },
  { id: 'teams.get', method: 'GET', path: '/v1/teams/{id}', roles: ALL, teamParam: 'id', summary: 'Get a team', tag: 'teams', response: teamSchema, status: 200 },
  { id: 'teams.update', method: 'PATCH', path: '/v1/teams/{id}', roles: ADMIN, teamParam: 'id', summary: 'Rename or disable a team', tag: 'teams', body: teamUpdateSchema, response: teamSchema, status: 200 },
  { id: 'teams.delete', method: 'DELETE', path: '/v1/teams/{id}', roles: ADMIN, teamParam: 'id', summary: 'Delete a team and everything it owns', tag: 'teams', response: deleted, status: 200 },
  // Virtual keys
  { id: 'keys.create', method: 'POST', path: '/v1/teams/{id}/keys', roles: TEAM_OWNERS, teamParam: 'id', summary: 'Issue a virtual key (shown once)', tag: 'keys', body: keyCreateSchema, response: keyCreatedSchema, status: 201 },
  { id: 'keys.list', method: 'GET', path: '/v1/teams/{id}/keys', roles: TEAM_OWNERS, teamParam: 'id', summary: 'List virtual keys (no secrets)', tag: 'keys', response: list(keySchema), status: 200 },
  { id: 'keys.revoke', method: 'DELETE', path: '/v1/teams/{id}/keys/{keyId}', roles: TEAM_OWNERS, teamParam: 'id', summary: 'Revoke a virtual key', tag: 'keys', response: keySchema, status: 200 },
  // Provider credentials
  { id: 'credentials.put', method: 'PUT', path: '/v1/teams/{id}/credentials/{provider}', roles: ADMIN, teamParam: 'id', summary: "Store the team's provider key (encrypted, never returned)", tag: 'credentials', body: credentialPutSchema, response: credentialSchema, status: 200 },
  { id: 'credentials.list', method: 'GET', path: '/v1/teams/{id}/credentials', roles: ADMIN, teamParam: 'id', summary: 'List stored credentials (hints only)', tag: 'credentials', response: list(credentialSchema), status: 200 },
  { id: 'credentials.delete', method: 'DELETE', path: '/v1/teams/{id}/credentials/{provider}', roles: ADMIN, teamParam: 'id', summary: 'Revoke a stored credential', tag: 'credentials', response: credentialSchema, status: 200 },
  // Policies
  { id: 'policies.create', method: 'POST', path: '/v1/policies', roles: TEAM_OWNERS, summary: 'Create a policy (team-admins: their team only)', tag: 'policies', body: policyCreateSchema, response: policySchema, status: 201 },
  { id: 'policies.list', method: 'GET', path: '/v1/policies', roles: TEAM_OWNERS, summary: 'List policies (team-admins: theirs and the org defaults)', tag: 'policies', query: z.strictObject({ teamId: z.uuid().optional() }), response: list(policySchema), status: 200 },
  { id: 'policies.update', method: 'PATCH', path: '/v1/policies/{id}', roles: TEAM_OWNERS, summary: 'Change a policy', tag: 'policies', body: policyUpdateSchema, response: policySchema, status: 200 },
  { id: 'policies.delete', method: 'DELETE', path: '/v1/policies/{id}', roles: TEAM_OWNERS, summary: 'Delete a policy', tag: 'policies', response: deleted, status: 200 },
  // Budgets
  { id: 'budgets.create', method: 'POST', path: '/v1/budgets', roles: ADMIN, summary: 'Create a budget', tag: 'budgets', body: budgetCreateSchema, response: budgetSchema, status: 201 },
  { id: 'budgets.list', method: 'GET', path: '/v1/budgets', roles: READERS, summary: 'List budgets', tag: 'budgets', query: z.strictObject({ teamId: z.uuid().optional() }), response: list(budgetSchema), status: 200 },
  { id: 'budgets.update', method: 'PATCH', path: '/v1/budgets/{id}', roles: ADMIN, summary: 'Change a budget', tag: 'budgets', body: budgetUpdateSchema, response: budgetSchema, status: 200 },
  { id: 'budgets.delete', method: 'DELETE', path: '/v1/budgets/{id}', roles: ADMIN, summary: 'Delete a budget', tag: 'budgets', response: deleted, status: 200 },
  // Pricing
  { id: 'pricing.list', method: 'GET', path: '/v1/pricing', roles: READERS, summary: 'The effective-dated price catalogue', tag: 'pricing', query: z.strictObject({ provider: z.string().max(50).optional() }), response: list(priceSchema), status: 200 },
  { id: 'pricing.create', method: 'POST', path: '/v1/pricing', roles: ADMIN, summary: 'Add a price (effective from a date; never reprices the past)', tag: 'pricing', body: priceCreateSchema, response: priceSchema, status: 201 },
  // Reports
  { id: 'reports.spend', method: 'GET', path: '/v1/reports/spend', roles: ALL, summary: 'Spend and savings from the daily rollups', tag: 'reports', query: spendQuerySchema, response: spendReportSchema, status: 200 },
  { id: 'reports.spendCsv', method: 'GET', path: '/v1/reports/spend.csv', roles: ALL, summary: 'The spend report as CSV', tag: 'reports', query: spendQuerySchema, status: 200, produces: 'text/csv' },
  // Explain and audit
  { id: 'explain.get', method: 'GET', path: '/v1/explain', roles: TEAM_OWNERS, summary: 'Which policy and budgets apply to a team and model, and why', tag: 'explain', query: explainQuerySchema, status: 200 },
  { id: 'audit.list', method: 'GET', path: '/v1/audit', roles: TEAM_OWNERS, summary: 'Every change: who, what, before/after (team-admins: their teams)', tag: 'audit', query: auditQuerySchema, response: list(auditEntrySchema), status: 200 },
  // Users and admin tokens
  { id: 'users.create', method: 'POST', path: '/v1/users', roles: ADMIN, summary: 'Create a user with a role', tag: 'users', body: userCreateSchema, response: userSchema, status: 201 },
  { id: 'users.list', method: 'GET', path: '/v1/users', roles: ADMIN, summary: 'List users and roles', tag: 'users', response: list(userSchema), status: 200 },
  { id: 'tokens.create', method: 'POST', path: '/v1/users/{id}/tokens', roles: ADMIN, summary: 'Issue an admin API token for a user (shown once)', tag: 'users', body: tokenCreateSchema, response: tokenCreatedSchema, status: 201 },
  { id: 'tokens.revoke', method: 'DELETE', path: '/v1/tokens/{id}', roles: ADMIN, summary: 'Revoke an admin API token', tag: 'users', response: deleted, status: 200 },
  // Public
  { id: 'meta.openapi', method: 'GET', path: '/openapi.json', roles: 'public', summary: 'This OpenAPI document', tag: 'meta', status: 200 },
  { id: 'meta.docs', method: 'GET', path: '/docs', roles: 'public', summary: 'Interactive API docs', tag: 'meta', status: 200, produces: 'text/html' },
  { id: 'meta.health', method: 'GET', path: '/healthz', roles: 'public', summary: 'Liveness', tag: 'meta', status: 200 },
  { id: 'meta.ready', method: 'GET', path: '/readyz', roles: 'public', summary: 'Readiness (database reachable)', tag: 'meta', status: 200 },
];

export const ROUTES: ReadonlyMap<string, RouteSpec> = new Map(specs.map((s) => [s.id, s]));

export function routeSpec(id: string): RouteSpec {
  const spec = ROUTES.get(id);
  if (!spec) throw new Error(`no route declared with id ${id}`);
  return spec;
}

/** `/v1/teams/{id}` → `/v1/teams/:id` (Nest / Fastify form). */
export function toNestPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
