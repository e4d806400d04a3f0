import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Tracer } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { HealthController } from './health/health.controller';
import { INGESTION_HEALTH, INGESTION_METRICS, type IngestionHealth } from './health/ingestion-health';
import { LedgerService } from './ledger/ledger.service';
import { SavingsEventsController } from './ledger/savings-events.controller';
import { INGESTION_TRACER, IngestionTelemetry, IngestionTracingInterceptor } from './observability/ingestion-tracing';

export interface IngestionModuleDeps {
  readonly ledger: LedgerService;
  readonly health: IngestionHealth;
  readonly metrics: Registry;
  /** Serve the HTTP endpoints (split mode). */
  readonly http: boolean;
  /** Tracer for the per-event spans (tests); default the global `leeway` tracer. */
  readonly tracer?: Tracer;
}

/** Composition only: services are built (and closed) by `startIngestion`, Nest routes to them. */
@Module({})
export class IngestionModule {
  static register(deps: IngestionModuleDeps): DynamicModule {
    const providers: Provider[] = [
      { provide: LedgerService, useValue: deps.ledger },
      { provide: INGESTION_HEALTH, useValue: deps.health },
      { provide: INGESTION_METRICS, useValue: deps.metrics },
      { provide: INGESTION_TRACER, useValue: deps.tracer ?? null },
      IngestionTelemetry,
      { provide: APP_INTERCEPTOR, useClass: IngestionTracingInterceptor },
    ];
    return {
      module: IngestionModule,
      controllers: deps.http ? [SavingsEventsController, HealthController] : [SavingsEventsController],
      providers,
    };
  }
}
