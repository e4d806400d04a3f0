import { randomUUID } from 'node:crypto';
import type { PriceCreate, PriceView } from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';
import { translateConstraint } from './admin-errors';
import { iso } from './scope';

interface PriceRow {
  id: string;
  provider: string;
  model_pattern: string;
  effective_from: unknown;
  input_per_mtok: string;
  output_per_mtok: string;
  cache_write_5m_per_mtok: string | null;
  cache_write_1h_per_mtok: string | null;
  cache_read_per_mtok: string | null;
  reasoning_per_mtok: string | null;
  source: string;
  created_at: unknown;
}

const COLUMNS = `id, provider, model_pattern, effective_from, input_per_mtok::text AS input_per_mtok, output_per_mtok::text AS output_per_mtok,
  cache_write_5m_per_mtok::text AS cache_write_5m_per_mtok, cache_write_1h_per_mtok::text AS cache_write_1h_per_mtok,
  cache_read_per_mtok::text AS cache_read_per_mtok, reasoning_per_mtok::text AS reasoning_per_mtok, source, created_at`;

function toView(r: PriceRow): PriceView {
  return {
    id: r.id,
    provider: r.provider,
    modelPattern: r.model_pattern,
    effectiveFrom: iso(r.effective_from),
    inputPerMtok: r.input_per_mtok,
    outputPerMtok: r.output_per_mtok,
    cacheWrite5mPerMtok: r.cache_write_5m_per_mtok,
    cacheWrite1hPerMtok: r.cache_write_1h_per_mtok,
    cacheReadPerMtok: r.cache_read_per_mtok,
    reasoningPerMtok: r.reasoning_per_mtok,
    source: r.source,
    createdAt: iso(r.created_at),
  };
}

/** The effective-dated catalogue: rows are only ever added (a correction is a new effective date). */
export class PriceRepository {
  constructor(private readonly q: SqlQueryable) {}

  async list(filter: { provider?: string | undefined } = {}): Promise<PriceView[]> {
    const { rows } = await this.q.query<PriceRow>(
      `SELECT ${COLUMNS} FROM "model_prices" WHERE ($1::text IS NULL OR provider = $1) ORDER BY provider, model_pattern, effective_from`,
      [filter.provider ?? null],
    );
    return rows.map(toView);
  }

  async create(input: PriceCreate, source: string): Promise<PriceView> {
    const { rows } = await translateConstraint(`price for ${input.provider}/${input.modelPattern} from ${input.effectiveFrom}`, () =>
      this.q.query<PriceRow>(
        `INSERT INTO "model_prices" (id, provider, model_pattern, effective_from, input_per_mtok, output_per_mtok,
                                     cache_write_5m_per_mtok, cache_write_1h_per_mtok, cache_read_per_mtok, reasoning_per_mtok, source)
         VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7::numeric, $8::numeric, $9::numeric, $10::numeric, $11)
         RETURNING ${COLUMNS}`,
        [
          `adm_${randomUUID()}`,
          input.provider,
          input.modelPattern,
          input.effectiveFrom,
          input.inputPerMtok,
          input.outputPerMtok,
          input.cacheWrite5mPerMtok ?? null,
          input.cacheWrite1hPerMtok ?? null,
          input.cacheReadPerMtok ?? null,
          input.reasoningPerMtok ?? null,
          input.source ?? source,
        ],
      ),
    );
    return toView(rows[0]!);
  }
}
