import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SAVINGS_EVENT_V1_PATTERN } from '@leeway/contracts';
import type { DeadLetterOutcome } from '@leeway/state';
import { LedgerService } from './ledger.service';

/** Transport entry point: resolves after the event's row committed (then the entry is acknowledged). */
@Controller()
export class SavingsEventsController {
  constructor(@Inject(LedgerService) private readonly ledger: LedgerService) {}

  @EventPattern(SAVINGS_EVENT_V1_PATTERN)
  handle(@Payload() payload: unknown): Promise<DeadLetterOutcome | undefined> {
    return this.ledger.record(payload);
  }
}
