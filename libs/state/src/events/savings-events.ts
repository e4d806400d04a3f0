import { SAVINGS_EVENT_V1_PATTERN, type SavingsEventInput } from '@leeway/contracts';
import type { EventPublisher } from './event-stream';

/**
 * Publish one savings event (after the response completed — never on the request's critical path).
 * Partitioned by request id; never throws, never waits.
 */
export function publishSavingsEvent(publisher: EventPublisher, event: SavingsEventInput): void {
  publisher.publish(SAVINGS_EVENT_V1_PATTERN, event.requestId, event);
}
