/** Error codes of the event stream. */
export type EventStreamErrorCode = 'EVT_BAD_OPTION' | 'EVT_UNAVAILABLE' | 'EVT_PUBLISH_FAILED';

export class EventStreamError extends Error {
  constructor(
    readonly code: EventStreamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventStreamError';
  }
}

const DEAD_LETTER = Symbol.for('leeway.events.dead-letter');

/** What a handler returns to send its event to the dead-letter stream (instead of throwing). */
export interface DeadLetterOutcome {
  readonly [DEAD_LETTER]: true;
  readonly reason: string;
}

/**
 * Handler result meaning "this event can never be processed": the server dead-letters it with the
 * reason and acknowledges it. (Throwing means "retry later": the entry stays pending.)
 */
export function deadLetter(reason: string): DeadLetterOutcome {
  return { [DEAD_LETTER]: true, reason: reason.slice(0, 1000) };
}

export function isDeadLetterOutcome(value: unknown): value is DeadLetterOutcome {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEAD_LETTER] === true;
}
