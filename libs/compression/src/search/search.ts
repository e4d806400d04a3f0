import type { Compressor } from '../types';

/** Placeholder: returns its input until the search compressor lands. */
export const searchCompressor: Compressor = {
  kind: 'search',
  compress(input) {
    return input;
  },
};
