import { pino, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';

export type AdminLogger = Logger;

/** Structured JSON logs; bearer tokens, keys and credentials are redacted. */
export function createAdminLogger(level: string, destination?: NodeJS.WritableStream): AdminLogger {
  return pino(
    {
      level,
      base: { app: 'admin' },
      redact: { paths: ['req.headers.authorization', 'apiKey', 'key', 'token', '*.apiKey', '*.key', '*.token'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}

export function nestLoggerFor(logger: AdminLogger): LoggerService {
  const text = (message: unknown): string => (typeof message === 'string' ? message : JSON.stringify(message));
  return {
    log: (message: unknown, context?: string) => logger.debug({ context }, text(message)),
    error: (message: unknown, trace?: string, context?: string) => logger.error({ context, trace }, text(message)),
    warn: (message: unknown, context?: string) => logger.warn({ context }, text(message)),
    debug: (message: unknown, context?: string) => logger.debug({ context }, text(message)),
    verbose: (message: unknown, context?: string) => logger.trace({ context }, text(message)),
  };
}
