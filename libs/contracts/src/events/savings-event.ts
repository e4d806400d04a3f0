/**
 * The savings event: one per served request, emitted by the proxy after the response completed (streams
 * included; an aborted stream is `partial`, an upstream error `error`) and written to the ledger by
 * ingestion. Versioned: `v` is a literal, a new shape is a new version with its own schema, and ingestion
 * dead-letters a version it does not know.
 *
 * Usage follows the wire library's normalised classes: input classes are disjoint (`inputTokens` is
 * uncached input only), `reasoningTokens` is a part of `outputTokens`, and `null` means unknown —
 * never 0 (invariant I8).
 */
import { z } from 'zod';

/** Largest token count accepted for one request and class (far above any context window). */
export const MAX_TOKENS_PER_CLASS = 1_000_000_000_000;

/** The stream pattern (Nest `@EventPattern`) under which version 1 events travel. */
export const SAVINGS_EVENT_V1_PATTERN = 'savings.v1';

const tokenCount = z.number().int().nonnegative().max(MAX_TOKENS_PER_CLASS);
const unknownOrTokens = tokenCount.nullable();
const isoInstant = z.iso.datetime({ offset: true });

/** W3C trace context `traceparent` (version 00). */
const traceparent = z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/);

export const usageByClassSchema = z.object({
  /** Uncached input tokens. */
  inputTokens: unknownOrTokens,
  outputTokens: unknownOrTokens,
  cacheReadTokens: unknownOrTokens,
  cacheWrite5mTokens: unknownOrTokens,
  cacheWrite1hTokens: unknownOrTokens,
  /** Included in `outputTokens`; reported separately where the provider does. */
  reasoningTokens: unknownOrTokens,
  /** True when Leeway estimated the counts instead of reading them from provider usage. */
  estimated: z.boolean().default(false),
});

export const compressionSummarySchema = z
  .object({
    /** Tokens of every compressed segment in the forwarded body, before compression. */
    tokensBefore: tokenCount.default(0),
    /** The same segments after compression. */
    tokensAfter: tokenCount.default(0),
    /**
     * The part of the above whose decision was replayed from an earlier turn (so the segment sits in the
     * already-cached prefix). Drives which token class removed tokens are priced at.
     */
    replayedTokensBefore: tokenCount.default(0),
    replayedTokensAfter: tokenCount.default(0),
    /** Detected kinds that were compressed (`json`, `logs`, …), deduplicated. */
    kinds: z.array(z.string().min(1).max(32)).max(32).default([]),
  })
  .refine((c) => c.replayedTokensBefore <= c.tokensBefore && c.replayedTokensAfter <= c.tokensAfter, {
    message: 'replayed tokens must be a part of the totals',
  });

export const cachePlanSummarySchema = z.object({
  /** Anthropic `cache_control` breakpoints Leeway added (client markers not counted). */
  breakpointsAdded: z.number().int().min(0).max(16).default(0),
  /** Whether Leeway set an OpenAI `prompt_cache_key`. */
  promptCacheKeySet: z.boolean().default(false),
});

export const requestStatusSchema = z.enum(['complete', 'error', 'partial']);
export type RequestStatus = z.infer<typeof requestStatusSchema>;

export const savingsEventV1Schema = z.object({
  v: z.literal(1),
  /** The proxy's request id (`x-leeway-request-id`); the ledger's idempotency key. */
  requestId: z.string().regex(/^[\w.:-]{1,128}$/),
  /** When the proxy received the request (ISO 8601). Immutable: it is part of the ledger key. */
  occurredAt: isoInstant,
  /** When the response completed or was cut off. */
  completedAt: isoInstant,
  teamId: z.string().min(1).max(128),
  /** Leeway virtual key id, or null for a pass-through provider key. */
  keyId: z.string().min(1).max(128).nullable().default(null),
  /** Provider adapter name (`anthropic`, `openai`, …). */
  provider: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  /** Model as reported by the provider (requested model when the response did not say). */
  model: z.string().min(1).max(200),
  /** `messages`, `count_tokens`, `chat.completions`, `responses`, `passthrough`, … */
  operation: z.string().min(1).max(64),
  stream: z.boolean(),
  status: requestStatusSchema,
  httpStatus: z.number().int().min(100).max(599).nullable().default(null),
  errorCode: z.string().min(1).max(64).nullable().default(null),
  latencyMs: z.number().int().nonnegative().max(86_400_000),
  ttfbMs: z.number().int().nonnegative().max(86_400_000).nullable().default(null),
  usage: usageByClassSchema,
  compression: compressionSummarySchema.default({
    tokensBefore: 0,
    tokensAfter: 0,
    replayedTokensBefore: 0,
    replayedTokensAfter: 0,
    kinds: [],
  }),
  cache: cachePlanSummarySchema.default({ breakpointsAdded: 0, promptCacheKeySet: false }),
  /** Rounds of the retrieve loop Leeway answered itself. */
  retrieveRounds: z.number().int().nonnegative().max(1000).default(0),
  /** Session the request belongs to (`x-leeway-session` or derived), if any. */
  sessionId: z.string().min(1).max(128).nullable().default(null),
  traceparent: traceparent.nullable().default(null),
});

/** A validated event (defaults applied). */
export type SavingsEvent = z.output<typeof savingsEventV1Schema>;
/** What a producer builds (optional fields may be left out). */
export type SavingsEventInput = z.input<typeof savingsEventV1Schema>;
export type UsageByClass = z.output<typeof usageByClassSchema>;
export type CompressionSummary = z.output<typeof compressionSummarySchema>;
export type CachePlanSummary = z.output<typeof cachePlanSummarySchema>;

export type SavingsEventParse =
  | { readonly ok: true; readonly event: SavingsEvent }
  | { readonly ok: false; readonly reason: string };

/** Known versions and their schemas; an unknown `v` is rejected with a reason naming it. */
const SCHEMAS_BY_VERSION: ReadonlyMap<unknown, typeof savingsEventV1Schema> = new Map([[1, savingsEventV1Schema]]);

/**
 * Validate an untrusted payload. Never throws: a malformed event comes back with a short, stable reason
 * (`unsupported_version:7`, `invalid:usage.inputTokens: …`) suitable for a dead-letter entry.
 */
export function parseSavingsEvent(payload: unknown): SavingsEventParse {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: 'invalid:not_an_object' };
  }
  const version = (payload as { v?: unknown }).v;
  const schema = SCHEMAS_BY_VERSION.get(version);
  if (!schema) return { ok: false, reason: `unsupported_version:${String(version).slice(0, 16)}` };
  const result = schema.safeParse(payload);
  if (result.success) {
    if (Date.parse(result.data.completedAt) < Date.parse(result.data.occurredAt)) {
      return { ok: false, reason: 'invalid:completedAt: before occurredAt' };
    }
    return { ok: true, event: result.data };
  }
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `invalid:${issues}`.slice(0, 500) };
}
