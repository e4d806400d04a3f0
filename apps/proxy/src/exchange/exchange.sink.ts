import type { LeewayErrorCode, NormalizedUsage, StreamError, StreamOutcome } from '@leeway/wire';
import type { ProxyLogger } from '../observability/proxy.logger';

export type ProviderName = 'anthropic' | 'openai';

export type RouteName =
  | 'anthropic.messages'
  | 'anthropic.count_tokens'
  | 'openai.chat_completions'
  | 'openai.responses'
  | 'passthrough';

/** What happened to the request body on its way out. */
export type OptimizationOutcome =
  /** Edits were spliced in. */
  | 'applied'
  /** Looked at, nothing to change: the original bytes went out. */
  | 'unchanged'
  /** Not looked at (route without segments, compression off, content-encoded body). */
  | 'skipped'
  /** Something failed; the original bytes went out (I5). */
  | 'failed-open';

/**
 * One exchange, handed to the `ExchangeSink` after the response completed (or failed). Billed figures
 * are the provider's usage; `tokensBefore/After` are Leeway's own counts of the segments it decided on.
 */
export interface ExchangeRecord {
  readonly requestId: string;
  readonly provider: ProviderName;
  readonly route: RouteName;
  readonly method: string;
  readonly path: string;
  readonly tenant: string;
  /** The Leeway virtual key the request was attributed to (governed requests), else null/absent. */
  readonly keyId?: string | null;
  readonly session: string | null;
  readonly model: string | null;
  readonly stream: boolean;
  /** HTTP status sent to the client (0 when nothing could be sent). */
  readonly status: number;
  /** `complete` only when the provider's terminal event / a whole body arrived and the status was 2xx. */
  readonly outcome: StreamOutcome;
  readonly usage: NormalizedUsage;
  readonly stopReason: string | null;
  readonly error: StreamError | null;
  /** Set when Leeway answered the request itself. */
  readonly leewayError: LeewayErrorCode | null;
  readonly clientAborted: boolean;
  readonly optimization: OptimizationOutcome;
  readonly failOpenReason: string | null;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly segments: {
    readonly total: number;
    readonly protected: number;
    readonly replayed: number;
    readonly compressed: number;
  };
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly ttfbMs: number | null;
  readonly optimizeMs: number;
  readonly requestBytes: number;
  readonly forwardedBytes: number;
  readonly responseBytes: number;
}

/**
 * Where exchange records go. The ledger issue plugs the event stream in here. Implementations must not
 * throw and must not block: the proxy calls `record` once per exchange, after the response.
 */
export interface ExchangeSink {
  record(exchange: ExchangeRecord): void;
}

export class NoopExchangeSink implements ExchangeSink {
  record(_exchange: ExchangeRecord): void {}
}

/** Logs one structured line per exchange (no prompt content). */
export class LogExchangeSink implements ExchangeSink {
  constructor(
    private readonly logger: ProxyLogger,
    private readonly level: 'info' | 'debug' = 'debug',
  ) {}

  record(exchange: ExchangeRecord): void {
    this.logger[this.level]({ exchange }, 'exchange');
  }
}

/** Fans one record out to several sinks; one failing sink does not stop the others. */
export class CompositeExchangeSink implements ExchangeSink {
  constructor(private readonly sinks: readonly ExchangeSink[]) {}

  record(exchange: ExchangeRecord): void {
    for (const sink of this.sinks) {
      try {
        sink.record(exchange);
      } catch {
        // a sink must not break the request path
      }
    }
  }
}
