// Cache planning (pure): Anthropic breakpoints + final-body check, OpenAI prompt_cache_key, volatile-prefix
// detector, net-cost gate, and the turn-based protection decision for compression. See README.md here.
export {
  ANTHROPIC_LOOKBACK_BLOCKS,
  ANTHROPIC_MAX_CACHE_MARKERS,
  anthropicMinCacheTokens,
  cacheControlJson,
  planAnthropicCache,
  type AnthropicCachePlanOptions,
  type BreakpointReason,
  type CachePlan,
  type CachePlanSkip,
  type CacheTtl,
  type PlannedBreakpoint,
} from './anthropic-cache-plan';
export { checkCacheMarkers, stripCacheControl, type CacheMarkerProblem, type CacheMarkerProblemCode, type CacheMarkerReport } from './cache-markers';
export {
  openAiCacheKey,
  planOpenAiCacheKey,
  prefixFingerprint,
  type OpenAiCacheKeyOptions,
  type OpenAiCacheKeyPlan,
} from './openai-cache-key';
export { findVolatilePrefix, findVolatileValues, volatilePrefixHeader, type VolatileFinding, type VolatileKind } from './volatile-prefix';
export { netCostOfCompression, shouldCompressInPrefix, type NetCostDecision, type NetCostInput } from './net-cost';
export { isModelTurn, isNewThisTurn, lastModelTurnIndex, segmentsDecidableThisTurn } from './turn';
export {
  anthropicPromptLayout,
  type AnthropicPromptLayout,
  type ExistingMarker,
  type PromptBlock,
  type PromptBlockLocation,
} from './prompt-blocks';
