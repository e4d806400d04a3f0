import { detectKind } from './detect';
import { CompressionError } from './errors';
import { deriveKey, findMarkerKeys, formatMarker } from './markers';
import { compressorFor } from './registry';
import { tokenCounter } from './tokenizer';
import type {
  CompressOptions,
  CompressionMode,
  CompressionResult,
  CompressorContext,
  SegmentKind,
  SkipReason,
  TokenCounter,
} from './types';

export const DEFAULT_MIN_TOKENS = 128;
export const DEFAULT_MIN_GAIN = 0.05;
/** Used when no tenant secret is given (CLI, benchmarks). The proxy always passes the tenant's. */
export const DEFAULT_KEY_SECRET = 'leeway-local';

/**
 * Compress one segment (a tool output). Pure and deterministic: same input and options, same bytes.
 * Never throws for any input: a compressor failure returns the input unchanged.
 * Gates: a size floor, a minimum gain, never more tokens than the input, never empty output.
 */
export function compress(input: string, options: CompressOptions = {}): CompressionResult {
  const mode: CompressionMode = options.mode ?? 'balanced';
  const countTokens = options.countTokens ?? tokenCounter('o200k_base');
  const minTokens = options.minTokens ?? DEFAULT_MIN_TOKENS;
  const minGain = options.minGain ?? DEFAULT_MIN_GAIN;
  if (!(minGain >= 0 && minGain < 1)) throw new CompressionError('CMP_BAD_OPTION', 'minGain must be in [0, 1)');

  const kind: SegmentKind = options.kind ?? detectKind(input);
  const tokensBefore = countTokens(input);
  const unchanged = (skipped: SkipReason): CompressionResult => ({
    kind,
    output: input,
    tokensBefore,
    tokensAfter: tokensBefore,
    lossless: true,
    originals: {},
    changed: false,
    skipped,
  });

  if (input.trim().length === 0) return unchanged('empty');
  if (tokensBefore < minTokens) return unchanged('below-floor');

  const secret = options.keySecret ?? DEFAULT_KEY_SECRET;
  const registered = new Map<string, string>();
  // Compressors elide the same original many times (one key for a whole log or JSON document, named by
  // every marker): hash each distinct original once.
  const keyOf = new Map<string, string>();
  const ctx: CompressorContext = {
    mode,
    query: options.query,
    countTokens,
    elide(original, summary) {
      if (mode === 'lossless') {
        throw new CompressionError('CMP_LOSSY_IN_LOSSLESS', `a ${kind} compressor tried to elide in lossless mode`);
      }
      let key = keyOf.get(original);
      if (key === undefined) {
        key = deriveKey(secret, original);
        keyOf.set(original, key);
        registered.set(key, original);
      }
      return formatMarker(summary, key);
    },
  };

  const output = runCompressor(kind, input, ctx);
  if (output === null || output === input) return unchanged('no-change');
  if (output.trim().length === 0) return unchanged('no-change');

  const tokensAfter = countTokens(output);
  if (tokensAfter >= tokensBefore) return unchanged('not-smaller');
  if (tokensBefore - tokensAfter < Math.max(1, Math.ceil(minGain * tokensBefore))) return unchanged('below-min-gain');

  const originals: Record<string, string> = {};
  for (const key of findMarkerKeys(output)) {
    const original = registered.get(key);
    if (original !== undefined) originals[key] = original;
  }
  return {
    kind,
    output,
    tokensBefore,
    tokensAfter,
    lossless: Object.keys(originals).length === 0,
    originals,
    changed: true,
  };
}

/** Run the kind's compressor; on failure fall back to the text compressor; on failure again, null. */
function runCompressor(kind: SegmentKind, input: string, ctx: CompressorContext): string | null {
  try {
    return compressorFor(kind).compress(input, ctx);
  } catch {
    if (kind === 'text') return null;
    try {
      return compressorFor('text').compress(input, ctx);
    } catch {
      return null;
    }
  }
}

/** Count tokens the way `compress` does by default (exact o200k_base, cached). */
export const defaultTokenCounter: TokenCounter = tokenCounter('o200k_base');
