import type { Compressor } from '../types';

/** Placeholder: returns its input until the code compressor lands. */
export const codeCompressor: Compressor = {
  kind: 'code',
  compress(input) {
    return input;
  },
};
