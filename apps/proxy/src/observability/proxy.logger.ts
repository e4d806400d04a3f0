import { pino } from 'pino';
import type { Logger } from 'pino';

export type ProxyLogger = Logger;

/**
 * The proxy's structured logger: JSON lines, a static message plus fields. Request bodies never reach
 * it; credentials are redacted should a header bag ever be logged.
 */
export function createProxyLogger(level: string, destination?: NodeJS.WritableStream): ProxyLogger {
  return pino(
    {
      level,
      base: { app: 'proxy' },
      redact: {
        paths: ['headers.authorization', 'headers["x-api-key"]', 'headers["x-leeway-key"]', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
