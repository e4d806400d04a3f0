import { randomUUID } from 'node:crypto';
import type { AdminRole, UserView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { translateConstraint } from './admin-errors';
import { iso, isoOrNull } from './scope';
import { issueAdminToken } from './secrets';

type DbRole = 'admin' | 'finance' | 'team_admin';
const toDbRole = (r: AdminRole): DbRole => (r === 'team-admin' ? 'team_admin' : r);
const fromDbRole = (r: DbRole): AdminRole => (r === 'team_admin' ? 'team-admin' : r);

export interface RoleGrant {
  readonly role: AdminRole;
  readonly teamId: string | null;
}

/** Who an admin token belongs to and what it may do. */
export interface TokenPrincipal {
  readonly userId: string;
  readonly tokenId: string;
  readonly email: string;
  readonly roles: readonly RoleGrant[];
}

interface UserRow {
  id: string;
  email: string;
  display_name: string | null;
  created_at: unknown;
}

export class UserRepository {
  constructor(private readonly q: SqlQueryable) {}

  /** Create a user with one role (call inside a transaction). */
  async create(input: { email: string; displayName?: string | undefined; role: AdminRole; teamId?: string | undefined }): Promise<UserView> {
    const id = randomUUID();
    const { rows } = await translateConstraint(`user ${input.email}`, () =>
      this.q.query<UserRow>(
        `INSERT INTO "users" (id, email, display_name) VALUES ($1, $2, $3) RETURNING id, email, display_name, created_at`,
        [id, input.email.toLowerCase(), input.displayName ?? null],
      ),
    );
    await translateConstraint('role binding', () =>
      this.q.query(`INSERT INTO "role_bindings" (id, user_id, role, team_id) VALUES ($1, $2, $3::"Role", $4)`, [
        randomUUID(),
        id,
        toDbRole(input.role),
        input.teamId ?? null,
      ]),
    );
    const r = rows[0]!;
    return { id: r.id, email: r.email, displayName: r.display_name, createdAt: iso(r.created_at), roles: [{ role: input.role, teamId: input.teamId ?? null }] };
  }

  async list(): Promise<UserView[]> {
    const { rows } = await this.q.query<UserRow & { role: DbRole | null; team_id: string | null }>(
      `SELECT u.id, u.email, u.display_name, u.created_at, b.role, b.team_id
         FROM "users" u LEFT JOIN "role_bindings" b ON b.user_id = u.id
        WHERE u.disabled_at IS NULL ORDER BY u.created_at, u.id, b.created_at`,
    );
    const users = new Map<string, UserView & { roles: RoleGrant[] }>();
    for (const r of rows) {
      let u = users.get(r.id);
      if (!u) {
        u = { id: r.id, email: r.email, displayName: r.display_name, createdAt: iso(r.created_at), roles: [] };
        users.set(r.id, u);
      }
      if (r.role) u.roles.push({ role: fromDbRole(r.role), teamId: r.team_id });
    }
    return [...users.values()];
  }

  async exists(userId: string): Promise<boolean> {
    const { rows } = await this.q.query(`SELECT 1 FROM "users" WHERE id = $1 AND disabled_at IS NULL`, [userId]);
    return rows.length > 0;
  }

  async createToken(userId: string, input: { name: string; expiresAt?: string | undefined }): Promise<{ id: string; token: string; prefix: string; expiresAt: string | null }> {
    const issued = issueAdminToken();
    const id = randomUUID();
    const { rows } = await this.q.query<{ expires_at: unknown }>(
      `INSERT INTO "admin_tokens" (id, user_id, name, prefix, hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING expires_at`,
      [id, userId, input.name, issued.prefix, issued.hash, input.expiresAt ?? null],
    );
    return { id, token: issued.secret, prefix: issued.prefix, expiresAt: isoOrNull(rows[0]?.expires_at) };
  }

  async revokeToken(tokenId: string): Promise<{ id: string; userId: string } | null> {
    const { rows } = await this.q.query<{ id: string; user_id: string }>(
      `UPDATE "admin_tokens" SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id, user_id`,
      [tokenId],
    );
    return rows[0] ? { id: rows[0].id, userId: rows[0].user_id } : null;
  }

  /** Authenticate: the principal of an unrevoked, unexpired token of an enabled user. */
  async findPrincipalByTokenHash(hash: string, at: Date): Promise<TokenPrincipal | null> {
    const { rows } = await this.q.query<{ token_id: string; user_id: string; email: string; role: DbRole | null; team_id: string | null }>(
      `SELECT t.id AS token_id, u.id AS user_id, u.email, b.role, b.team_id
         FROM "admin_tokens" t
         JOIN "users" u ON u.id = t.user_id
         LEFT JOIN "role_bindings" b ON b.user_id = u.id
        WHERE t.hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
          AND (t.expires_at IS NULL OR t.expires_at > $2)`,
      [hash, at.toISOString()],
    );
    const first = rows[0];
    if (!first) return null;
    return {
      userId: first.user_id,
      tokenId: first.token_id,
      email: first.email,
      roles: rows.filter((r) => r.role !== null).map((r) => ({ role: fromDbRole(r.role!), teamId: r.team_id })),
    };
  }
}
