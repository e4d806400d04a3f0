import type { WireApi } from './conversation';
import type { TokenClasses } from './pricing';

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

/**
 * A response's usage as disjoint token classes. Anthropic reports uncached input, cache writes (split by
 * TTL in `cache_creation`; unsplit writes count as 5-minute) and cache reads separately; OpenAI's input
 * count includes the cached tokens, which are subtracted. Returns null when the response has no usage.
 */
export function usageFromResponse(api: WireApi, response: unknown): TokenClasses | null {
  const usage = rec(rec(response)['usage']);
  if (Object.keys(usage).length === 0) return null;
  if (api === 'anthropic') {
    const creation = rec(usage['cache_creation']);
    const split = 'ephemeral_5m_input_tokens' in creation || 'ephemeral_1h_input_tokens' in creation;
    const w1h = split ? n(creation['ephemeral_1h_input_tokens']) : 0;
    const w5m = split ? n(creation['ephemeral_5m_input_tokens']) : n(usage['cache_creation_input_tokens']);
    return {
      input: n(usage['input_tokens']),
      cacheWrite5m: w5m,
      cacheWrite1h: w1h,
      cacheRead: n(usage['cache_read_input_tokens']),
      output: n(usage['output_tokens']),
    };
  }
  if (api === 'openai-chat') {
    const cached = n(rec(usage['prompt_tokens_details'])['cached_tokens']);
    return {
      input: Math.max(0, n(usage['prompt_tokens']) - cached),
      cacheWrite5m: 0,
      cacheWrite1h: 0,
      cacheRead: cached,
      output: n(usage['completion_tokens']),
    };
  }
  const cached = n(rec(usage['input_tokens_details'])['cached_tokens']);
  return {
    input: Math.max(0, n(usage['input_tokens']) - cached),
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: cached,
    output: n(usage['output_tokens']),
  };
}
