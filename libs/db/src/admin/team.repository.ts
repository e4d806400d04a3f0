import { randomUUID } from 'node:crypto';
import type { TeamView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { translateConstraint } from './admin-errors';
import { iso, type Visibility } from './scope';

interface TeamRow {
  id: string;
  slug: string;
  name: string;
  disabled_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'id, slug, name, disabled_at, created_at, updated_at';

function toView(r: TeamRow): TeamView {
  return { id: r.id, slug: r.slug, name: r.name, disabled: r.disabled_at !== null, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) };
}

/** Derive a slug from a team name (`Payments Team` → `payments-team`). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'team';
}

export class TeamRepository {
  constructor(private readonly q: SqlQueryable) {}

  async create(input: { name: string; slug?: string | undefined }): Promise<TeamView> {
    const { rows } = await translateConstraint(`team slug "${input.slug ?? slugify(input.name)}"`, () =>
      this.q.query<TeamRow>(
        `INSERT INTO "teams" (id, slug, name, updated_at) VALUES ($1, $2, $3, now()) RETURNING ${COLUMNS}`,
        [randomUUID(), input.slug ?? slugify(input.name), input.name],
      ),
    );
    return toView(rows[0]!);
  }

  async findById(id: string): Promise<TeamView | null> {
    const { rows } = await this.q.query<TeamRow>(`SELECT ${COLUMNS} FROM "teams" WHERE id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async list(visibility: Visibility): Promise<TeamView[]> {
    const { rows } =
      visibility.kind === 'all'
        ? await this.q.query<TeamRow>(`SELECT ${COLUMNS} FROM "teams" ORDER BY created_at, id`)
        : await this.q.query<TeamRow>(`SELECT ${COLUMNS} FROM "teams" WHERE id = ANY($1::text[]) ORDER BY created_at, id`, [
            visibility.teamIds,
          ]);
    return rows.map(toView);
  }

  async update(id: string, patch: { name?: string | undefined; disabled?: boolean | undefined }): Promise<TeamView | null> {
    const { rows } = await this.q.query<TeamRow>(
      `UPDATE "teams" SET name = COALESCE($2, name),
              disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at
                                 WHEN $3::boolean THEN COALESCE(disabled_at, now()) ELSE NULL END,
              updated_at = now()
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.disabled ?? null],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async delete(id: string): Promise<TeamView | null> {
    const { rows } = await this.q.query<TeamRow>(`DELETE FROM "teams" WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }
}
