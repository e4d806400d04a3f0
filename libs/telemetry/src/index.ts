export { createLogger, withRequestId, DEFAULT_REDACT_PATHS, REDACTED, type LeewayLogger, type LoggerSettings } from './logging/logger';
export { BoundedLabel, OTHER_LABEL, allowListed, modelFamily, sanitizeLabel, statusClass } from './metrics/labels';
export {
  createMetricsRegistry,
  EXCHANGE_BUCKETS_SECONDS,
  OVERHEAD_BUCKETS_SECONDS,
  RATIO_BUCKETS,
  TTFB_BUCKETS_SECONDS,
  type RegistryOptions,
} from './metrics/registry';
export { DependencyMetrics, DEPENDENCIES, type Dependency } from './metrics/dependency-metrics';
export {
  ProxyMetrics,
  BUDGET_REJECTION_KINDS,
  CACHE_PLANNER_ACTIONS,
  COMPRESSOR_KINDS,
  ERROR_CLASSES,
  FAIL_OPEN_REASONS,
  OPERATIONS,
  PROVIDERS,
  RETRIEVE_OUTCOMES,
  SEGMENT_RESULTS,
  TOKEN_CLASSES,
  type CachePlannerAction,
  type CompressorKind,
  type ErrorClass,
  type FailOpenReason,
  type ObservedRequest,
  type ObservedSegment,
  type Provider,
  type ProxyMetricsOptions,
  type SegmentResult,
  type TokenClass,
} from './metrics/proxy-metrics';
export {
  IngestionMetrics,
  CONSUME_OUTCOMES,
  DEAD_LETTER_REASONS,
  type IngestionMetricsOptions,
  type ObservedLedgerRow,
} from './metrics/ingestion-metrics';
export { AdminMetrics, type AdminMetricsOptions } from './metrics/admin-metrics';
export { startTelemetry, TRACER_NAME, type TelemetryHandle, type TelemetrySettings } from './tracing/start-telemetry';
export {
  RequestSpan,
  startRequestSpan,
  withIngestionSpan,
  genAiOperationName,
  genAiProviderName,
  DEFAULT_ATTRIBUTE_COUNT_LIMIT,
  type ChildSpanName,
  type ContentCaptureSettings,
  type ContentMessage,
  type RequestSpanStart,
  type ResponseAttributes,
} from './tracing/request-span';
export { contextFromTraceparent, traceparentOf } from './tracing/trace-context';
export { parseOtlpHeaders, telemetrySettingsFromEnv } from './tracing/settings-from-env';
