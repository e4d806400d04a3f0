/** What `/readyz` reports: the stream is being read and the database accepts writes. */
export interface IngestionHealth {
  isLive(): boolean;
  readiness(): { ready: boolean; checks: Record<string, boolean>; stats: Record<string, unknown> };
}

export const INGESTION_HEALTH = Symbol.for('leeway.ingestion.health');
export const INGESTION_METRICS = Symbol.for('leeway.ingestion.metrics');
