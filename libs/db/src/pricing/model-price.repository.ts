import {
  formatUsdPerMtok,
  parseUsdPerMtok,
  SEED_MODEL_PRICES,
  type ModelPrice,
  type SeedModelPrice,
} from '@leeway/contracts';
import type { SqlQueryable } from '../sql/sql-executor';

interface ModelPriceRecord {
  id: string;
  provider: string;
  model_pattern: string;
  effective_from: Date | string;
  input_per_mtok: string;
  cache_write_5m_per_mtok: string | null;
  cache_write_1h_per_mtok: string | null;
  cache_read_per_mtok: string | null;
  output_per_mtok: string;
  reasoning_per_mtok: string | null;
}

function price(text: string | null): bigint | null {
  return text === null ? null : parseUsdPerMtok(String(text));
}

/** Every catalogue row (all versions), as the pure `ModelPrice` the pricing functions take. */
export async function loadModelPrices(q: SqlQueryable): Promise<ModelPrice[]> {
  const { rows } = await q.query<ModelPriceRecord>(
    `SELECT id, provider, model_pattern, effective_from, input_per_mtok::text, cache_write_5m_per_mtok::text,
            cache_write_1h_per_mtok::text, cache_read_per_mtok::text, output_per_mtok::text, reasoning_per_mtok::text
       FROM "model_prices" WHERE currency = 'USD' ORDER BY effective_from, id`,
  );
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    modelPattern: r.model_pattern,
    effectiveFrom: r.effective_from instanceof Date ? r.effective_from : new Date(r.effective_from),
    input: parseUsdPerMtok(String(r.input_per_mtok)),
    cacheWrite5m: price(r.cache_write_5m_per_mtok),
    cacheWrite1h: price(r.cache_write_1h_per_mtok),
    cacheRead: price(r.cache_read_per_mtok),
    output: parseUsdPerMtok(String(r.output_per_mtok)),
    reasoning: price(r.reasoning_per_mtok),
  }));
}

/**
 * Insert the seed list prices that are not there yet (by id or by provider/pattern/effective date).
 * Never updates a row: catalogue rows are immutable, corrections are new effective-dated rows.
 */
export async function seedModelPrices(q: SqlQueryable, seed: readonly SeedModelPrice[] = SEED_MODEL_PRICES): Promise<number> {
  if (seed.length === 0) return 0;
  const fmt = (v: bigint | null): string | null => (v === null ? null : formatUsdPerMtok(v));
  const { rowCount } = await q.query(
    `INSERT INTO "model_prices" (id, provider, model_pattern, effective_from, input_per_mtok, cache_write_5m_per_mtok,
                                 cache_write_1h_per_mtok, cache_read_per_mtok, output_per_mtok, reasoning_per_mtok, source)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::numeric[], $6::numeric[],
                          $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::text[])
     ON CONFLICT DO NOTHING`,
    [
      seed.map((s) => s.id),
      seed.map((s) => s.provider),
      seed.map((s) => s.modelPattern),
      seed.map((s) => s.effectiveFrom.toISOString()),
      seed.map((s) => fmt(s.input)),
      seed.map((s) => fmt(s.cacheWrite5m)),
      seed.map((s) => fmt(s.cacheWrite1h)),
      seed.map((s) => fmt(s.cacheRead)),
      seed.map((s) => fmt(s.output)),
      seed.map((s) => fmt(s.reasoning)),
      seed.map((s) => s.source),
    ],
  );
  return rowCount;
}
