import type { AuditEntryView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { iso, type Visibility } from './scope';

export interface AuditRecord {
  readonly actorType: 'user' | 'bootstrap' | 'system';
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly teamId: string | null;
  readonly requestId: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

interface AuditRow {
  id: string;
  at: unknown;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  team_id: string | null;
  request_id: string | null;
  details: unknown;
}

function toView(r: AuditRow): AuditEntryView {
  const details = (typeof r.details === 'string' ? JSON.parse(r.details) : (r.details ?? {})) as { before?: unknown; after?: unknown };
  return {
    id: String(r.id),
    at: iso(r.at),
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    teamId: r.team_id,
    requestId: r.request_id,
    before: details.before ?? null,
    after: details.after ?? null,
  };
}

/** Append-only audit log: write in the same transaction as the change. */
export class AuditRepository {
  constructor(private readonly q: SqlQueryable) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO "audit_log" (actor_type, actor_id, action, target_type, target_id, team_id, request_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.targetType,
        entry.targetId,
        entry.teamId,
        entry.requestId,
        JSON.stringify({ before: entry.before ?? null, after: entry.after ?? null }),
      ],
    );
  }

  /** Newest first. A team-scoped caller sees only entries of its teams (never org-wide or other teams'). */
  async list(
    visibility: Visibility,
    query: { teamId?: string | undefined; targetType?: string | undefined; limit?: number | undefined; before?: string | undefined },
  ): Promise<AuditEntryView[]> {
    const teams = visibility.kind === 'all' ? null : visibility.teamIds;
    const { rows } = await this.q.query<AuditRow>(
      `SELECT id::text AS id, at, actor_type, actor_id, action, target_type, target_id, team_id, request_id, details
         FROM "audit_log"
        WHERE ($1::text[] IS NULL OR team_id = ANY($1::text[]))
          AND ($2::text IS NULL OR team_id = $2)
          AND ($3::text IS NULL OR target_type = $3)
          AND ($4::bigint IS NULL OR id < $4::bigint)
        ORDER BY id DESC LIMIT $5`,
      [teams, query.teamId ?? null, query.targetType ?? null, query.before ?? null, query.limit ?? 100],
    );
    return rows.map(toView);
  }
}
