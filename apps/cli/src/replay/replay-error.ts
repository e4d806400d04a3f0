/** Error codes of the replay: input problems (`RPL_*` from readers) and arm failures. */
export type ReplayErrorCode =
  | 'RPL_EMPTY'
  | 'RPL_UNKNOWN_FORMAT'
  | 'RPL_NO_TURNS'
  | 'RPL_UPSTREAM_FAILED'
  | 'RPL_PROXY_UNAVAILABLE'
  | 'RPL_UNPRICED_MODEL';

/** A typed replay failure; the command turns it into a one-line CLI error. */
export class ReplayError extends Error {
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReplayError';
  }
}
