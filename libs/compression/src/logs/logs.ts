import type { Compressor } from '../types';

/** Placeholder: returns its input until the logs compressor lands. */
export const logsCompressor: Compressor = {
  kind: 'logs',
  compress(input) {
    return input;
  },
};
