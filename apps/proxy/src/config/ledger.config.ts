/**
 * The ledger settings of the proxy (where savings events go). Read with the same variable names as
 * ingestion, so a proxy and an ingestion service configured alike meet on the same streams.
 */
import { z } from 'zod';
import { ProxyConfigError } from './proxy.config';

const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`))
    .optional()
    .transform((v) => v ?? def);

const schema = z.object({
  LEEWAY_LEDGER: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .optional()
    .transform((v) => v === undefined || v === 'true' || v === '1'),
  LEEWAY_EVENT_STREAM_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, 'must match [A-Za-z0-9_:.-]{1,64}')
    .optional()
    .transform((v) => v ?? 'leeway:events'),
  LEEWAY_EVENT_PARTITIONS: intFrom(4, 1, 1024),
  LEEWAY_LEDGER_QUEUE: intFrom(10_000, 1, 1_000_000),
  LEEWAY_EVENT_SPOOL: intFrom(50_000, 1, 10_000_000),
});

export interface LedgerConfig {
  /** Emit savings events (default true; `LEEWAY_LEDGER=false` turns the ledger off for this proxy). */
  readonly enabled: boolean;
  readonly streamPrefix: string;
  readonly partitions: number;
  /** Exchanges waiting to be turned into events (beyond: dropped, counted, logged). */
  readonly queueCapacity: number;
  /** Events the Redis publisher holds while Redis is unavailable. */
  readonly spoolCapacity: number;
}

export const LEDGER_ENV_KEYS = Object.freeze(Object.keys(schema.shape));

export function loadLedgerConfig(env: Readonly<Record<string, string | undefined>> = process.env): LedgerConfig {
  const input: Record<string, string | undefined> = {};
  for (const key of LEDGER_ENV_KEYS) {
    const value = env[key]?.trim();
    input[key] = value === undefined || value === '' ? undefined : value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ProxyConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    enabled: e.LEEWAY_LEDGER,
    streamPrefix: e.LEEWAY_EVENT_STREAM_PREFIX,
    partitions: e.LEEWAY_EVENT_PARTITIONS,
    queueCapacity: e.LEEWAY_LEDGER_QUEUE,
    spoolCapacity: e.LEEWAY_EVENT_SPOOL,
  });
}
