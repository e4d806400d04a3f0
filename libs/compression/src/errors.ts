/** Error codes of the compression library. */
export type CompressionErrorCode = 'CMP_LOSSY_IN_LOSSLESS' | 'CMP_BAD_OPTION';

export class CompressionError extends Error {
  constructor(
    readonly code: CompressionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CompressionError';
  }
}
