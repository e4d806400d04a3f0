import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';

export type LeewayLogger = Logger;

/** Placeholder written instead of a redacted value. */
export const REDACTED = '[redacted]';

/**
 * Paths redacted by default: credentials in any header bag, and prompt / response content wherever a
 * caller might put it (bodies, messages, tool output). Extend per app with `redact`.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = [
  'authorization',
  'apiKey',
  'api_key',
  'password',
  'secret',
  'token',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.secret',
  '*.token',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["x-leeway-key"]',
  'headers["proxy-authorization"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  '*.headers["x-leeway-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-leeway-key"]',
  'body',
  'rawBody',
  'prompt',
  'messages',
  'input',
  'content',
  'system',
  'output',
  'completion',
  '*.body',
  '*.rawBody',
  '*.prompt',
  '*.messages',
  '*.content',
  '*.system',
  '*.completion',
];

export interface LoggerSettings {
  /** `proxy`, `ingestion`, `admin`, `cli` — the `app` field on every line. */
  readonly app: string;
  readonly level?: string;
  /** Extra paths to redact on top of `DEFAULT_REDACT_PATHS`. */
  readonly redact?: readonly string[];
  /**
   * Log prompt/response content fields (`body`, `messages`, …) instead of redacting them. Off by
   * default; credentials stay redacted regardless.
   */
  readonly logContent?: boolean;
  /** Defaults to stdout. Tests pass a stream to read lines back. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
}

const CONTENT_KEYS = new Set(['body', 'rawBody', 'prompt', 'messages', 'input', 'content', 'system', 'output', 'completion']);

/**
 * The one logger factory: JSON lines, `msg` is a static message and data goes in fields
 * (`log.info({ requestId, status }, 'request completed')`), ISO timestamps, secrets and prompt content
 * redacted by default.
 */
export function createLogger(settings: LoggerSettings): LeewayLogger {
  const basePaths = settings.logContent
    ? DEFAULT_REDACT_PATHS.filter((path) => !CONTENT_KEYS.has(path.replace(/^\*\./, '')))
    : DEFAULT_REDACT_PATHS;
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { app: settings.app },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...basePaths, ...(settings.redact ?? [])], censor: REDACTED },
  };
  return pino(options, settings.destination ?? process.stdout);
}

/** A child logger that stamps the request id (and optional fixed fields) on every line. */
export function withRequestId(logger: LeewayLogger, requestId: string, fields: Record<string, unknown> = {}): LeewayLogger {
  return logger.child({ ...fields, requestId });
}
