/**
 * Exact money. Prices are integer micro-USD per million tokens (`$3/MTok` = 3_000_000n), so a price
 * with up to six decimals of dollars is exact. A cost is tokens × price = integer pico-USD
 * (1e-12 USD): no rounding anywhere, even for the cheapest class of the cheapest model
 * (`$0.005/MTok` × 1 token = 5_000 pico-USD). The database stores these as `numeric` USD with 6
 * (prices) and 12 (costs) decimals, the exact decimal image of the same integers.
 */

export type PricingErrorCode = 'PRC_INVALID_PRICE';

export class PricingError extends Error {
  constructor(
    readonly code: PricingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PricingError';
  }
}

/** Scale of prices: micro-USD per million tokens. */
export const PRICE_DECIMALS = 6;
/** Scale of costs: pico-USD. */
export const COST_DECIMALS = 12;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function parseScaled(text: string, decimals: number): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new PricingError('PRC_INVALID_PRICE', `not a decimal number: ${JSON.stringify(text)}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > decimals) {
    throw new PricingError('PRC_INVALID_PRICE', `more than ${decimals} decimals: ${text}`);
  }
  const value = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(trimmed.padEnd(decimals, '0') || '0');
  return sign ? -value : value;
}

function formatScaled(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const fraction = (abs % unit).toString().padStart(decimals, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${fraction}`;
}

/** `"0.075"` (USD per million tokens) → 75_000n micro-USD per MTok. At most 6 decimals. */
export function parseUsdPerMtok(text: string): bigint {
  const value = parseScaled(text, PRICE_DECIMALS);
  if (value < 0n) throw new PricingError('PRC_INVALID_PRICE', `negative price: ${text}`);
  return value;
}

/** 75_000n → `"0.075000"` (USD per million tokens, `numeric(18,6)` text). */
export function formatUsdPerMtok(microsPerMtok: bigint): string {
  return formatScaled(microsPerMtok, PRICE_DECIMALS);
}

/** Pico-USD → `"0.000003000000"` (USD, `numeric(…,12)` text). */
export function formatPicoUsd(pico: bigint): string {
  return formatScaled(pico, COST_DECIMALS);
}

/** `"0.000003"` USD → 3_000_000n pico-USD. At most 12 decimals. */
export function parsePicoUsd(text: string): bigint {
  return parseScaled(text, COST_DECIMALS);
}
