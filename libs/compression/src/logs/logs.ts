import type { Compressor, CompressorContext } from '../types';
import { foldRuns } from './fold-runs';
import { AGGRESSIVE, BALANCED, summariseLog } from './summary';

/**
 * Logs.
 * - lossless: runs of identical lines, and of lines identical but for their timestamp, fold into the first
 *   line plus a note listing what is needed to rebuild them (see fold-runs.ts). Nothing else changes.
 * - balanced / aggressive: Drain template mining; every line is counted in a template summary, errors,
 *   warnings, failures and stack traces stay verbatim with their neighbours in original order, and the whole
 *   log is retrievable behind the markers (see summary.ts). Aggressive keeps fewer repeats and no examples.
 */

/** Below this many lines a summary cannot pay for its own legend: fold runs only. */
const MIN_SUMMARY_LINES = 12;

export const logsCompressor: Compressor = {
  kind: 'logs',
  compress(input: string, ctx: CompressorContext): string {
    try {
      return compressLogs(input, ctx);
    } catch {
      return input;
    }
  },
};

function compressLogs(input: string, ctx: CompressorContext): string {
  const lines = input.split('\n');
  if (ctx.mode === 'lossless' || lines.length < MIN_SUMMARY_LINES) return foldRuns(lines).join('\n');
  // A final newline ends the last line; it does not start another one to count and cite.
  const counted = lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
  const summary = summariseLog(input, counted, ctx, ctx.mode === 'aggressive' ? AGGRESSIVE : BALANCED);
  // Far smaller than the input: folding runs (which only ever shortens the input) is not needed to decide.
  if (summary.length < 0.5 * input.length) return summary;
  const folded = foldRuns(lines).join('\n');
  if (summary.length < 0.8 * folded.length) return summary;
  return ctx.countTokens(summary) < ctx.countTokens(folded) ? summary : folded;
}
