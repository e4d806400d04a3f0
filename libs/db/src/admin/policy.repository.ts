import { randomUUID } from 'node:crypto';
import type { CompressionModeName, PolicyCreate, PolicyUpdate, PolicyView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { translateConstraint } from './admin-errors';
import { iso, type TeamScope, type Visibility } from './scope';

interface PolicyRow {
  id: string;
  team_id: string | null;
  model_pattern: string | null;
  mode: CompressionModeName;
  settings: unknown;
  priority: number;
  enabled: boolean;
  version: number;
  created_at: unknown;
  updated_at: unknown;
}

/** Knobs kept in `policies.settings` (JSON). */
interface PolicySettings {
  shadow: boolean;
  retrieval: boolean;
  cachePlanner: boolean;
  excludedTools: string[];
}

const COLUMNS = 'id, team_id, model_pattern, mode, settings, priority, enabled, version, created_at, updated_at';

function readSettings(raw: unknown): PolicySettings {
  const s = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Partial<PolicySettings>;
  return {
    shadow: s.shadow === true,
    retrieval: s.retrieval !== false,
    cachePlanner: s.cachePlanner !== false,
    excludedTools: Array.isArray(s.excludedTools) ? s.excludedTools.filter((t): t is string => typeof t === 'string') : [],
  };
}

function toView(r: PolicyRow): PolicyView {
  return {
    id: r.id,
    teamId: r.team_id,
    modelPattern: r.model_pattern,
    compression: r.mode,
    ...readSettings(r.settings),
    priority: r.priority,
    enabled: r.enabled,
    version: r.version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export class PolicyRepository {
  constructor(private readonly q: SqlQueryable) {}

  async create(input: PolicyCreate): Promise<PolicyView> {
    const settings: PolicySettings = {
      shadow: input.shadow ?? false,
      retrieval: input.retrieval ?? true,
      cachePlanner: input.cachePlanner ?? true,
      excludedTools: input.excludedTools ?? [],
    };
    const { rows } = await translateConstraint('policy', () =>
      this.q.query<PolicyRow>(
        `INSERT INTO "policies" (id, team_id, model_pattern, mode, settings, priority, enabled, updated_at)
         VALUES ($1, $2, $3, $4::"CompressionMode", $5::jsonb, $6, $7, now()) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          input.teamId ?? null,
          input.modelPattern ?? null,
          input.compression,
          JSON.stringify(settings),
          input.priority ?? 0,
          input.enabled ?? true,
        ],
      ),
    );
    return toView(rows[0]!);
  }

  async findById(id: string): Promise<PolicyView | null> {
    const { rows } = await this.q.query<PolicyRow>(`SELECT ${COLUMNS} FROM "policies" WHERE id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Policies visible to a caller: all of them, or those of the given teams plus the org-wide defaults. */
  async list(visibility: Visibility, filter: { teamId?: string | undefined } = {}): Promise<PolicyView[]> {
    const teams = visibility.kind === 'all' ? null : visibility.teamIds;
    const { rows } = await this.q.query<PolicyRow>(
      `SELECT ${COLUMNS} FROM "policies"
        WHERE ($1::text[] IS NULL OR team_id IS NULL OR team_id = ANY($1::text[]))
          AND ($2::text IS NULL OR team_id = $2 OR team_id IS NULL)
        ORDER BY team_id NULLS FIRST, model_pattern NULLS FIRST, created_at, id`,
      [teams, filter.teamId ?? null],
    );
    return rows.map(toView);
  }

  /** Everything that can govern the team's requests: its own policies and the org-wide defaults. */
  async listForTeam(scope: TeamScope): Promise<PolicyView[]> {
    const { rows } = await this.q.query<PolicyRow>(
      `SELECT ${COLUMNS} FROM "policies" WHERE team_id IS NULL OR team_id = $1 ORDER BY created_at, id`,
      [scope.teamId],
    );
    return rows.map(toView);
  }

  async update(id: string, patch: PolicyUpdate): Promise<PolicyView | null> {
    const current = await this.findById(id);
    if (!current) return null;
    const settings: PolicySettings = {
      shadow: patch.shadow ?? current.shadow,
      retrieval: patch.retrieval ?? current.retrieval,
      cachePlanner: patch.cachePlanner ?? current.cachePlanner,
      excludedTools: patch.excludedTools ?? current.excludedTools,
    };
    const { rows } = await this.q.query<PolicyRow>(
      `UPDATE "policies" SET model_pattern = $2, mode = $3::"CompressionMode", settings = $4::jsonb, priority = $5,
              enabled = $6, version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        patch.modelPattern === undefined ? current.modelPattern : patch.modelPattern,
        patch.compression ?? current.compression,
        JSON.stringify(settings),
        patch.priority ?? current.priority,
        patch.enabled ?? current.enabled,
      ],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async delete(id: string): Promise<PolicyView | null> {
    const { rows } = await this.q.query<PolicyRow>(`DELETE FROM "policies" WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }
}
