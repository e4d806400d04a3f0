/** Error codes of the state library. */
export type StateErrorCode =
  | 'STA_UNAVAILABLE'
  | 'STA_TIMEOUT'
  | 'STA_BAD_VALUE'
  | 'STA_BAD_OPTION'
  | 'STA_BAD_TENANT'
  | 'STA_CAPACITY';

/** A typed failure of a state adapter. The request path catches it and fails open (I5). */
export class StateError extends Error {
  constructor(
    readonly code: StateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StateError';
  }
}
