// @leeway/testing — test support: the fake provider upstream (Anthropic + OpenAI, streaming, prompt
// caching as the providers define it) and the integration-environment helper.
export { createFakeClock, FAKE_EPOCH_MS, type FakeClock } from './clock';
export { integrationEnv, IntegrationEnvMissingError, type IntegrationEnv, type IntegrationVariable } from './integration';
export { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions, type RecordedRequest } from './fake-upstream';
export {
  ANTHROPIC_LOOKBACK_BLOCKS,
  ANTHROPIC_MAX_BREAKPOINTS,
  ANTHROPIC_TTL_MS,
  anthropicMinCacheTokens,
  AnthropicPromptCache,
  OPENAI_CACHE_STEP_TOKENS,
  OPENAI_EXTENDED_TTL_MS,
  OPENAI_MIN_CACHE_TOKENS,
  OPENAI_TTL_MS,
  OpenAiPromptCache,
  type AnthropicCacheUsage,
  type AnthropicPromptBlock,
} from './prompt-cache';
export { anthropicPromptBlocks, IMAGE_TOKENS, MESSAGE_OVERHEAD_TOKENS } from './fake-anthropic';
export { chatPromptUnits, PromptTokenizer, responsesPromptUnits, type PromptUnit } from './fake-openai';
export {
  GENERATION_ROUTES,
  type DeliveryOptions,
  type FakeRoute,
  type Responder,
  type ScriptedDrop,
  type ScriptedError,
  type ScriptedHang,
  type ScriptedMessage,
  type ScriptedRaw,
  type ScriptedResponse,
  type ScriptedToolCall,
  type TokenizerMode,
} from './script';
