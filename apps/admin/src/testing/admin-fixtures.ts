/** Test fixtures: two teams, and a user token per role (finance, team-admin of A, team-admin of B). */
import type { AdminHarness } from './admin-harness';

export interface AdminFixtures {
  readonly teamA: string;
  readonly teamB: string;
  readonly tokens: { readonly finance: string; readonly teamAdminA: string; readonly teamAdminB: string };
}

async function userToken(h: AdminHarness, email: string, role: string, teamId?: string): Promise<string> {
  const user = await h.admin('POST', '/v1/users', { email, role, ...(teamId ? { teamId } : {}) });
  const token = await h.admin('POST', `/v1/users/${user.id}/tokens`, { name: `${role} token` });
  return token.token as string;
}

export async function createFixtures(h: AdminHarness, label = 'fx'): Promise<AdminFixtures> {
  const a = await h.admin('POST', '/v1/teams', { name: `${label} Team A` });
  const b = await h.admin('POST', '/v1/teams', { name: `${label} Team B` });
  return {
    teamA: a.id,
    teamB: b.id,
    tokens: {
      finance: await userToken(h, `${label}-finance@example.com`, 'finance'),
      teamAdminA: await userToken(h, `${label}-ta-a@example.com`, 'team-admin', a.id),
      teamAdminB: await userToken(h, `${label}-ta-b@example.com`, 'team-admin', b.id),
    },
  };
}

/** One day of rollups for a team/model (written as ingestion would). */
export async function insertRollup(
  h: AdminHarness,
  row: { day: string; teamId: string; provider: string; model: string; requests: number; inputTokens: number; outputTokens: number; billedUsd: string; savingsTotalUsd: string },
): Promise<void> {
  await h.database.sql.query(
    `INSERT INTO "daily_rollups" (day, team_id, provider, model, requests, complete_requests, input_tokens, output_tokens,
                                  billed_usd, billed_known_usd, counterfactual_usd, savings_compression_usd, savings_total_usd)
     VALUES ($1::date, $2, $3, $4, $5, $5, $6, $7, $8::numeric, $8::numeric, $8::numeric + $9::numeric, $9::numeric, $9::numeric)`,
    [row.day, row.teamId, row.provider, row.model, row.requests, row.inputTokens, row.outputTokens, row.billedUsd, row.savingsTotalUsd],
  );
}
