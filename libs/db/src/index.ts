export { DbError, describeDbError, isDataError, type DbErrorCode } from './errors';
export {
  PgliteSqlExecutor,
  PgSqlExecutor,
  type DatabaseEngine,
  type SqlExecutor,
  type SqlQueryable,
  type SqlResult,
} from './sql/sql-executor';
export { parseDatabaseUrl, type ParsedDatabaseUrl } from './connection/database-url';
export { openDatabase, type Database, type DatabaseOptions } from './connection/database';
export { DEFAULT_DATA_DIR, loadDatabaseEnv, pgliteDirFor, type DatabaseEnv } from './config/database-env';
export {
  DEFAULT_MIGRATIONS_DIR,
  PRISMA_MIGRATE_LOCK_KEY,
  readMigrations,
  runMigrations,
  type MigrationFile,
  type MigrationOptions,
  type MigrationResult,
} from './migrate/migration-runner';
export { schemaStatus, type SchemaStatus } from './migrate/schema-status';
export { normaliseInstant, toLedgerRow, type LedgerRow } from './ledger/ledger-row';
export {
  INSERT_LEDGER_BATCH_SQL,
  LedgerWriter,
  insertLedgerBatch,
  type LedgerInsertResult,
  type LedgerWriteResult,
  type RejectedLedgerRow,
} from './ledger/ledger.repository';
export {
  listRequestLogPartitions,
  maintainRequestLog,
  type RequestLogMaintenanceOptions,
  type RequestLogMaintenanceResult,
} from './ledger/request-log-maintenance';
export { loadModelPrices, seedModelPrices } from './pricing/model-price.repository';
export { BudgetPeriod, CompressionMode, Prisma, PrismaClient, Role } from './generated/prisma/client';
export type {
  AdminToken,
  ApiKey,
  AuditLog,
  Budget,
  DailyRollup,
  ModelPrice as ModelPriceRecord,
  Policy,
  ProviderCredential,
  RequestLog,
  RoleBinding,
  Team,
  User,
} from './generated/prisma/client';
export { createScratchSchema, type ScratchSchema } from './testing/scratch-schema';
export * from './admin/index';
