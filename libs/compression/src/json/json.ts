import type { Compressor } from '../types';

/** Placeholder: returns its input until the json compressor lands. */
export const jsonCompressor: Compressor = {
  kind: 'json',
  compress(input) {
    return input;
  },
};
