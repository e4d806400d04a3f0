import { randomUUID } from 'node:crypto';
import type { CredentialView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { iso, isoOrNull, type TeamScope } from './scope';

interface CredentialRow {
  id: string;
  team_id: string | null;
  provider: string;
  name: string;
  key_hint: string;
  created_at: unknown;
  rotated_at: unknown;
}

const COLUMNS = 'id, team_id, provider, name, key_hint, created_at, rotated_at';

function toView(r: CredentialRow): CredentialView {
  return {
    id: r.id,
    teamId: r.team_id,
    provider: r.provider,
    name: r.name,
    keyHint: r.key_hint,
    createdAt: iso(r.created_at),
    rotatedAt: isoOrNull(r.rotated_at),
  };
}

/** A team's provider credentials (ciphertext only; encryption happens in `secrets.ts`). */
export class CredentialRepository {
  constructor(private readonly q: SqlQueryable) {}

  /** Store the team's credential for a provider, replacing (rotating) the active one. */
  async put(
    scope: TeamScope,
    provider: string,
    input: { name: string; encrypted: Buffer; keyHint: string },
  ): Promise<{ before: CredentialView | null; after: CredentialView }> {
    const { rows: existing } = await this.q.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM "provider_credentials" WHERE team_id = $1 AND provider = $2 AND revoked_at IS NULL
        ORDER BY created_at DESC LIMIT 1`,
      [scope.teamId, provider],
    );
    const before = existing[0] ? toView(existing[0]) : null;
    if (before) {
      const { rows } = await this.q.query<CredentialRow>(
        `UPDATE "provider_credentials" SET encrypted = $3, key_hint = $4, name = $5, rotated_at = now()
          WHERE id = $1 AND team_id = $2 RETURNING ${COLUMNS}`,
        [before.id, scope.teamId, input.encrypted, input.keyHint, input.name],
      );
      return { before, after: toView(rows[0]!) };
    }
    const { rows } = await this.q.query<CredentialRow>(
      `INSERT INTO "provider_credentials" (id, team_id, provider, name, encrypted, key_hint)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [randomUUID(), scope.teamId, provider, input.name, input.encrypted, input.keyHint],
    );
    return { before: null, after: toView(rows[0]!) };
  }

  async list(scope: TeamScope): Promise<CredentialView[]> {
    const { rows } = await this.q.query<CredentialRow>(
      `SELECT ${COLUMNS} FROM "provider_credentials" WHERE team_id = $1 AND revoked_at IS NULL ORDER BY provider, created_at`,
      [scope.teamId],
    );
    return rows.map(toView);
  }

  async revoke(scope: TeamScope, provider: string): Promise<CredentialView | null> {
    const { rows } = await this.q.query<CredentialRow>(
      `UPDATE "provider_credentials" SET revoked_at = now() WHERE team_id = $1 AND provider = $2 AND revoked_at IS NULL
       RETURNING ${COLUMNS}`,
      [scope.teamId, provider],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Proxy: the team's active ciphertext for a provider (decrypt with `decryptCredential`). */
  async findActive(scope: TeamScope, provider: string): Promise<{ id: string; encrypted: Uint8Array } | null> {
    const { rows } = await this.q.query<{ id: string; encrypted: Uint8Array }>(
      `SELECT id, encrypted FROM "provider_credentials" WHERE team_id = $1 AND provider = $2 AND revoked_at IS NULL
        ORDER BY created_at DESC LIMIT 1`,
      [scope.teamId, provider],
    );
    return rows[0] ?? null;
  }
}
