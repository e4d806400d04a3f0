/**
 * The last steps before a body is forwarded (DESIGN.md lifecycle steps 8–9), on the bytes compression
 * produced:
 *
 * 1. the sticky `leeway_retrieve` tool, when the session has a marker (and the client declares no tool of
 *    that name);
 * 2. Anthropic: the cache-breakpoint planner when the client set no `cache_control` of its own … or only
 *    some (never more than 4 in total, client markers never moved); Leeway's markers only go on tools,
 *    system and the newest turn (`newestTurnOnly`: never into bytes an earlier turn sent, I2); then the
 *    marker check runs once on the final body and Leeway's markers are dropped if it fails;
 * 3. OpenAI: `prompt_cache_key` (tenant + system + tools) when the client set none;
 * 4. the volatile-prefix detector on the final body (flags only, never rewrites).
 *
 * Fail-open (I5): any failure returns the input bytes untouched.
 */
import {
  addRetrieveToolEdit,
  applyEdits,
  checkCacheMarkers,
  findVolatilePrefix,
  hasLeewayRetrieveTool,
  planAnthropicCache,
  planOpenAiCacheKey,
  retrieveToolJson,
  volatilePrefixHeader,
} from '@leeway/wire';
import type { BreakpointReason, CacheMarkerProblemCode, ParsedRequest, ProviderAdapter, VolatileFinding } from '@leeway/wire';

export interface OutgoingOptions {
  readonly tenant: string;
  /** Add Leeway's retrieve tool (the session has a marker). */
  readonly addRetrieveTool: boolean;
  /** Plan Anthropic breakpoints. */
  readonly anthropicCachePlan: boolean;
  /** Add an OpenAI `prompt_cache_key` when absent. */
  readonly openAiCacheKey: boolean;
}

export interface OutgoingBody {
  readonly body: Buffer;
  /** Parse of `body`. */
  readonly parsed: ParsedRequest;
  /** Leeway's retrieve tool is in the body, byte for byte: Leeway answers `leeway_retrieve` calls. */
  readonly retrieveTool: boolean;
  /** The tool was added by this step (it was not already in the client's body). */
  readonly retrieveToolAdded: boolean;
  readonly breakpoints: readonly BreakpointReason[];
  readonly markerProblems: readonly CacheMarkerProblemCode[];
  readonly promptCacheKey: string | null;
  readonly volatile: readonly VolatileFinding[];
  /** `x-leeway-volatile-prefix` value, or null. */
  readonly volatileHeader: string | null;
  /** Set when a step failed and the input bytes were kept. */
  readonly failOpenReason: string | null;
}

export function finishOutgoingBody(body: Buffer, parsedIn: ParsedRequest, adapter: ProviderAdapter, options: OutgoingOptions): OutgoingBody {
  let out = body;
  let parsed = parsedIn.raw === body ? parsedIn : adapter.parseRequest(body);
  let retrieveToolAdded = false;
  let breakpoints: BreakpointReason[] = [];
  let markerProblems: CacheMarkerProblemCode[] = [];
  let promptCacheKey: string | null = null;
  let failOpenReason: string | null = null;
  // After the last edit `parsed` describes the body before it (`stale`): the final parse is lazy, as
  // nothing on the request path needs it (a full parse of a 20 KB body costs ~2 ms).
  let stale = false;
  let retrieveToolAfter: boolean | null = null;
  try {
    if (options.addRetrieveTool) {
      const edit = addRetrieveToolEdit(out, parsed);
      if (edit) {
        out = applyEdits(out, [edit]);
        parsed = adapter.parseRequest(out);
        retrieveToolAdded = true;
      }
    }
  } catch {
    out = body;
    parsed = parsedIn.raw === body ? parsedIn : adapter.parseRequest(body);
    failOpenReason = 'retrieve-tool';
  }
  try {
    if (parsed.api === 'anthropic-messages') {
      if (options.anthropicCachePlan) {
        const plan = planAnthropicCache(out, parsed, { newestTurnOnly: true });
        if (plan.edits.length > 0) {
          const candidate = applyEdits(out, plan.edits);
          const report = checkCacheMarkers(candidate);
          if (report.ok) {
            // Not re-parsed here: only the retrieve-tool check reads the result, and it follows the edits.
            retrieveToolAfter = retrieveToolSurvives(parsed, plan.edits);
            out = candidate;
            stale = true;
            breakpoints = plan.breakpoints.map((b) => b.reason);
          } else {
            markerProblems = report.problems.map((p) => p.code);
          }
        }
      }
      if (breakpoints.length === 0 && parsed.cacheBreakpoints.length > 0) {
        // The client's own markers: reported, never altered.
        markerProblems = [...markerProblems, ...checkCacheMarkers(out).problems.map((p) => p.code)];
      }
    } else if (options.openAiCacheKey) {
      const plan = planOpenAiCacheKey(out, parsed, options.tenant);
      if (plan.edit) {
        const candidate = applyEdits(out, [plan.edit]);
        retrieveToolAfter = retrieveToolSurvives(parsed, [plan.edit]);
        out = candidate;
        stale = true;
        promptCacheKey = plan.key;
      }
    }
  } catch {
    failOpenReason ??= 'cache-plan';
  }
  let volatile: VolatileFinding[] = [];
  try {
    // On the client's own system prompt and tools (locations as the client wrote them, before Leeway
    // wrapped a string system prompt or appended its tool).
    volatile = findVolatilePrefix(parsedIn);
  } catch {
    volatile = [];
  }
  const finalBody = out;
  let finalParsed: ParsedRequest | null = stale ? null : parsed;
  return {
    body: out,
    get parsed(): ParsedRequest {
      finalParsed ??= adapter.parseRequest(finalBody);
      return finalParsed;
    },
    retrieveTool: stale && retrieveToolAfter !== null ? retrieveToolAfter : hasLeewayRetrieveTool(parsed),
    retrieveToolAdded,
    breakpoints,
    markerProblems,
    promptCacheKey,
    volatile,
    volatileHeader: volatilePrefixHeader(volatile),
    failOpenReason,
  };
}

/**
 * `hasLeewayRetrieveTool` of the body after `edits`, from the parse before them: the tool is there byte for
 * byte iff it was before and no edit changes a byte of it (an insertion strictly inside it, or a replacement
 * overlapping it). Edits from the cache planners only add markers, so no tool appears that was not there.
 */
function retrieveToolSurvives(before: ParsedRequest, edits: readonly { readonly start: number; readonly end: number }[]): boolean {
  const ours = retrieveToolJson(before.api);
  const length = Buffer.byteLength(ours);
  return (before.toolsSpan?.items ?? []).some(
    (t) =>
      t.end - t.start === length &&
      before.raw.toString('utf8', t.start, t.end) === ours &&
      edits.every((e) => (e.start === e.end ? e.start <= t.start || e.start >= t.end : e.end <= t.start || e.start >= t.end)),
  );
}
