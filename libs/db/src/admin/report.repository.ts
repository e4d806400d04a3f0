import type { SpendRow } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import type { Visibility } from './scope';

export type SpendGroup = 'team' | 'model' | 'provider' | 'day';

const GROUP_COLUMNS: Record<SpendGroup, { sql: string; field: 'teamId' | 'model' | 'provider' | 'day' }> = {
  team: { sql: 'team_id', field: 'teamId' },
  model: { sql: 'model', field: 'model' },
  provider: { sql: 'provider', field: 'provider' },
  day: { sql: "to_char(day, 'YYYY-MM-DD')", field: 'day' },
};

const COUNTS = [
  ['requests', 'requests'],
  ['errorRequests', 'error_requests'],
  ['unpricedRequests', 'unpriced_requests'],
  ['estimatedRequests', 'estimated_requests'],
  ['inputTokens', 'input_tokens'],
  ['cacheReadTokens', 'cache_read_tokens'],
  ['cacheWrite5mTokens', 'cache_write_5m_tokens'],
  ['cacheWrite1hTokens', 'cache_write_1h_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['tokensBefore', 'tokens_before'],
  ['tokensAfter', 'tokens_after'],
] as const;

const MONEY = [
  ['billedUsd', 'billed_usd'],
  ['counterfactualUsd', 'counterfactual_usd'],
  ['savingsCompressionUsd', 'savings_compression_usd'],
  ['savingsCacheReadUsd', 'savings_cache_read_usd'],
  ['cacheWritePremiumUsd', 'cache_write_premium_usd'],
  ['savingsTotalUsd', 'savings_total_usd'],
] as const;

/** Spend and savings from the daily rollups (never the raw request log). */
export class ReportRepository {
  constructor(private readonly q: SqlQueryable) {}

  async spend(
    visibility: Visibility,
    query: { from: string; to: string; groupBy: readonly SpendGroup[]; teamId?: string | undefined },
  ): Promise<SpendRow[]> {
    const groups = query.groupBy.map((g) => GROUP_COLUMNS[g]);
    const select = [
      ...groups.map((g, i) => `${g.sql} AS g${i}`),
      ...COUNTS.map(([, col]) => `COALESCE(SUM(${col}), 0)::text AS ${col}`),
      ...MONEY.map(([, col]) => `COALESCE(SUM(${col}), 0)::text AS ${col}`),
    ].join(', ');
    const groupClause = groups.length > 0 ? `GROUP BY ${groups.map((_, i) => `g${i}`).join(', ')} ORDER BY ${groups.map((_, i) => `g${i}`).join(', ')}` : '';
    const teams = visibility.kind === 'all' ? null : visibility.teamIds;
    const { rows } = await this.q.query<Record<string, string | null>>(
      `SELECT ${select} FROM "daily_rollups"
        WHERE day >= $1::date AND day <= $2::date
          AND ($3::text[] IS NULL OR team_id = ANY($3::text[]))
          AND ($4::text IS NULL OR team_id = $4)
        ${groupClause}`,
      [query.from, query.to, teams, query.teamId ?? null],
    );
    return rows
      .filter((r) => groups.length > 0 || Number(r['requests']) > 0 || r['billed_usd'] !== '0')
      .map((r) => {
        const row: Record<string, unknown> = {};
        groups.forEach((g, i) => (row[g.field] = r[`g${i}`]));
        for (const [field, col] of COUNTS) row[field] = Number(r[col] ?? 0);
        for (const [field, col] of MONEY) row[field] = r[col] ?? '0';
        return row as SpendRow;
      });
  }
}
