export {
  MAX_TOKENS_PER_CLASS,
  SAVINGS_EVENT_V1_PATTERN,
  cachePlanSummarySchema,
  compressionSummarySchema,
  parseSavingsEvent,
  requestStatusSchema,
  savingsEventV1Schema,
  usageByClassSchema,
  type CachePlanSummary,
  type CompressionSummary,
  type RequestStatus,
  type SavingsEvent,
  type SavingsEventInput,
  type SavingsEventParse,
  type UsageByClass,
} from './events/savings-event';
export {
  ERROR_CATALOGUE,
  isErrorCode,
  statusForCode,
  toErrorEnvelope,
  type ErrorCode,
  type ErrorEnvelope,
  type ErrorSpec,
} from './errors/error-catalogue';
export {
  COST_DECIMALS,
  PRICE_DECIMALS,
  PricingError,
  formatPicoUsd,
  formatUsdPerMtok,
  parsePicoUsd,
  parseUsdPerMtok,
  type PricingErrorCode,
} from './pricing/money';
export { PriceBook, modelPatternMatches, patternSpecificity, type ModelPrice } from './pricing/price-catalogue';
export {
  computeCost,
  type CompressionTokens,
  type CostBreakdown,
  type CostFlag,
  type CostInput,
  type UsageClasses,
} from './pricing/cost';
export { PRICE_SEED_TAKEN_AT, SEED_MODEL_PRICES, type SeedModelPrice } from './pricing/seed-prices';
export * from './admin/index';
