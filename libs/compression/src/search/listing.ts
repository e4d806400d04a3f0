import type { Compressor } from '../types';

/** Placeholder: returns its input until the listing compressor lands. */
export const listingCompressor: Compressor = {
  kind: 'listing',
  compress(input) {
    return input;
  },
};
