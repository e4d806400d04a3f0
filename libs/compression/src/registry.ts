import { codeCompressor } from './code/code';
import { diffCompressor } from './diff/diff';
import { htmlCompressor } from './text/html';
import { jsonCompressor } from './json/json';
import { listingCompressor } from './search/listing';
import { logsCompressor } from './logs/logs';
import { searchCompressor } from './search/search';
import { textCompressor } from './text/text';
import type { Compressor, SegmentKind } from './types';

const COMPRESSORS: Record<SegmentKind, Compressor> = {
  json: jsonCompressor,
  logs: logsCompressor,
  search: searchCompressor,
  listing: listingCompressor,
  diff: diffCompressor,
  code: codeCompressor,
  html: htmlCompressor,
  text: textCompressor,
};

export function compressorFor(kind: SegmentKind): Compressor {
  return COMPRESSORS[kind];
}
