/**
 * One savings event → one ledger row: validate against the versioned contract, price it with the
 * price in force at the request's instant, and hand it to the batcher. Returns when the row committed;
 * a malformed or refused event comes back as a dead-letter outcome with the reason.
 */
import { computeCost, parseSavingsEvent } from '@leeway/contracts';
import { toLedgerRow } from '@leeway/db';
import { deadLetter, type DeadLetterOutcome } from '@leeway/state';
import type { PriceCatalogService } from '../pricing/price-catalog.service';
import type { LedgerBatcher } from './ledger-batcher';

/** Events claiming to be from further in the future than this are refused (clock skew allowance). */
const MAX_FUTURE_SKEW_MS = 24 * 3_600_000;

export class LedgerService {
  constructor(
    private readonly prices: PriceCatalogService,
    private readonly batcher: LedgerBatcher,
    private readonly now: () => number = Date.now,
  ) {}

  async record(payload: unknown): Promise<DeadLetterOutcome | undefined> {
    const parsed = parseSavingsEvent(payload);
    if (!parsed.ok) return deadLetter(parsed.reason);
    const event = parsed.event;
    const occurredAt = new Date(event.occurredAt);
    if (occurredAt.getTime() > this.now() + MAX_FUTURE_SKEW_MS) {
      return deadLetter('invalid:occurredAt: more than 24 h in the future');
    }
    const price = await this.prices.findPrice(event.provider, event.model, occurredAt);
    const cost = computeCost(
      { usage: event.usage, compression: event.compression, cacheBreakpointsAdded: event.cache.breakpointsAdded },
      price,
    );
    const outcome = await this.batcher.submit(toLedgerRow(event, cost));
    return outcome.kind === 'rejected' ? deadLetter(outcome.reason) : undefined;
  }
}
