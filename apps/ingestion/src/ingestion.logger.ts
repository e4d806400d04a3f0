import { pino, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

export type IngestionLogger = Logger;

/** Structured JSON logs; events never carry prompt content, so nothing to redact beyond the defaults. */
export function createIngestionLogger(level: string, destination?: NodeJS.WritableStream): IngestionLogger {
  return pino({ level, base: { app: 'ingestion' } }, destination ?? process.stdout);
}

/** Nest's own messages (bootstrap, route mapping) through the same logger. */
export function nestLoggerFor(logger: IngestionLogger): LoggerService {
  const text = (message: unknown): string => (typeof message === 'string' ? message : JSON.stringify(message));
  return {
    log: (message: unknown, context?: string) => logger.debug({ context }, text(message)),
    error: (message: unknown, trace?: string, context?: string) => logger.error({ context, trace }, text(message)),
    warn: (message: unknown, context?: string) => logger.warn({ context }, text(message)),
    debug: (message: unknown, context?: string) => logger.debug({ context }, text(message)),
    verbose: (message: unknown, context?: string) => logger.trace({ context }, text(message)),
  };
}
