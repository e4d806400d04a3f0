/**
 * The request-log row of one savings event: the event's facts plus its priced cost. Money leaves pico-USD
 * integers here as exact decimal text (USD, 12 decimals); unknown stays null.
 */
import { formatPicoUsd, type CostBreakdown, type SavingsEvent } from '@leeway/contracts';

export interface LedgerRow {
  readonly requestId: string;
  /** ISO instant, millisecond precision (the column is `timestamptz(3)`). Part of the ledger key. */
  readonly occurredAt: string;
  readonly completedAt: string;
  readonly eventVersion: number;
  readonly teamId: string;
  readonly keyId: string | null;
  readonly provider: string;
  readonly model: string;
  readonly operation: string;
  readonly stream: boolean;
  readonly status: 'complete' | 'error' | 'partial';
  readonly httpStatus: number | null;
  readonly errorCode: string | null;
  readonly latencyMs: number;
  readonly ttfbMs: number | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWrite5mTokens: number | null;
  readonly cacheWrite1hTokens: number | null;
  readonly reasoningTokens: number | null;
  readonly usageEstimated: boolean;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly replayedTokensBefore: number;
  readonly replayedTokensAfter: number;
  readonly compressionKinds: readonly string[];
  readonly retrieveRounds: number;
  readonly cacheBreakpointsAdded: number;
  readonly priceId: string | null;
  readonly billedUsd: string | null;
  readonly billedKnownUsd: string | null;
  readonly counterfactualUsd: string | null;
  readonly savingsCompressionUsd: string | null;
  readonly savingsCacheReadUsd: string | null;
  readonly cacheWritePremiumUsd: string | null;
  readonly savingsTotalUsd: string | null;
  readonly costFlags: readonly string[];
  readonly sessionId: string | null;
  readonly traceparent: string | null;
}

function usd(pico: bigint | null): string | null {
  return pico === null ? null : formatPicoUsd(pico);
}

/** Normalise an ISO instant to millisecond UTC (`2026-12-03T10:00:00.123Z`): redeliveries map to one key. */
export function normaliseInstant(iso: string): string {
  return new Date(iso).toISOString();
}

export function toLedgerRow(event: SavingsEvent, cost: CostBreakdown): LedgerRow {
  return {
    requestId: event.requestId,
    occurredAt: normaliseInstant(event.occurredAt),
    completedAt: normaliseInstant(event.completedAt),
    eventVersion: event.v,
    teamId: event.teamId,
    keyId: event.keyId,
    provider: event.provider,
    model: event.model,
    operation: event.operation,
    stream: event.stream,
    status: event.status,
    httpStatus: event.httpStatus,
    errorCode: event.errorCode,
    latencyMs: event.latencyMs,
    ttfbMs: event.ttfbMs,
    inputTokens: event.usage.inputTokens,
    outputTokens: event.usage.outputTokens,
    cacheReadTokens: event.usage.cacheReadTokens,
    cacheWrite5mTokens: event.usage.cacheWrite5mTokens,
    cacheWrite1hTokens: event.usage.cacheWrite1hTokens,
    reasoningTokens: event.usage.reasoningTokens,
    usageEstimated: event.usage.estimated,
    tokensBefore: event.compression.tokensBefore,
    tokensAfter: event.compression.tokensAfter,
    replayedTokensBefore: event.compression.replayedTokensBefore,
    replayedTokensAfter: event.compression.replayedTokensAfter,
    compressionKinds: [...new Set(event.compression.kinds)],
    retrieveRounds: event.retrieveRounds,
    cacheBreakpointsAdded: event.cache.breakpointsAdded,
    priceId: cost.priceId,
    billedUsd: usd(cost.billed),
    billedKnownUsd: usd(cost.billedKnown),
    counterfactualUsd: usd(cost.counterfactual),
    savingsCompressionUsd: usd(cost.savingsCompression),
    savingsCacheReadUsd: usd(cost.savingsCacheRead),
    cacheWritePremiumUsd: usd(cost.cacheWritePremium),
    savingsTotalUsd: usd(cost.savingsTotal),
    costFlags: cost.flags,
    sessionId: event.sessionId,
    traceparent: event.traceparent,
  };
}
