import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { DependencyMetrics } from './dependency-metrics';
import { BoundedLabel, allowListed, modelFamily } from './labels';
import { createMetricsRegistry } from './registry';

export const CONSUME_OUTCOMES = ['inserted', 'duplicate', 'dead_lettered', 'retried'] as const;
export const DEAD_LETTER_REASONS = ['unsupported_version', 'invalid', 'db_error', 'poison'] as const;
export const SAVINGS_SOURCES = ['compression', 'cache_read'] as const;

export interface IngestionMetricsOptions {
  readonly maxTeams?: number;
  /** Stream partitions labelled individually (`leeway:events:{0..N-1}`); higher ones become `other`. */
  readonly maxPartitions?: number;
  readonly defaultMetrics?: boolean;
  readonly registry?: Registry;
}

/** One ledger row as priced by ingestion (money in integer micro-USD, never float dollars). */
export interface ObservedLedgerRow {
  readonly team: string;
  readonly model: string;
  readonly billedMicros: number | null;
  /** Estimated cost without Leeway (the counterfactual); null when unknown. */
  readonly counterfactualMicros: number | null;
  readonly compressionSavingsMicros: number | null;
  readonly cacheReadSavingsMicros: number | null;
  /** Extra paid for cache writes Leeway caused (a negative saving, recorded as a positive amount). */
  readonly cacheWritePremiumMicros: number | null;
}

/** The ingestion service's metrics: consumption, batches, lag, dead letters and priced ledger rows. */
export class IngestionMetrics {
  readonly registry: Registry;
  readonly dependencies: DependencyMetrics;
  private readonly teams: BoundedLabel;
  private readonly partitions: BoundedLabel;

  private readonly consumed: Counter<'outcome'>;
  private readonly batchSize: Histogram;
  private readonly batchSeconds: Histogram;
  private readonly lagSeconds: Gauge<'partition'>;
  private readonly pending: Gauge<'partition'>;
  private readonly deadLetters: Counter<'reason'>;
  private readonly costMicros: Counter<'team' | 'model_family'>;
  private readonly counterfactualMicros: Counter<'team' | 'model_family'>;
  private readonly savingsMicros: Counter<'team' | 'model_family' | 'source'>;
  private readonly writePremiumMicros: Counter<'team' | 'model_family'>;

  constructor(options: IngestionMetricsOptions = {}) {
    const registry =
      options.registry ?? createMetricsRegistry('ingestion', { defaultMetrics: options.defaultMetrics ?? true });
    this.registry = registry;
    this.dependencies = new DependencyMetrics(registry);
    this.teams = new BoundedLabel(options.maxTeams ?? 50);
    this.partitions = new BoundedLabel(options.maxPartitions ?? 64);
    const registers = [registry];

    this.consumed = new Counter({
      name: 'leeway_ingestion_events_consumed_total',
      help: 'Savings events read from the stream, by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'leeway_ingestion_batch_size',
      help: 'Events per ledger write batch.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'leeway_ingestion_batch_duration_seconds',
      help: 'Time to write one batch to the ledger.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'leeway_ingestion_lag_seconds',
      help: 'Age of the newest event consumed (completion time to ledger insert), by partition.',
      labelNames: ['partition'] as const,
      registers,
    });
    this.pending = new Gauge({
      name: 'leeway_ingestion_pending_events',
      help: 'Events delivered to the consumer group but not yet acknowledged, by partition.',
      labelNames: ['partition'] as const,
      registers,
    });
    this.deadLetters = new Counter({
      name: 'leeway_ingestion_dead_letters_total',
      help: 'Events moved to the dead-letter stream, by reason class.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.costMicros = new Counter({
      name: 'leeway_ledger_cost_micro_usd_total',
      help: 'Billed cost of ledger rows in micro-USD, by team and model family.',
      labelNames: ['team', 'model_family'] as const,
      registers,
    });
    this.counterfactualMicros = new Counter({
      name: 'leeway_ledger_counterfactual_micro_usd_total',
      help: 'Estimated cost without Leeway in micro-USD, by team and model family.',
      labelNames: ['team', 'model_family'] as const,
      registers,
    });
    this.savingsMicros = new Counter({
      name: 'leeway_ledger_savings_micro_usd_total',
      help: 'Gross savings in micro-USD by source (compression, cache reads gained).',
      labelNames: ['team', 'model_family', 'source'] as const,
      registers,
    });
    this.writePremiumMicros = new Counter({
      name: 'leeway_ledger_cache_write_premium_micro_usd_total',
      help: 'Cache-write premium Leeway caused, in micro-USD (subtract from gross savings).',
      labelNames: ['team', 'model_family'] as const,
      registers,
    });
  }

  observeConsumed(outcome: (typeof CONSUME_OUTCOMES)[number], count = 1): void {
    if (count > 0) this.consumed.inc({ outcome: allowListed(CONSUME_OUTCOMES, outcome) }, count);
  }

  observeBatch(size: number, durationSeconds: number): void {
    if (Number.isFinite(size) && size >= 0) this.batchSize.observe(size);
    if (Number.isFinite(durationSeconds) && durationSeconds >= 0) this.batchSeconds.observe(durationSeconds);
  }

  setLag(partition: number | string, lagSeconds: number): void {
    if (Number.isFinite(lagSeconds)) this.lagSeconds.set({ partition: this.partitions.resolve(String(partition)) }, Math.max(0, lagSeconds));
  }

  setPending(partition: number | string, pending: number): void {
    if (Number.isFinite(pending) && pending >= 0) this.pending.set({ partition: this.partitions.resolve(String(partition)) }, pending);
  }

  /** `reason` is the dead-letter reason (`unsupported_version:7`, `invalid:…`); only its class is a label. */
  observeDeadLetter(reason: string): void {
    const reasonClass = reason.split(':', 1)[0] ?? '';
    this.deadLetters.inc({ reason: allowListed(DEAD_LETTER_REASONS, reasonClass) });
  }

  observeLedgerRow(row: ObservedLedgerRow): void {
    const labels = { team: this.teams.resolve(row.team), model_family: modelFamily(row.model) };
    if (isAmount(row.billedMicros)) this.costMicros.inc(labels, row.billedMicros);
    if (isAmount(row.counterfactualMicros)) this.counterfactualMicros.inc(labels, row.counterfactualMicros);
    if (isAmount(row.compressionSavingsMicros) && row.compressionSavingsMicros > 0) {
      this.savingsMicros.inc({ ...labels, source: 'compression' }, row.compressionSavingsMicros);
    }
    if (isAmount(row.cacheReadSavingsMicros) && row.cacheReadSavingsMicros > 0) {
      this.savingsMicros.inc({ ...labels, source: 'cache_read' }, row.cacheReadSavingsMicros);
    }
    if (isAmount(row.cacheWritePremiumMicros) && row.cacheWritePremiumMicros > 0) {
      this.writePremiumMicros.inc(labels, row.cacheWritePremiumMicros);
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function isAmount(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
