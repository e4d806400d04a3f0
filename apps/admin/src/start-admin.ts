/**
 * Composition root of the admin API: used by `main.ts` (split mode) and by the embedded `npm start`
 * (in-process, sharing the stack's PGlite and memory bus).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openDatabase, pgliteDirFor, runMigrations, seedModelPrices, type Database } from '@leeway/db';
import { createAdminLogger, nestLoggerFor, type AdminLogger } from './admin.logger';
import { AdminModule } from './admin.module';
import type { AdminContext } from './admin.tokens';
import { MemoryChangePublisher, type ChangePublisher } from './changes/change-publisher';
import type { AdminConfig } from './config/admin.config';

export interface AdminDeps {
  /** An open database (embedded mode shares one PGlite). Default: opened from the config, closed on `close()`. */
  readonly database?: Database;
  /** Where changes are published. Default: an in-memory publisher (embedded; pass a Redis one when `REDIS_URL` is set). */
  readonly publisher?: ChangePublisher;
  readonly logger?: AdminLogger;
  readonly now?: () => Date;
  /** Bind a port (default true); tests use `inject()` without one. */
  readonly listen?: boolean;
}

export interface AdminHandle {
  /** `http://host:port`, or null without a listener. */
  readonly url: string | null;
  readonly app: NestFastifyApplication;
  readonly database: Database;
  readonly publisher: ChangePublisher;
  close(): Promise<void>;
}

export async function startAdmin(config: AdminConfig, deps: AdminDeps = {}): Promise<AdminHandle> {
  const logger = deps.logger ?? createAdminLogger(config.logLevel);
  const owned: (() => Promise<void>)[] = [];
  const closeOwned = async (): Promise<void> => {
    for (const close of owned.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const database =
      deps.database ??
      (await openDatabase({
        databaseUrl: config.databaseUrl,
        pgliteDir: pgliteDirFor(config.dataDir),
        poolMax: 5,
        applicationName: 'leeway-admin',
        onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
      }));
    if (!deps.database) owned.push(() => database.close());
    if (config.migrate) {
      const result = await runMigrations(database.sql);
      if (result.applied.length > 0) logger.info({ applied: result.applied }, 'migrations applied');
      await seedModelPrices(database.sql);
    }
    if (config.adminToken === null) logger.warn('LEEWAY_ADMIN_TOKEN is not set: only issued user tokens can authenticate');
    if (config.secretKeyIsDefault) logger.warn('LEEWAY_SECRET_KEY is not set: provider credentials use a development key');

    const publisher = deps.publisher ?? new MemoryChangePublisher();
    const context: AdminContext = { config, database, publisher, logger, now: deps.now ?? (() => new Date()) };
    const adapter = new FastifyAdapter({
      bodyLimit: config.bodyLimitBytes,
      genReqId: (req: IncomingMessage) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
      },
    });
    const app = await NestFactory.create<NestFastifyApplication>(AdminModule.register(context), adapter, {
      logger: nestLoggerFor(logger),
      abortOnError: false,
    });
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onSend', async (req, reply) => {
      reply.header('x-request-id', req.id);
    });
    // Body parsing and size-limit errors reach AdminErrorFilter through Nest's own Fastify error handler.
    await app.init();
    owned.push(() => app.close());

    let url: string | null = null;
    if (deps.listen !== false) {
      await app.listen(config.port, config.host);
      const address = app.getHttpServer().address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
      logger.info({ url, engine: database.engine }, 'admin API listening');
    }

    let closed: Promise<void> | null = null;
    return {
      url,
      app,
      database,
      publisher,
      close: () => {
        closed ??= closeOwned();
        return closed;
      },
    };
  } catch (error) {
    await closeOwned();
    throw error;
  }
}
