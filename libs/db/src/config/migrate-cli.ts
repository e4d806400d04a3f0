/**
 * `npm run db:migrate`: apply pending migrations to PostgreSQL (`DATABASE_URL`) or to the embedded
 * PGlite database in `LEEWAY_DATA_DIR`, seed the list-price catalogue (insert-only) and create the
 * request-log partitions ahead. Idempotent. Do not run it against a PGlite directory while `npm start`
 * has it open (the embedded stack migrates itself at boot).
 */
import { openDatabase } from '../connection/database';
import { maintainRequestLog } from '../ledger/request-log-maintenance';
import { runMigrations } from '../migrate/migration-runner';
import { seedModelPrices } from '../pricing/model-price.repository';
import { loadDatabaseEnv } from './database-env';

async function main(): Promise<void> {
  const env = loadDatabaseEnv(process.env);
  const db = await openDatabase({ databaseUrl: env.databaseUrl, pgliteDir: env.pgliteDir, poolMax: 2 });
  try {
    const target = env.databaseUrl ? `postgres (schema ${db.schema})` : `pglite ${env.pgliteDir}`;
    const result = await runMigrations(db.sql, {
      onApplied: (name, ms) => process.stdout.write(`applied ${name} (${ms} ms)\n`),
    });
    for (const name of result.checksumMismatches) {
      process.stderr.write(`warning: applied migration ${name} was modified since it was applied\n`);
    }
    const seeded = await seedModelPrices(db.sql);
    const partitions = await maintainRequestLog(db.sql, { monthsAhead: 3 });
    process.stdout.write(
      `${target}: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied, ` +
        `${seeded} seed prices added, ${partitions.created.length} partitions created\n`,
    );
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  const code = typeof error === 'object' && error !== null && 'code' in error ? `${String(error.code)}: ` : '';
  process.stderr.write(`db:migrate failed: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
