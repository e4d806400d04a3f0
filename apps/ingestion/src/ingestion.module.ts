import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { HealthController } from './health/health.controller';
import { INGESTION_HEALTH, INGESTION_METRICS, type IngestionHealth } from './health/ingestion-health';
import { LedgerService } from './ledger/ledger.service';
import { SavingsEventsController } from './ledger/savings-events.controller';

export interface IngestionModuleDeps {
  readonly ledger: LedgerService;
  readonly health: IngestionHealth;
  readonly metrics: Registry;
  /** Serve the HTTP endpoints (split mode). */
  readonly http: boolean;
}

/** Composition only: services are built (and closed) by `startIngestion`, Nest routes to them. */
@Module({})
export class IngestionModule {
  static register(deps: IngestionModuleDeps): DynamicModule {
    const providers: Provider[] = [
      { provide: LedgerService, useValue: deps.ledger },
      { provide: INGESTION_HEALTH, useValue: deps.health },
      { provide: INGESTION_METRICS, useValue: deps.metrics },
    ];
    return {
      module: IngestionModule,
      controllers: deps.http ? [SavingsEventsController, HealthController] : [SavingsEventsController],
      providers,
    };
  }
}
