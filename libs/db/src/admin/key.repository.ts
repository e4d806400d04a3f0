import { randomUUID } from 'node:crypto';
import type { KeyView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { iso, isoOrNull, type TeamScope } from './scope';
import { issueVirtualKey } from './secrets';

interface KeyRow {
  id: string;
  team_id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
  last_used_at: unknown;
}

const COLUMNS = 'id, team_id, name, prefix, hash, created_at, expires_at, revoked_at, last_used_at';

function toView(r: KeyRow): KeyView {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    prefix: r.prefix,
    createdAt: iso(r.created_at),
    expiresAt: isoOrNull(r.expires_at),
    revokedAt: isoOrNull(r.revoked_at),
    lastUsedAt: isoOrNull(r.last_used_at),
  };
}

/** A virtual key as the proxy needs it. */
export interface ActiveVirtualKey {
  readonly id: string;
  readonly teamId: string;
  readonly credentialId: string | null;
  readonly expiresAt: Date | null;
}

/** Virtual keys. Every method but the proxy's hash lookup is scoped to one team. */
export class KeyRepository {
  constructor(private readonly q: SqlQueryable) {}

  /** Issue a key: the returned `key` is the only copy of the secret. */
  async create(
    scope: TeamScope,
    input: { name: string; expiresAt?: string | undefined; createdBy: string | null },
  ): Promise<{ view: KeyView; key: string }> {
    const issued = issueVirtualKey();
    const { rows } = await this.q.query<KeyRow>(
      `INSERT INTO "api_keys" (id, team_id, name, prefix, hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [randomUUID(), scope.teamId, input.name, issued.prefix, issued.hash, input.createdBy, input.expiresAt ?? null],
    );
    return { view: toView(rows[0]!), key: issued.secret };
  }

  async list(scope: TeamScope): Promise<KeyView[]> {
    const { rows } = await this.q.query<KeyRow>(`SELECT ${COLUMNS} FROM "api_keys" WHERE team_id = $1 ORDER BY created_at, id`, [
      scope.teamId,
    ]);
    return rows.map(toView);
  }

  /** Revoke (idempotent); null when the key is not this team's. Returns the hash for cache invalidation. */
  async revoke(scope: TeamScope, keyId: string): Promise<{ before: KeyView; after: KeyView; hash: string } | null> {
    const { rows: found } = await this.q.query<KeyRow>(`SELECT ${COLUMNS} FROM "api_keys" WHERE id = $1 AND team_id = $2`, [
      keyId,
      scope.teamId,
    ]);
    if (!found[0]) return null;
    const { rows } = await this.q.query<KeyRow>(
      `UPDATE "api_keys" SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND team_id = $2 RETURNING ${COLUMNS}`,
      [keyId, scope.teamId],
    );
    return { before: toView(found[0]), after: toView(rows[0]!), hash: found[0].hash };
  }

  /** Proxy lookup: the key with this hash if it is neither revoked nor expired at `at`. */
  async findActiveByHash(hash: string, at: Date): Promise<ActiveVirtualKey | null> {
    const { rows } = await this.q.query<{ id: string; team_id: string; credential_id: string | null; expires_at: unknown }>(
      `SELECT k.id, k.team_id, k.credential_id, k.expires_at
         FROM "api_keys" k JOIN "teams" t ON t.id = k.team_id
        WHERE k.hash = $1 AND k.revoked_at IS NULL AND t.disabled_at IS NULL
          AND (k.expires_at IS NULL OR k.expires_at > $2)`,
      [hash, at.toISOString()],
    );
    const r = rows[0];
    if (!r) return null;
    const expires = isoOrNull(r.expires_at);
    return { id: r.id, teamId: r.team_id, credentialId: r.credential_id, expiresAt: expires ? new Date(expires) : null };
  }
}
