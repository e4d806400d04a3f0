/**
 * Usage over retrieve rounds: every round is a billed request of its own, so the client-facing usage is
 * the per-field sum of the rounds' usage objects (input, output, cache reads and writes, details).
 */
import type { NormalizedUsage } from '../usage';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sums provider usage objects field by field: numbers add up (a field missing or null in some rounds
 * sums the rounds that report it), nested objects recurse, anything else keeps the last reported value.
 * Null when no argument is an object.
 */
export function sumUsageObjects(usages: readonly unknown[]): Record<string, unknown> | null {
  const objects = usages.filter(isRecord);
  if (objects.length === 0) return null;
  const out: Record<string, unknown> = {};
  const keys: string[] = [];
  for (const o of objects) for (const k of Object.keys(o)) if (!keys.includes(k)) keys.push(k);
  for (const k of keys) {
    const values = objects.map((o) => o[k]).filter((v) => v !== undefined);
    const numbers = values.filter((v): v is number => typeof v === 'number');
    const records = values.filter(isRecord);
    if (numbers.length > 0 && numbers.length + values.filter((v) => v === null).length === values.length) {
      out[k] = numbers.reduce((a, b) => a + b, 0);
    } else if (records.length > 0 && records.length + values.filter((v) => v === null).length === values.length) {
      out[k] = sumUsageObjects(records);
    } else {
      out[k] = values[values.length - 1];
    }
  }
  return out;
}

function add(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : a + b;
}

/** Sum of normalised usages (a field unknown in every round stays unknown). */
export function sumNormalizedUsage(usages: readonly NormalizedUsage[]): NormalizedUsage {
  return usages.reduce<NormalizedUsage>(
    (acc, u) => ({
      inputTokens: add(acc.inputTokens, u.inputTokens),
      outputTokens: add(acc.outputTokens, u.outputTokens),
      cacheReadTokens: add(acc.cacheReadTokens, u.cacheReadTokens),
      cacheWrite5mTokens: add(acc.cacheWrite5mTokens, u.cacheWrite5mTokens),
      cacheWrite1hTokens: add(acc.cacheWrite1hTokens, u.cacheWrite1hTokens),
      reasoningTokens: add(acc.reasoningTokens, u.reasoningTokens),
    }),
    { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWrite5mTokens: null, cacheWrite1hTokens: null, reasoningTokens: null },
  );
}
