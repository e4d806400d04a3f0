import { ALL_TEAMS, onlyTeams, type RoleGrant, type Visibility } from '@leeway/db';
import type { AdminRole } from '@leeway/contracts';
import type { RouteSpec } from '../http/routes';

/** The authenticated caller. */
export interface Principal {
  readonly actorType: 'bootstrap' | 'user';
  readonly actorId: string | null;
  readonly roles: readonly RoleGrant[];
}

/** What the caller may see and change on the current route (computed by the guard). */
export interface Access {
  readonly principal: Principal;
  readonly requestId: string;
  /** `all` when a global role (admin, or finance on a route allowing it) grants the route. */
  readonly visibility: Visibility;
  readonly isAdmin: boolean;
}

export function hasRole(p: Principal, role: AdminRole): boolean {
  return p.roles.some((r) => r.role === role);
}

/** Teams a principal administers as team-admin. */
export function ownTeams(p: Principal): string[] {
  return p.roles.filter((r) => r.role === 'team-admin' && r.teamId !== null).map((r) => r.teamId!);
}

/** Null when the principal may not use the route at all. */
export function accessFor(p: Principal, spec: RouteSpec, requestId: string): Access | null {
  if (spec.roles === 'public') return null;
  const allowed = spec.roles;
  const isAdmin = hasRole(p, 'admin') && allowed.includes('admin');
  const global = isAdmin || (hasRole(p, 'finance') && allowed.includes('finance'));
  if (global) return { principal: p, requestId, visibility: ALL_TEAMS, isAdmin };
  const teams = allowed.includes('team-admin') ? ownTeams(p) : [];
  if (teams.length === 0) return null;
  return { principal: p, requestId, visibility: onlyTeams(teams), isAdmin: false };
}
