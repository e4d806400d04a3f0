/**
 * Tenant scoping types (STYLE.md: "types that force a tenant id on every query"). Team-scoped
 * repository methods take a `TeamScope`, which only `teamScope()` creates; list queries over several
 * teams take a `Visibility` — every team (admin, finance) or an explicit set (team-admin).
 */
declare const teamScopeBrand: unique symbol;

export interface TeamScope {
  readonly teamId: string;
  readonly [teamScopeBrand]: true;
}

export function teamScope(teamId: string): TeamScope {
  if (teamId.length === 0) throw new Error('team scope needs a team id');
  return { teamId } as TeamScope;
}

export type Visibility = { readonly kind: 'all' } | { readonly kind: 'teams'; readonly teamIds: readonly string[] };

export const ALL_TEAMS: Visibility = Object.freeze({ kind: 'all' });

export function onlyTeams(teamIds: readonly string[]): Visibility {
  return Object.freeze({ kind: 'teams', teamIds: Object.freeze([...teamIds]) });
}

export function canSeeTeam(visibility: Visibility, teamId: string | null): boolean {
  if (visibility.kind === 'all') return true;
  return teamId !== null && visibility.teamIds.includes(teamId);
}

/** Instant or null → ISO string or null (pg and PGlite both return Date for timestamptz). */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
  throw new TypeError(`not a timestamp: ${typeof value}`);
}

export function iso(value: unknown): string {
  return isoOrNull(value) ?? '';
}
