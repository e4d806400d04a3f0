export { compress, defaultTokenCounter, DEFAULT_KEY_SECRET, DEFAULT_MIN_GAIN, DEFAULT_MIN_TOKENS } from './compress';
export { detectKind } from './detect';
export { decodeCompactJson, JsonDecodeError } from './json/json-decode';
export { CompressionError, type CompressionErrorCode } from './errors';
export { deriveKey, findMarkerKeys, formatMarker, hasMarker, KEY_PREFIX, normalizeKey } from './markers';
export {
  approximateTokens,
  CLAUDE_ESTIMATE_FACTOR,
  countTokens,
  encodingForModel,
  isExactEncoding,
  tokenCounter,
  type EncodingName,
} from './tokenizer';
export { retrieveFromOriginal } from './retrieve';
export {
  COMPRESSION_MODES,
  SEGMENT_KINDS,
  type CompressOptions,
  type CompressionMode,
  type CompressionResult,
  type Compressor,
  type CompressorContext,
  type SegmentKind,
  type SkipReason,
  type TokenCounter,
} from './types';
