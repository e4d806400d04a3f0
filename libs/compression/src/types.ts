/** The kinds of tool output Leeway recognises. */
export type SegmentKind = 'json' | 'logs' | 'search' | 'listing' | 'diff' | 'code' | 'html' | 'text';

export const SEGMENT_KINDS: readonly SegmentKind[] = [
  'json',
  'logs',
  'search',
  'listing',
  'diff',
  'code',
  'html',
  'text',
];

/**
 * - `lossless`: only reversible re-encodings; nothing the model cannot read back from the output.
 * - `balanced`: lossy where it pays, every elision behind a retrievable marker.
 * - `aggressive`: as balanced, plus outlines of large code views.
 */
export type CompressionMode = 'lossless' | 'balanced' | 'aggressive';

export const COMPRESSION_MODES: readonly CompressionMode[] = ['lossless', 'balanced', 'aggressive'];

/** Counts tokens of a text. Implementations must be pure and deterministic. */
export type TokenCounter = (text: string) => number;

export interface CompressOptions {
  readonly mode?: CompressionMode;
  /** The task text (latest user / tool-call text): rows and hits relevant to it are kept. */
  readonly query?: string;
  /** Secret for marker keys; tenants use different secrets so keys never collide across them. */
  readonly keySecret?: string;
  /** Token counter for gates and results (default: exact o200k_base). */
  readonly countTokens?: TokenCounter;
  /** Skip detection and use this kind. */
  readonly kind?: SegmentKind;
  /** Inputs under this many tokens come back unchanged (default 128). */
  readonly minTokens?: number;
  /** Minimum relative gain (0..1) for a change to be kept (default 0.05). */
  readonly minGain?: number;
}

export interface CompressionResult {
  readonly kind: SegmentKind;
  readonly output: string;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** True when the output holds everything the input did (no elision behind a marker). */
  readonly lossless: boolean;
  /** Marker key → exact original text, for the store that answers retrieval. */
  readonly originals: Readonly<Record<string, string>>;
  /** Whether the output differs from the input. */
  readonly changed: boolean;
  /** Why an unchanged result was left alone (`below-floor`, `below-min-gain`, ...). */
  readonly skipped?: SkipReason;
}

export type SkipReason = 'empty' | 'below-floor' | 'below-min-gain' | 'not-smaller' | 'no-change';

/** What a compressor may use: the mode, the task query, token counts and the marker sink. */
export interface CompressorContext {
  readonly mode: CompressionMode;
  readonly query: string | undefined;
  readonly countTokens: TokenCounter;
  /**
   * Record `original` as retrievable and return the marker text that names it, e.g.
   * `[leeway: 180 of 200 rows omitted; retrieve key=lw_9f3a2c1d8e7b4a60]`.
   * Throws in lossless mode: a lossless compressor must never elide.
   */
  elide(original: string, summary: string): string;
}

/** One compressor per kind. `compress` returns the new text (the input itself when it has nothing to do). */
export interface Compressor {
  readonly kind: SegmentKind;
  compress(input: string, ctx: CompressorContext): string;
}
