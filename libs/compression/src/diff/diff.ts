import type { Compressor } from '../types';

/** Placeholder: returns its input until the diff compressor lands. */
export const diffCompressor: Compressor = {
  kind: 'diff',
  compress(input) {
    return input;
  },
};
