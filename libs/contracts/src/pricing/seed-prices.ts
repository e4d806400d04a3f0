/**
 * Seed of public list prices (standard tier, USD per million tokens) for current Anthropic and OpenAI
 * models. Compiled on PRICE_SEED_TAKEN_AT from the providers' published pricing pages
 * (https://docs.anthropic.com/en/docs/about-claude/pricing, https://platform.openai.com/docs/pricing)
 * as known to the authors — not fetched live: verify against the pages before a finance sign-off, and
 * correct through the admin API (a correction is a new row with a later `effectiveFrom`).
 *
 * Anthropic: 5-minute cache writes cost 1.25× input, 1-hour writes 2× input, cache reads 0.1× input.
 * OpenAI: no cache-write class; cached input has its own per-model price (none for some snapshots).
 * Reasoning tokens are billed as output by both providers (no distinct reasoning price).
 *
 * Not modelled: Anthropic long-context (> 200K input tokens) surcharges of Sonnet 4 / 4.5, batch and
 * priority tiers, regional endpoints. Patterns name exact models and dated snapshots only, so an
 * unseen model is reported unpriced rather than priced like a sibling.
 */
import type { ModelPrice } from './price-catalogue';
import { parseUsdPerMtok } from './money';

export const PRICE_SEED_TAKEN_AT = '2026-12-03';

const ANTHROPIC_SOURCE = `anthropic list price (docs.anthropic.com pricing), taken ${PRICE_SEED_TAKEN_AT}`;
const OPENAI_SOURCE = `openai list price (platform.openai.com pricing), taken ${PRICE_SEED_TAKEN_AT}`;

/** A seed row with its provenance, as stored in `model_prices`. */
export interface SeedModelPrice extends ModelPrice {
  readonly source: string;
}

function row(
  provider: string,
  modelPattern: string,
  effectiveFrom: string,
  prices: Omit<ModelPrice, 'id' | 'provider' | 'modelPattern' | 'effectiveFrom'>,
  source: string,
): SeedModelPrice {
  return {
    id: `seed:${provider}:${modelPattern}:${effectiveFrom}`,
    provider,
    modelPattern,
    effectiveFrom: new Date(`${effectiveFrom}T00:00:00.000Z`),
    ...prices,
    source,
  };
}

/** Anthropic rows: cache classes derived from the input price (exact: every input price is a multiple of 10 micro-USD). */
function anthropic(patterns: readonly string[], effectiveFrom: string, input: string, output: string): SeedModelPrice[] {
  const base = parseUsdPerMtok(input);
  const prices = {
    input: base,
    cacheWrite5m: (base * 5n) / 4n,
    cacheWrite1h: base * 2n,
    cacheRead: base / 10n,
    output: parseUsdPerMtok(output),
    reasoning: null,
  };
  return patterns.map((pattern) => row('anthropic', pattern, effectiveFrom, prices, ANTHROPIC_SOURCE));
}

function openai(
  patterns: readonly string[],
  effectiveFrom: string,
  input: string,
  cachedInput: string | null,
  output: string,
): SeedModelPrice[] {
  const prices = {
    input: parseUsdPerMtok(input),
    cacheWrite5m: null,
    cacheWrite1h: null,
    cacheRead: cachedInput === null ? null : parseUsdPerMtok(cachedInput),
    output: parseUsdPerMtok(output),
    reasoning: null,
  };
  return patterns.map((pattern) => row('openai', pattern, effectiveFrom, prices, OPENAI_SOURCE));
}

/** Snapshot patterns: the alias itself and its dated snapshots (`name-2025-…`, `name-2025…`). */
function snapshots(name: string): string[] {
  return [name, `${name}-20*`];
}

export const SEED_MODEL_PRICES: readonly SeedModelPrice[] = Object.freeze([
  // Anthropic — Claude 4.x
  ...anthropic(['claude-opus-4-6*'], '2026-02-01', '5', '25'),
  ...anthropic(['claude-sonnet-4-6*'], '2026-02-01', '3', '15'),
  ...anthropic(['claude-opus-4-5*'], '2025-11-24', '5', '25'),
  ...anthropic(['claude-opus-4-1*'], '2025-08-05', '15', '75'),
  ...anthropic(['claude-opus-4-0*', 'claude-opus-4-20*'], '2025-05-22', '15', '75'),
  ...anthropic(['claude-sonnet-4-5*'], '2025-09-29', '3', '15'),
  ...anthropic(['claude-sonnet-4-0*', 'claude-sonnet-4-20*'], '2025-05-22', '3', '15'),
  ...anthropic(['claude-haiku-4-5*'], '2025-10-15', '1', '5'),
  // Anthropic — Claude 3.x still served
  ...anthropic(['claude-3-7-sonnet*'], '2025-02-24', '3', '15'),
  ...anthropic(['claude-3-5-haiku*'], '2024-10-22', '0.80', '4'),
  ...anthropic(['claude-3-haiku*'], '2024-03-13', '0.25', '1.25'),
  // OpenAI — GPT-4o
  ...openai(['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'], '2024-08-06', '2.50', '1.25', '10'),
  ...openai(['gpt-4o-2024-05-13'], '2024-05-13', '5', null, '15'),
  ...openai(snapshots('gpt-4o-mini'), '2024-07-18', '0.15', '0.075', '0.60'),
  // OpenAI — GPT-4.1
  ...openai(snapshots('gpt-4.1'), '2025-04-14', '2', '0.50', '8'),
  ...openai(snapshots('gpt-4.1-mini'), '2025-04-14', '0.40', '0.10', '1.60'),
  ...openai(snapshots('gpt-4.1-nano'), '2025-04-14', '0.10', '0.025', '0.40'),
  // OpenAI — o-series (o3 was repriced on 2025-06-10: both rows kept, effective-dated)
  ...openai(snapshots('o3'), '2025-04-16', '10', '2.50', '40'),
  ...openai(snapshots('o3'), '2025-06-10', '2', '0.50', '8'),
  ...openai(snapshots('o3-mini'), '2025-01-31', '1.10', '0.55', '4.40'),
  ...openai(snapshots('o4-mini'), '2025-04-16', '1.10', '0.275', '4.40'),
  // OpenAI — GPT-5 family
  ...openai([...snapshots('gpt-5'), 'gpt-5-chat-latest', 'gpt-5-codex'], '2025-08-07', '1.25', '0.125', '10'),
  ...openai(snapshots('gpt-5-mini'), '2025-08-07', '0.25', '0.025', '2'),
  ...openai(snapshots('gpt-5-nano'), '2025-08-07', '0.05', '0.005', '0.40'),
  ...openai([...snapshots('gpt-5.1'), 'gpt-5.1-chat-latest', 'gpt-5.1-codex'], '2025-11-13', '1.25', '0.125', '10'),
  ...openai(snapshots('gpt-5.2'), '2025-12-11', '1.75', '0.175', '14'),
]);
