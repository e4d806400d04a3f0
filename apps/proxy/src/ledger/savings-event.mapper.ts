/**
 * ExchangeRecord → savings event v1 (DESIGN.md "Economics", `@leeway/contracts`). Pure: no clock, no I/O.
 *
 * Status: `complete` only when the proxy saw the provider's terminal event / whole body with a 2xx;
 * an upstream or Leeway error is `error`; a stream cut off (client abort, upstream failure mid-body) is
 * `partial`. Usage is copied class by class and stays `null` where the provider did not report it —
 * never 0 (I8), so a partial stream keeps what was reported and nothing more.
 */
import type { SavingsEventInput } from '@leeway/contracts';
import type { ExchangeRecord, RouteName } from '../exchange/exchange.sink';

/** Routes whose requests the provider bills; the others (token counting, pass-through) are not ledgered. */
const OPERATION_BY_ROUTE: Readonly<Partial<Record<RouteName, string>>> = Object.freeze({
  'anthropic.messages': 'messages',
  'openai.chat_completions': 'chat.completions',
  'openai.responses': 'responses',
});

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The observability sink hands records on with the request span's `traceparent`. */
export type LedgerExchange = ExchangeRecord & { readonly traceparent?: string | null };
const MAX_MS = 86_400_000;
const UNKNOWN_MODEL = 'unknown';

export type MapResult =
  | { readonly ok: true; readonly event: SavingsEventInput }
  | { readonly ok: false; readonly reason: 'not_billable' | 'bad_request_id' };

const ms = (value: number): number => Math.min(MAX_MS, Math.max(0, Math.round(value)));

function statusOf(record: ExchangeRecord): 'complete' | 'error' | 'partial' {
  if (record.outcome === 'truncated') return 'partial';
  if (record.outcome === 'error' || record.leewayError !== null) return 'error';
  if (record.status < 200 || record.status >= 300) return 'error';
  return 'complete';
}

function errorCodeOf(record: ExchangeRecord): string | null {
  const code = record.leewayError ?? record.error?.type ?? (record.clientAborted ? 'client_aborted' : null);
  if (code === null || code.length === 0) return null;
  return code.slice(0, 64);
}

function modelOf(model: string | null): string {
  const trimmed = model?.trim() ?? '';
  return trimmed.length === 0 ? UNKNOWN_MODEL : trimmed.slice(0, 200);
}

/** Teams are tenants until virtual keys map keys to teams; bounded to the contract's length. */
function teamOf(tenant: string): string {
  const trimmed = tenant.trim();
  return trimmed.length === 0 ? 'unknown' : trimmed.slice(0, 128);
}

export function toSavingsEvent(record: LedgerExchange): MapResult {
  const operation = OPERATION_BY_ROUTE[record.route];
  if (operation === undefined) return { ok: false, reason: 'not_billable' };
  if (!REQUEST_ID.test(record.requestId)) return { ok: false, reason: 'bad_request_id' };
  const latencyMs = ms(record.latencyMs);
  const occurredAt = new Date(record.startedAt);
  const completedAt = new Date(record.startedAt + latencyMs);
  const tokensBefore = Math.max(0, Math.round(record.tokensBefore));
  // Compression never grows a segment; clamp so the summary always satisfies the contract.
  const tokensAfter = Math.min(tokensBefore, Math.max(0, Math.round(record.tokensAfter)));
  const { usage } = record;
  return {
    ok: true,
    event: {
      v: 1,
      requestId: record.requestId,
      occurredAt: occurredAt.toISOString(),
      completedAt: completedAt.toISOString(),
      teamId: teamOf(record.tenant),
      keyId: typeof record.keyId === 'string' && record.keyId.length > 0 ? record.keyId.slice(0, 128) : null,
      provider: record.provider,
      model: modelOf(record.model),
      operation,
      stream: record.stream,
      status: statusOf(record),
      httpStatus: record.status >= 100 && record.status <= 599 ? record.status : null,
      errorCode: errorCodeOf(record),
      latencyMs,
      ttfbMs: record.ttfbMs === null ? null : ms(record.ttfbMs),
      usage: {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWrite5mTokens: usage.cacheWrite5mTokens,
        cacheWrite1hTokens: usage.cacheWrite1hTokens,
        reasoningTokens: usage.reasoningTokens,
        estimated: false,
      },
      compression: {
        tokensBefore,
        tokensAfter,
        // The exchange record does not (yet) split replayed from fresh decisions: all removed tokens are
        // priced as uncached input, the conservative reading of the counterfactual.
        replayedTokensBefore: 0,
        replayedTokensAfter: 0,
        kinds: [],
      },
      sessionId: record.session !== null && REQUEST_ID.test(record.session) ? record.session : null,
      traceparent: typeof record.traceparent === 'string' && TRACEPARENT.test(record.traceparent) ? record.traceparent : null,
    },
  };
}
