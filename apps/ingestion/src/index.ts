export { ConfigError, loadConfig, type IngestionConfig, type LoadConfigOptions } from './config/ingestion.config';
export { IngestionStartError, startIngestion, type IngestionDeps, type IngestionHandle } from './start-ingestion';
export { createIngestionLogger, type IngestionLogger } from './ingestion.logger';
