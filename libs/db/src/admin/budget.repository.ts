import { randomUUID } from 'node:crypto';
import type { BudgetCreate, BudgetModeName, BudgetPeriodName, BudgetUpdate, BudgetView, CompressionModeName } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { translateConstraint } from './admin-errors';
import { iso, type TeamScope, type Visibility } from './scope';

interface BudgetRow {
  id: string;
  team_id: string;
  model_pattern: string | null;
  period: BudgetPeriodName;
  timezone: string;
  limit_usd: string | null;
  soft_limit_usd: string | null;
  mode: BudgetModeName;
  alert_thresholds: number[] | null;
  webhook_url: string | null;
  soft_compression: CompressionModeName | null;
  on_redis_loss: 'open' | 'closed';
  enabled: boolean;
  created_at: unknown;
  updated_at: unknown;
}

/*
 * The limit is stored in `limit_usd` for hard budgets and `soft_limit_usd` for soft ones (the ledger
 * schema's columns), with `mode` (migration 20261203120000_admin_budgets) saying which applies.
 */
const COLUMNS = `id, team_id, model_pattern, period, timezone, limit_usd::text AS limit_usd, soft_limit_usd::text AS soft_limit_usd,
  mode, alert_thresholds, webhook_url, soft_compression, on_redis_loss, enabled, created_at, updated_at`;

function toView(r: BudgetRow): BudgetView {
  return {
    id: r.id,
    teamId: r.team_id,
    modelPattern: r.model_pattern,
    period: r.period,
    timezone: r.timezone,
    limitUsd: (r.mode === 'hard' ? r.limit_usd : r.soft_limit_usd) ?? r.limit_usd ?? r.soft_limit_usd ?? '0',
    mode: r.mode,
    alertThresholds: (r.alert_thresholds ?? []).map(Number),
    webhookUrl: r.webhook_url,
    softCompression: r.soft_compression,
    onRedisLoss: r.on_redis_loss,
    enabled: r.enabled,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

type BudgetFields = Omit<BudgetView, 'id' | 'teamId' | 'createdAt' | 'updatedAt'>;

function params(f: BudgetFields): unknown[] {
  return [
    f.modelPattern,
    f.period,
    f.timezone,
    f.mode === 'hard' ? f.limitUsd : null,
    f.mode === 'soft' ? f.limitUsd : null,
    f.mode,
    f.alertThresholds,
    f.webhookUrl,
    f.softCompression,
    f.onRedisLoss,
    f.enabled,
  ];
}

export class BudgetRepository {
  constructor(private readonly q: SqlQueryable) {}

  async create(input: BudgetCreate): Promise<BudgetView> {
    const fields: BudgetFields = {
      modelPattern: input.modelPattern ?? null,
      period: input.period,
      timezone: input.timezone ?? 'UTC',
      limitUsd: input.limitUsd,
      mode: input.mode,
      alertThresholds: input.alertThresholds ?? [],
      webhookUrl: input.webhookUrl ?? null,
      softCompression: input.softCompression ?? null,
      onRedisLoss: input.onRedisLoss ?? 'open',
      enabled: input.enabled ?? true,
    };
    const { rows } = await translateConstraint('budget', () =>
      this.q.query<BudgetRow>(
        `INSERT INTO "budgets" (id, team_id, model_pattern, period, timezone, limit_usd, soft_limit_usd, mode, alert_thresholds,
                                webhook_url, soft_compression, on_redis_loss, enabled, updated_at)
         VALUES ($1, $2, $3, $4::"BudgetPeriod", $5, $6::numeric, $7::numeric, $8::"BudgetMode", $9::integer[], $10,
                 $11::"CompressionMode", $12::"BudgetFailMode", $13, now())
         RETURNING ${COLUMNS}`,
        [randomUUID(), input.teamId, ...params(fields)],
      ),
    );
    return toView(rows[0]!);
  }

  async findById(id: string): Promise<BudgetView | null> {
    const { rows } = await this.q.query<BudgetRow>(`SELECT ${COLUMNS} FROM "budgets" WHERE id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async list(visibility: Visibility, filter: { teamId?: string | undefined } = {}): Promise<BudgetView[]> {
    const teams = visibility.kind === 'all' ? null : visibility.teamIds;
    const { rows } = await this.q.query<BudgetRow>(
      `SELECT ${COLUMNS} FROM "budgets"
        WHERE ($1::text[] IS NULL OR team_id = ANY($1::text[])) AND ($2::text IS NULL OR team_id = $2)
        ORDER BY team_id, created_at, id`,
      [teams, filter.teamId ?? null],
    );
    return rows.map(toView);
  }

  async listForTeam(scope: TeamScope): Promise<BudgetView[]> {
    return this.list({ kind: 'all' }, { teamId: scope.teamId });
  }

  async update(id: string, patch: BudgetUpdate): Promise<BudgetView | null> {
    const current = await this.findById(id);
    if (!current) return null;
    const fields: BudgetFields = {
      modelPattern: patch.modelPattern === undefined ? current.modelPattern : patch.modelPattern,
      period: patch.period ?? current.period,
      timezone: patch.timezone ?? current.timezone,
      limitUsd: patch.limitUsd ?? current.limitUsd,
      mode: patch.mode ?? current.mode,
      alertThresholds: patch.alertThresholds ?? current.alertThresholds,
      webhookUrl: patch.webhookUrl === undefined ? current.webhookUrl : patch.webhookUrl,
      softCompression: patch.softCompression === undefined ? current.softCompression : patch.softCompression,
      onRedisLoss: patch.onRedisLoss ?? current.onRedisLoss,
      enabled: patch.enabled ?? current.enabled,
    };
    const { rows } = await this.q.query<BudgetRow>(
      `UPDATE "budgets" SET model_pattern = $2, period = $3::"BudgetPeriod", timezone = $4, limit_usd = $5::numeric,
              soft_limit_usd = $6::numeric, mode = $7::"BudgetMode", alert_thresholds = $8::integer[], webhook_url = $9,
              soft_compression = $10::"CompressionMode", on_redis_loss = $11::"BudgetFailMode", enabled = $12, updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...params(fields)],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async delete(id: string): Promise<BudgetView | null> {
    const { rows } = await this.q.query<BudgetRow>(`DELETE FROM "budgets" WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }
}
