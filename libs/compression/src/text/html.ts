import type { Compressor } from '../types';
import { textCompressor } from './text';

/** HTML: folded like text for now (markup is kept; a dedicated HTML compressor may strip it later). */
export const htmlCompressor: Compressor = {
  kind: 'html',
  compress(input, ctx) {
    return textCompressor.compress(input, ctx);
  },
};
